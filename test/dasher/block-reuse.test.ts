/**
 * Packaging honours the packet-release contract end to end (fin → mp4dmx → dasher → fout): the dasher
 * keeps each sample until its chunk is sent, sends the chunk's payload as views of the samples (`ref`),
 * and fout drops them once written, so fin reads a whole file into a handful of reused blocks. The
 * bytes must not suffer: packaged from 4 KiB blocks (hundreds of reads, samples spanning blocks, blocks
 * reused while files are written), every output file is identical to the one packaged from a single
 * block holding the whole file.
 */
import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, graphpac } from './helpers/cli.js';
import { WorkRoot } from './helpers/workdir.js';

const root = new WorkRoot('dasher-blocks');
test.after.always(() => root.cleanup());

/** fin's `blocks` debug line: blocks allocated and reads served by a reused block. */
function blocks(stderr: string): { allocated: number; reused: number } {
  const line = stderr.split('\n').find((l) => l.includes('"filter":"fin"') && l.includes('"blocks"'));
  const j = JSON.parse(line ?? '{}') as { allocated?: number; reused?: number };
  return { allocated: j.allocated ?? -1, reused: j.reused ?? -1 };
}

async function files(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const f of (await readdir(dir)).sort()) out.set(f, await readFile(join(dir, f)));
  return out;
}

for (const opts of [
  'segdur=2:cdur=0.5:profile=live:dmode=static:llhls=br',
  'segdur=2:profile=live:dmode=dynamic:llhls=sf',
]) {
  test(`reused 4 KiB read blocks, same bytes as one whole-file block (${opts})`, async (t) => {
    const dir = await root.workDir(['source1']);
    const small = await graphpac(
      ['-i', 'source1:block_size=4096', '-o', `small/live.mpd:dual:${opts}`, '-logs=fin@debug'],
      { cwd: dir },
    );
    t.is(small.code, 0, describe(small));
    const whole = await graphpac(
      ['-i', 'source1:block_size=4194304', '-o', `whole/live.mpd:dual:${opts}`, '-logs=fin@debug'],
      { cwd: dir },
    );
    t.is(whole.code, 0, describe(whole));
    // source1 is 2.2 MB: 559 reads of 4 KiB, served by a few dozen blocks at most.
    const b = blocks(small.stderr);
    t.log(`4 KiB blocks: ${b.allocated} allocated, ${b.reused} reads reused one`);
    t.true(b.reused > 400, `${b.reused} reads reused a block`);
    t.true(b.allocated > 0 && b.allocated < 100, `${b.allocated} blocks allocated`);
    const a = await files(join(dir, 'small'));
    const w = await files(join(dir, 'whole'));
    t.deepEqual([...a.keys()], [...w.keys()]);
    const dated = /\d{4}-\d\d-\d\dT[\d:.]+Z/g;
    for (const [name, bytes] of a) {
      const other = w.get(name)!;
      if (/\.(mpd|m3u8)$/.test(name))
        t.is(bytes.toString().replace(dated, 'DATE'), other.toString().replace(dated, 'DATE'), name);
      else t.true(bytes.equals(other), `${name}: same bytes`);
    }
  });
}
