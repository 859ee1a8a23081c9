/**
 * ffmpeg arguments the tests and benchmarks share when they make their own media: lavfi's test pattern and
 * tone, and H.264 with a fixed GOP (segments and parts are cut at known points).
 */

/** The test pattern (320x180 at 25 fps) and a 440 Hz tone at 48 kHz, as two lavfi inputs. */
export function lavfiAv(): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
  ];
}

/** An IDR every `frames` frames and none elsewhere (no scene-cut key frames). */
export function fixedGop(frames: number): string[] {
  return ['-g', String(frames), '-keyint_min', String(frames), '-sc_threshold', '0'];
}

/** libx264 at its fastest with a fixed GOP, 4:2:0 (what every browser decodes). */
export function x264Fast(gopFrames: number): string[] {
  return ['-c:v', 'libx264', '-preset', 'ultrafast', ...fixedGop(gopFrames), '-pix_fmt', 'yuv420p'];
}
