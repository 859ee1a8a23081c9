/**
 * sockin: UDP and TCP input (GPAC's sockin). `udp://HOST:PORT` (unicast, or a multicast group joined on
 * `ifce`), `tcp://HOST:PORT` as a client, or with `:listen` as a server an encoder connects to. The
 * bytes received become one File PID (MPEG-2 TS probed by its sync byte, raw or over RTP); the graph runs
 * at the pace they arrive: a live source needs no reframer.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { defineFilter, GraphError } from '../../src/index.js';
import descriptor, { BRIDGED } from './descriptor.js';
import { parseSockUrl } from './address.js';
import type { SockAddress } from './address.js';
import { LiveInput } from './live-input.js';
import { stripRtp } from './rtp.js';

export default defineFilter({
  ...descriptor,
  create(ctx) {
    const src = ctx.args.src ?? '';
    if (BRIDGED.test(src)) {
      const scheme = src.slice(0, src.indexOf(':')).toLowerCase();
      throw new GraphError(
        'NO_SOURCE_HANDLER',
        `${scheme}:// is not read directly; bridge it to UDP with ffmpeg: ffmpeg -i "${src}" -c copy -f mpegts udp://127.0.0.1:1234 and read that: graphpac -i udp://127.0.0.1:1234 …`,
        { url: src },
      );
    }
    const addr: SockAddress = parseSockUrl(src, ctx.args.port || 1234);
    const label = src;
    let udp: UdpSocket | undefined;
    let server: Server | undefined;
    let client: Socket | undefined;
    let rtp: boolean | undefined;
    let started = false;
    let connectErr: string | undefined;
    const live = new LiveInput(ctx, {
      blockSize: Math.max(2000, ctx.args.block_size),
      maxBytes: Math.max(1 << 16, ctx.args.maxbuf),
      timeout: ctx.args.timeout,
      label,
      ext: ctx.args.ext,
      mime: ctx.args.mime,
      tsprobe: ctx.args.tsprobe && (!ctx.args.ext || /^(ts|m2t|mts|trp|dmb)$/i.test(ctx.args.ext)),
      ...(addr.proto === 'tcp' ? { pause: (p: boolean) => (p ? client?.pause() : client?.resume()) } : {}),
      neverMessage: () =>
        addr.proto === 'udp'
          ? `${label}: no data received in ${ctx.args.timeout} ms (is the encoder sending to ${addr.multicast ? `the group ${addr.host}` : `port ${addr.port}`}? option timeout)`
          : ctx.args.listen
            ? `${label}: no sender connected and sent data in ${ctx.args.timeout} ms (option timeout)`
            : `${label}: ${connectErr ? `could not connect (${connectErr})` : 'no data received'} in ${ctx.args.timeout} ms (option timeout)`,
    });

    function fail(what: string, e: unknown): void {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${addr.port} is already in use`
          : err.code === 'EADDRNOTAVAIL'
            ? `${addr.host} is not an address of this machine (use 0.0.0.0, 127.0.0.1 or a multicast group)`
            : err.code === 'EACCES'
              ? `permission denied for port ${addr.port}`
              : (err.message ?? String(e));
      live.close(
        new GraphError('READ_ERROR', `sockin: cannot ${what} ${label}: ${why}`, {
          url: label,
          code: err.code,
        }),
      );
    }

    function onData(buf: Buffer): void {
      if (addr.proto === 'udp' && ctx.args.tsprobe) {
        // TS over RTP (payload type 33) is recognised on the first datagram.
        rtp ??= buf[0] !== 0x47 && (buf[1]! & 0x7f) === 33;
        if (rtp) {
          const payload = stripRtp(buf);
          if (payload) live.push(payload);
          return;
        }
      }
      live.push(buf);
    }

    function openUdp(): void {
      const sock = createSocket({ type: addr.host.includes(':') ? 'udp6' : 'udp4', reuseAddr: true });
      udp = sock;
      sock.on('message', onData);
      sock.on('error', (e) => fail('receive on', e));
      const bindHost = addr.multicast ? undefined : addr.host;
      sock.bind({ port: addr.port, address: bindHost, exclusive: false }, () => {
        try {
          // A large kernel buffer rides out bursts (an encoder catching up after a stall).
          sock.setRecvBufferSize(Math.max(ctx.args.block_size, 4 << 20));
        } catch {
          ctx.log.debug('could not enlarge the socket receive buffer');
        }
        if (addr.multicast) {
          try {
            sock.addMembership(addr.host, ctx.args.ifce);
          } catch (e) {
            fail(`join the multicast group${ctx.args.ifce ? ` on ${ctx.args.ifce}` : ''} of`, e);
            return;
          }
        }
        ctx.log.info(`listening on ${label}${addr.multicast ? ' (multicast)' : ''}`);
      });
    }

    function attach(sock: Socket): void {
      client = sock;
      sock.setNoDelay(true);
      sock.on('data', onData);
      sock.on('error', (e) => {
        if (ctx.args.listen) ctx.log.warn(`${label}: sender connection error: ${e.message}`);
        else fail('read from', e);
      });
      sock.on('close', () => {
        if (client !== sock) return;
        client = undefined;
        if (ctx.args.listen && ctx.args.ka)
          ctx.log.info(`${label}: the sender left; waiting for the next one`);
        else live.close();
      });
    }

    function openTcpServer(): void {
      server = createServer((sock) => {
        if (client) {
          ctx.log.warn(`${label}: a second sender (${sock.remoteAddress}) was refused: one at a time`);
          sock.destroy();
          return;
        }
        ctx.log.info(`${label}: sender connected from ${sock.remoteAddress}:${sock.remotePort}`);
        attach(sock);
      });
      server.on('error', (e) => fail('listen on', e));
      server.listen(addr.port, addr.host, () => ctx.log.info(`waiting for a sender on ${label}`));
    }

    function openTcpClient(): void {
      const sock = connect({ host: addr.host, port: addr.port });
      sock.once('connect', () => {
        connectErr = undefined;
        ctx.log.info(`connected to ${label}`);
        attach(sock);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        if (client === sock) return;
        // Not connected yet: the encoder may not be up; try again until the timeout.
        connectErr = e.code === 'ECONNREFUSED' ? 'connection refused' : e.message;
        sock.destroy();
        if (!live.isClosed) setTimeout(openTcpClient, 500).unref();
      });
    }

    return {
      process() {
        if (!started) {
          started = true;
          if (addr.proto === 'udp') openUdp();
          else if (ctx.args.listen) openTcpServer();
          else openTcpClient();
        }
        const r = live.step();
        ctx.reportStatus(live.status());
        return r;
      },
      processEvent(event) {
        // A stream cannot seek; a demuxer asking to go on from where it is gets exactly that.
        return live.processEvent(
          event,
          (start) =>
            new GraphError(
              'READ_ERROR',
              `sockin: cannot seek back in ${label} (a live stream) to byte ${start}`,
            ),
        );
      },
      finalize() {
        live.close();
        udp?.close();
        client?.destroy();
        server?.close();
        if (live.droppedBytes)
          ctx.log.warn(
            `${label}: ${live.droppedBytes} bytes (${live.droppedChunks} datagrams) dropped while the graph did not keep up`,
          );
      },
    };
  },
});
