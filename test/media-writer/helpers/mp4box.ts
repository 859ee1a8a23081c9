// Parses the writer's output back with mp4box: movie info, the ISOFile (boxes), and all samples.
import { createFile, type ISOFile, MP4BoxBuffer, type Movie, type Sample } from 'mp4box';

export interface Parsed {
  info: Movie;
  file: ISOFile;
  samples: Map<number, Sample[]>;
}

export function parseMp4(bytes: Uint8Array): Parsed {
  const file = createFile();
  let info: Movie | undefined;
  const samples = new Map<number, Sample[]>();
  file.onError = (module: string, message: string) => {
    throw new Error(`mp4box ${module}: ${message}`);
  };
  file.onReady = (movie: Movie) => {
    info = movie;
    for (const t of movie.tracks) {
      samples.set(t.id, []);
      file.setExtractionOptions(t.id, undefined, { nbSamples: 100_000 });
    }
    file.start();
  };
  file.onSamples = (id: number, _user: unknown, got: Sample[]) => {
    samples.get(id)?.push(...got);
  };
  const ab = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(ab).set(bytes);
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(ab, 0));
  file.flush();
  if (!info) throw new Error('mp4box: no moov');
  return { info, file, samples };
}
