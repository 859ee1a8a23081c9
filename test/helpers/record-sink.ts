/**
 * A sink plugin for timing tests: claims `rec:` URLs, acknowledges writes like fout, and records when
 * (on the session clock) each manifest version arrived.
 */
import { arg, defineFilter, makeEvent, packetProp } from '../../src/index.js';

export interface ManifestVersion {
  /** Session clock time (ms) the version arrived at the sink. */
  at: number;
  name: string;
  text: string;
}

export function recordSink(versions: ManifestVersion[]) {
  const dec = new TextDecoder();
  return defineFilter({
    name: 'recsink',
    description: 'records manifests with their arrival time; acknowledges segment writes',
    args: { dst: arg.string(undefined, 'rec:PATH') },
    caps: [{ name: 'files', in: { StreamType: 'File' } }],
    probeUrl: (url) => (url.startsWith('rec:') ? 'supported' : 'no'),
    create(ctx) {
      return {
        process() {
          let moved = false;
          for (const pid of ctx.inputs) {
            for (let p = pid.take(); p; p = pid.take()) {
              moved = true;
              if (pid.props.IsManifest)
                versions.push({
                  at: ctx.clock.now(),
                  name: String(p.props?.FileName),
                  text: dec.decode(p.data),
                });
              const ackId = packetProp(p.props, 'AckId');
              if (ackId !== undefined) pid.sendEvent(makeEvent('write-ack', { ackId }));
            }
          }
          if (ctx.inputs.length && ctx.inputs.every((i) => i.eos)) return 'eos';
          return moved ? 'ok' : 'not-ready';
        },
      };
    },
  });
}

/** Media end time (s) of every part in a playlist, keyed `segmentUri#index`, from EXT-X-PART durations. */
export function partEnds(playlist: string): Map<string, number> {
  const ends = new Map<string, number>();
  let t = 0;
  let seg = 0;
  let index = 0;
  let segStart = 0;
  for (const line of playlist.split('\n')) {
    if (line.startsWith('#EXTINF:')) {
      t = segStart + Number(line.slice(8).split(',')[0]);
      segStart = t;
      seg++;
      index = 0;
    } else if (line.startsWith('#EXT-X-PART:')) {
      const dur = Number(/DURATION=([\d.]+)/.exec(line)![1]);
      const uri = /URI="([^"]+)"/.exec(line)![1]!.replace(/\.\d+$/, '');
      t += dur;
      ends.set(`${uri}#${index++}`, t);
    }
  }
  void seg;
  return ends;
}
