/**
 * The typed protocol between filters (src/protocol.ts): events built with makeEvent and checked with
 * isEvent, well-known packet properties read with packetProp; and a round trip through a real dasher:
 * a sink plugin written only against the public API reads the dasher's typed properties and answers
 * its typed write-ack events, in two sessions at once in one process (ack ids are per dasher).
 */
import test from 'ava';
import { extname, join } from 'node:path';
import { arg, createSession, defineFilter, isEvent, makeEvent, packetProp } from '../../src/index.js';
import type { FilterEvent, InputPid, Packet, PacketProps, PlaylistPacketProps } from '../../src/index.js';
import { mediaDir } from './helpers/cli.js';

test('events: makeEvent builds what isEvent accepts; malformed fields are refused', (t) => {
  const ack: FilterEvent = makeEvent('write-ack', { ackId: 7 });
  t.true(isEvent(ack, 'write-ack'));
  t.false(isEvent(ack, 'file-delete'));
  if (isEvent(ack, 'write-ack')) t.is(ack.ackId + 1, 8); // typed: a number, no Number(...)
  t.true(isEvent(makeEvent('source-seek', { start: 0 }), 'source-seek'));
  t.true(isEvent(makeEvent('stop', {}), 'stop'));
  t.true(isEvent(makeEvent('file-delete', { url: 'a/b.m4s' }), 'file-delete'));
  const caps = makeEvent('output-caps', { blockingReload: true, canSkipUntil: 0, utcs: 'http://h/time' });
  t.true(isEvent(caps, 'output-caps'));
  t.true(isEvent(makeEvent('output-caps', {}), 'output-caps'));
  // What a plugin might send by mistake: refused, never coerced.
  t.false(isEvent({ type: 'write-ack', ackId: '7' }, 'write-ack'));
  t.false(isEvent({ type: 'write-ack', ackId: 1.5 }, 'write-ack'));
  t.false(isEvent({ type: 'write-ack' }, 'write-ack'));
  t.false(isEvent({ type: 'source-seek', start: -1 }, 'source-seek'));
  t.false(isEvent({ type: 'source-seek', start: Number.NaN }, 'source-seek'));
  t.false(isEvent({ type: 'file-delete', url: 3 }, 'file-delete'));
  t.false(isEvent({ type: 'output-caps', canSkipUntil: '6' }, 'output-caps'));
  t.false(isEvent({ type: 'output-caps', blockingReload: 1 }, 'output-caps'));
});

test('packet properties: packetProp returns the typed value, undefined when absent or mistyped', (t) => {
  const sent: PlaylistPacketProps = {
    HLSVariant: true,
    HLSLastMsn: 12,
    HLSLastPart: -1,
    HLSTargetDuration: 2,
    HLSSkipYES: '#EXTM3U\n',
    DASHUpcoming: ['seg13.m4s', 'seg14.m4s'],
  };
  const props: PacketProps = sent; // the well-known props are ordinary packet properties
  t.is(packetProp(props, 'HLSLastMsn'), 12);
  t.is(packetProp(props, 'HLSLastPart'), -1);
  t.is(packetProp(props, 'HLSVariant'), true);
  t.is(packetProp(props, 'HLSTargetDuration'), 2);
  t.deepEqual(packetProp(props, 'DASHUpcoming'), ['seg13.m4s', 'seg14.m4s']);
  t.is(packetProp(props, 'HLSEnded'), undefined);
  t.is(packetProp(undefined, 'AckId'), undefined);
  const wrong: PacketProps = {
    AckId: '7',
    FileName: 4,
    EndOfFile: 'yes',
    LLHASFragNum: 1.5,
    HLSLastMsn: Number.NaN,
    HLSTargetDuration: Infinity,
    DASHUpcoming: 'a\nb',
  };
  for (const k of Object.keys(wrong) as (keyof typeof wrong & 'AckId')[])
    t.is(packetProp(wrong, k), undefined, k);
});

interface Seen {
  /** AckIds of the packets received, in order. */
  ackIds: number[];
  /** Variant playlists' typed origin metadata. */
  variants: { name: string; lastMsn?: number; lastPart?: number; ended?: boolean }[];
  files: Set<string>;
}

/**
 * A sink plugin on the public API alone, for `<scheme>:PATH` outputs: as fout, it takes files with the
 * extension of dst (not the source file itself), hands each packet to `onPacket` and acknowledges every AckId.
 */
function recordingSink(scheme: string, onPacket: (pid: InputPid, p: Packet) => void) {
  return defineFilter({
    name: `${scheme}sink`,
    description: 'acknowledges writes, records the protocol',
    args: { dst: arg.string(undefined, `${scheme}:PATH`) },
    caps: [{ name: 'files', in: { StreamType: 'File' } }],
    instanceCaps: (args) => [
      { name: 'files', in: { StreamType: 'File', Extension: extname(args.dst ?? '').slice(1) } },
    ],
    probeUrl: (url) => (url.startsWith(`${scheme}:`) ? 'supported' : 'no'),
    maxInputs: 1,
    create(ctx) {
      return {
        process() {
          let moved = false;
          for (const pid of ctx.inputs)
            for (let p = pid.take(); p; p = pid.take()) {
              moved = true;
              onPacket(pid, p);
              const ackId = packetProp(p.props, 'AckId');
              if (ackId !== undefined) pid.sendEvent(makeEvent('write-ack', { ackId }));
            }
          if (ctx.inputs.length && ctx.inputs.every((i) => i.eos)) return 'eos';
          return moved ? 'ok' : 'not-ready';
        },
      };
    },
  });
}

/** Records the AckIds, the files and the variant playlists' typed origin metadata. */
function ackSink(seen: Seen) {
  return recordingSink('ack', (_pid, p) => {
    const name = packetProp(p.props, 'FileName');
    if (name !== undefined) seen.files.add(name);
    if (packetProp(p.props, 'HLSVariant'))
      seen.variants.push({
        name: name ?? '',
        lastMsn: packetProp(p.props, 'HLSLastMsn'),
        lastPart: packetProp(p.props, 'HLSLastPart'),
        ended: packetProp(p.props, 'HLSEnded'),
      });
    const ackId = packetProp(p.props, 'AckId');
    if (ackId !== undefined) seen.ackIds.push(ackId);
  });
}

test('round trip through the dasher: typed AckIds answered by typed write-acks, ids per dasher instance', async (t) => {
  const runs = [0, 1].map(() => ({ ackIds: [], variants: [], files: new Set() }) as Seen);
  const media = mediaDir;
  await Promise.all(
    runs.map((seen) =>
      createSession({ logs: 'all@quiet', plugins: [ackSink(seen)] })
        .load(
          `-i ${join(media, 'source1')} -i ${join(media, 'source2')} -o ack:res/live.m3u8:segdur=2:cdur=0.5:dmode=dynamic:llhls=br`,
        )
        .run(),
    ),
  );
  for (const seen of runs) {
    // Every write asked for was acknowledged (the dasher ends only once all are), one id each,
    // counted by this dasher alone: the two sessions ran at the same time and both count 1, 2, 3…
    t.true(seen.ackIds.length > 100, `${seen.ackIds.length} acknowledged packets`);
    t.deepEqual(
      [...seen.ackIds].sort((a, b) => a - b),
      seen.ackIds.map((_, i) => i + 1),
    );
    t.true(seen.files.has('live_1.m3u8') && seen.files.has('live_2.m3u8'));
    // The variant playlists' metadata, read typed: the last version lists the last part and ends.
    const last = seen.variants.filter((v) => v.name === 'live_1.m3u8').at(-1);
    t.truthy(last);
    t.is(typeof last?.lastMsn, 'number');
    t.true((last?.lastMsn ?? -1) >= 10);
    t.true((last?.lastPart ?? -1) >= 0);
    t.is(last?.ended, true);
  }
  t.deepEqual(runs[0]!.ackIds.length, runs[1]!.ackIds.length);
});

/** Packets per media file (FileName starts a file), and the properties of each file's last packet. */
function packetSink(files: Map<string, { packets: number; bytes: number; last: PacketProps }>) {
  const current = new Map<number, string>();
  return recordingSink('pkt', (pid, p) => {
    const name = packetProp(p.props, 'FileName');
    if (name !== undefined) current.set(pid.id, name);
    const file = current.get(pid.id);
    if (!file?.endsWith('.m4s')) return;
    const f = files.get(file) ?? { packets: 0, bytes: 0, last: {} };
    f.packets++;
    f.bytes += p.data.length;
    f.last = p.props ?? {};
    files.set(file, f);
  });
}

test('a static job sends each segment as one packet (one write); a live one each chunk as it closes', async (t) => {
  const run = async (dmode: string) => {
    const files = new Map<string, { packets: number; bytes: number; last: PacketProps }>();
    await createSession({ logs: 'all@quiet', plugins: [packetSink(files)] })
      .load(
        `-i ${join(mediaDir, 'source1')} -i ${join(mediaDir, 'source2')} -o pkt:res/live.mpd:dual:segdur=2:cdur=0.5:dmode=${dmode}:llhls=br`,
      )
      .run();
    return files;
  };
  const [still, live] = [await run('static'), await run('dynamic')];
  t.true(still.size >= 30, `${still.size} segments`);
  for (const [name, f] of still) {
    t.is(f.packets, 1, name);
    t.is(packetProp(f.last, 'EndOfFile'), true, name);
    t.is(typeof packetProp(f.last, 'AckId'), 'number', name);
  }
  // Live: the chunks of a full segment (2 s of 0.5 s chunks) leave one by one, as they close.
  const video = [...live].filter(([name]) => /^source1_dash\d+\.m4s$/.test(name)).slice(0, -1);
  t.true(video.length >= 10);
  for (const [name, f] of video) t.is(f.packets, 4, name);
  // The same files, of the same sizes, either way.
  const sizes = (m: typeof still) => [...m].map(([n, f]) => `${n} ${f.bytes}`).sort();
  t.deepEqual(sizes(still), sizes(live));
});
