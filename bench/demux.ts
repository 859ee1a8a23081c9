/**
 * Demux benchmark: `graphpac -i CLIP inspect:log=/dev/null` (fin → mp4dmx → inspect, nothing printed)
 * timed as a whole process under `/usr/bin/time -v`, 1 warm-up + N runs per clip; reports the median
 * wall time and peak RSS, checks the packet counts once against ffprobe, and writes its section of
 * docs/PERFORMANCE.md.
 *
 *   bash bench/make-long-clip.sh                 # makes bench/media/av_60s.mp4 and long_av.mp4 (once)
 *   node --import tsx bench/demux.ts [--runs 7] [--cli tsx|compiled|both] [--no-write] [CLIP...]
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPILED_NOTE,
  RSS_TARGET_MB,
  cliByName,
  codeVersion,
  cpuTimes,
  fmtRange,
  machine,
  markers,
  median,
  noiseNote,
  repeat,
  root,
  rssMiB,
  run,
  timed,
  walls,
  writeSection,
  type Cli,
  type Sample,
} from './lib.js';

const { start: START, end: END } = markers('bench/demux.ts');

interface Result {
  label: string;
  command: string;
  bytes?: number;
  samples: Sample[];
}

async function measure(
  cli: Cli,
  label: string,
  args: string[],
  runs: number,
  bytes?: number,
): Promise<Result> {
  const samples = await repeat(`${cli.name} ${label}`, runs, () => timed([...cli.argv, ...args]));
  return { label: `${label} (${cli.name})`, command: `${cli.shown} ${args.join(' ')}`, bytes, samples };
}

/** Packet counts per track from inspect vs ffprobe (the benchmark must demux everything). */
async function verify(clip: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli/run.ts', '-i', clip, 'inspect:fmt=json'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  const ours = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; packets?: number })
    .filter((o) => o.type === 'summary')
    .map((o) => o.packets);
  const probe = await run('ffprobe', [
    '-v',
    'error',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    clip,
  ]);
  const ref = probe.stdout.trim().split('\n').map(Number);
  if (JSON.stringify(ours) !== JSON.stringify(ref))
    throw new Error(`${clip}: graphpac packets ${ours.join(',')} but ffprobe ${ref.join(',')}`);
  return ours.join(' + ');
}

function section(results: Result[], checks: string[], runs: number): string {
  const rows = results.map((r) => {
    const mb = r.bytes ? `${(r.bytes / 1e6).toFixed(1)} MB` : '–';
    return `| ${r.label} | ${mb} | ${fmtRange(walls(r.samples), 2)} | ${median(cpuTimes(r.samples)).toFixed(2)} | ${fmtRange(rssMiB(r.samples), 1)} |`;
  });
  const commands = [...new Set(results.map((r) => `- \`/usr/bin/time -v ${r.command}\``))];
  return `${START}
## Demux: fin → mp4dmx → inspect (bench/demux.ts)

What it measures: reading an MP4 and demuxing every sample of every track, nothing written
(\`inspect:log=/dev/null\` is the null sink). The whole process is timed from outside, including start-up (the \`--version\` rows are that
fixed cost alone). "tsx" runs the TypeScript sources as in development; "compiled" runs the JavaScript
\`tsc -p tsconfig.build.json\` emits, as the installed \`graphpac\` does (built into a temporary folder). ${runs} counted runs after 1 warm-up; median **bold**, [min–max].

Machine: ${machine().text}; files in the page cache. Code: ${codeVersion()}.
Clips: \`bash bench/make-long-clip.sh\` (the performance anchor's ffmpeg command: H.264 720p30 2 Mb/s + AAC 48 kHz mono, moov at the end; 60 s and 600 s).

| run | input | wall s | cpu s (user+sys) | peak RSS MiB |
|---|---|---|---|---|
${rows.join('\n')}

Commands (from the repo root; ${COMPILED_NOTE}):
${commands.join('\n')}

Checks: ${checks.join('; ')}. Shared machine: ${noiseNote()}.

Where the memory goes: the \`--version\` rows are Node, tsx (when used) and the modules. Demuxing itself holds a
few blocks of the file (256 KiB each, fin's default \`block_size\`), the moov and the sample tables as they are in the
file (4 to 16 bytes a sample, read with a DataView: mp4box.js parses the moov without them and mp4dmx builds no
per-sample objects). The blocks are reused: fin reads into a small pool, mp4dmx sends each sample as a view of its
block with \`ref\` to it, and a block goes back to the pool once every sample cut from it has been dropped by the
consumers (packet release, GPAC's drop contract: src/engine/packet-lease.ts; \`inspect\` drops what it takes). A
600 s file is read with 9 blocks allocated for 614 reads, so no dead ArrayBuffers pile up between collections
(before: up to ~32 MiB of them, +40 % peak RSS at 600 s). The rest of the difference was V8 growing its young
generation to 2 × 16 MiB over a long run (cumulative survivors): the installed CLI starts Node with
\`--max-semi-space-size=1\` (bin/graphpac.js's \`#!/usr/bin/env -S node …\` line; the rows above pass the same
options), which caps it below the size a 60 s run reaches anyway. Packaging with a consumer that does not drop
(the dasher) allocates blocks as before: a packet that can never be released gets no lease.
${END}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let runs = 5;
  let write = true;
  let which = 'both';
  const clips: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--no-write') write = false;
    else if (a === '--cli') which = argv[++i] ?? 'both';
    else clips.push(a);
  }
  if (!clips.length) clips.push('bench/media/av_60s.mp4', 'bench/media/long_av.mp4');
  for (const c of clips)
    if (!existsSync(join(root, c)))
      throw new Error(`${c} is missing: run bash bench/make-long-clip.sh first`);

  const clis = (which === 'both' ? ['compiled', 'tsx'] : [which]).map(cliByName);
  const checks: string[] = [];
  for (const c of clips) checks.push(`${c}: ${await verify(c)} packets, as ffprobe`);
  const results: Result[] = [];
  for (const cli of clis) {
    const mine: Result[] = [await measure(cli, 'start-up only (`--version`)', ['--version'], runs)];
    for (const c of clips)
      mine.push(
        await measure(
          cli,
          c.split('/').pop()!,
          ['-i', c, 'inspect:log=/dev/null'],
          runs,
          statSync(join(root, c)).size,
        ),
      );
    results.push(...mine);
    const rss = mine.slice(1).map((r) => median(rssMiB(r.samples)));
    checks.push(
      `${cli.name}: peak RSS ${rss.map((x) => x.toFixed(1)).join(' / ')} MiB, ${rss.every((x) => x <= RSS_TARGET_MB) ? 'within' : 'OVER'} the ${RSS_TARGET_MB} MB target`,
    );
    if (rss.length >= 2) {
      const spread = (Math.max(...rss) - Math.min(...rss)) / Math.min(...rss);
      checks.push(
        `${cli.name}: RSS spread across clip lengths ${(spread * 100).toFixed(1)}% (${spread <= 0.1 ? 'within' : 'OVER'} the 10% target)`,
      );
    }
  }
  const text = section(results, checks, runs);
  process.stdout.write(`\n${text}\n`);
  if (write) writeSection('bench/demux.ts', text);
}

process.stdout.write(`machine: ${machine().text}\n`);
await main();
