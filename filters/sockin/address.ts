/**
 * sockin URLs: `udp://HOST:PORT`, `tcp://HOST:PORT` (GPAC's forms; a trailing `/` is allowed), IPv6
 * hosts in brackets, multicast groups recognised from the address.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { GraphError } from '../../src/index.js';

export interface SockAddress {
  proto: 'udp' | 'tcp';
  host: string;
  port: number;
  multicast: boolean;
}

export function parseSockUrl(url: string, defaultPort: number): SockAddress {
  const m = /^(udp|tcp):\/\/(\[[^\]]*\]|[^:/]*)(?::(\d+))?\/?$/i.exec(url);
  if (!m)
    throw new GraphError(
      'BAD_OPTION_VALUE',
      `sockin: cannot read "${url}": expected udp://HOST:PORT or tcp://HOST:PORT`,
      {
        url,
      },
    );
  const host = m[2]!.replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = m[3] !== undefined ? Number(m[3]) : defaultPort;
  if (!(port > 0 && port < 65536))
    throw new GraphError('BAD_OPTION_VALUE', `sockin: "${url}": port ${port} is not in 1..65535`, { url });
  return { proto: m[1]!.toLowerCase() as 'udp' | 'tcp', host, port, multicast: isMulticast(host) };
}

export function isMulticast(host: string): boolean {
  if (isIPv4(host)) {
    const first = Number(host.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return isIPv6(host) && /^ff/i.test(host);
}
