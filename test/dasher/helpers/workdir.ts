/**
 * Work folders for CLI runs (the committed clips linked in under the names GPAC's lines use), file
 * listings of an output tree, and GPAC's reference listings copied into test/dasher/gpac-ref/.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaDir, repoRoot } from './cli.js';

export const refDir = join(repoRoot, 'test/dasher/gpac-ref');

/** One temporary root per test file; `workDir` makes sub-folders in it. */
export class WorkRoot {
  private root: string | undefined;
  private n = 0;

  constructor(private readonly prefix: string) {}

  /** A fresh folder holding links to the named clips (`source1`, `hevc.mp4`…) of test/media. */
  async workDir(clips: readonly string[]): Promise<string> {
    this.root ??= await mkdtemp(join(tmpdir(), `graphpac-${this.prefix}-`));
    const dir = join(this.root, `run${++this.n}`);
    await mkdir(dir, { recursive: true });
    for (const c of clips) await symlink(join(mediaDir, c), join(dir, c));
    return dir;
  }

  async cleanup(): Promise<void> {
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }
}

export interface FileEntry {
  size: number;
  symlink: boolean;
}

/** Every file under `dir` (recursively), by path relative to `dir`, with `/` separators. */
export async function listTree(dir: string): Promise<Map<string, FileEntry>> {
  const out = new Map<string, FileEntry>();
  const walk = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(join(dir, rel));
    } catch {
      return;
    }
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(dir, r));
      if (st.isDirectory()) await walk(r);
      else out.set(r, { size: st.size, symlink: st.isSymbolicLink() });
    }
  };
  await walk('');
  return out;
}

/** GPAC's `find res -printf '%p %s\n'` of one run: file name (relative to res/) → size. */
export async function refListing(run: string): Promise<Map<string, number>> {
  const text = await readFile(join(refDir, run, 'listing.txt'), 'utf8');
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^res\/(\S+) (\d+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** One of GPAC's final playlists / MPD of a run. */
export function refFile(run: string, name: string): Promise<string> {
  return readFile(join(refDir, run, 'final_res', name), 'utf8');
}

/** `source1_dash12.m4s` → { stem: 'source1_dash', number: 12 }; part files and others → undefined. */
export function segmentNumber(name: string): { stem: string; number: number } | undefined {
  const m = /^(.*?)(\d+)\.m4s$/.exec(name);
  return m ? { stem: m[1]!, number: Number(m[2]) } : undefined;
}

/** Names sorted the way a person reads them: numbers inside compared as numbers. */
export function naturalSort(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
