/**
 * Linux /proc readings for the httpout tests: a process's resident memory and the state of a TCP
 * connection as the kernel sees it (so a test can tell that a server closed its end of a connection
 * whose client does not read, which that client cannot see yet).
 */
import { readdir, readFile } from 'node:fs/promises';

/** VmRSS of a process, in KiB (undefined once it is gone). */
export async function rssKiB(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const m = text && /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/**
 * State of the loopback IPv4 connection whose local end is port `local` and remote end port
 * `remote` (undefined when the kernel has no such socket any more).
 */
export async function tcpState(local: number, remote: number): Promise<string | undefined> {
  const text = await readFile('/proc/net/tcp', 'utf8');
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const lp = parseInt(f[1]!.split(':')[1] ?? '', 16);
    const rp = parseInt(f[2]!.split(':')[1] ?? '', 16);
    if (lp === local && rp === remote) return TCP_STATES[f[3]!.toUpperCase()] ?? f[3];
  }
  return undefined;
}

/** Open file descriptors of a process (undefined once it is gone). */
export async function openFds(pid: number): Promise<number | undefined> {
  return readdir(`/proc/${pid}/fd`).then(
    (l) => l.length,
    () => undefined,
  );
}
