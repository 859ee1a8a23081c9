/**
 * flist (GPAC's src/filters/filelist.c): plays a list of sources one after the other — `srcs` or a
 * playlist file — on one continuous timeline, looping with floop. Each item's sources are opened with
 * ctx.connectSource() (fin → mp4dmx, as -i would) and dropped once played, so an endless loop keeps a
 * constant graph.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { defineFilter, GraphError } from '../../src/index.js';
import descriptor from './descriptor.js';
import type { InputPid, OutputPid, Packet, PidProps, SourceHandle } from '../../src/index.js';
import type { Item } from './list.js';
import { checkExists, itemsFromSrcs, localPath, parsePlaylist } from './list.js';
import { rescale, Time } from './timeline.js';

const PID_PREFIX: Record<string, string> = { Visual: 'video', Audio: 'audio', Text: 'text' };

/** One output PID and the input feeding it in the current item. */
interface Track {
  out: OutputPid;
  streamType: string;
  /** Output timescale: the first input's (or option timescale). */
  oTs: number;
  /** Delay (edit list) of the first source: kept for the whole run, as GPAC. */
  initialDelay: number | undefined;
  /** End (decode time + duration) of what was sent, output timescale. */
  ownEnd: number;
  /** Current item: its input, timescale, offsets. */
  input: InputPid | undefined;
  inTs: number;
  /** Where this item starts on the output (output timescale). */
  start: number;
  /** The item's common first timestamp, in the input's timescale. */
  sub: number;
  /** Largest (decode time − sub + duration) of this item, input timescale. */
  maxRel: number;
  done: boolean;
}

export default defineFilter({
  ...descriptor,
  create(ctx) {
    const a = ctx.args;
    if (a.raw !== 'no')
      throw new GraphError(
        'BAD_OPTION_VALUE',
        `flist: raw=${a.raw} needs decoders, which graphpac does not have`,
        {
          option: 'raw',
        },
      );
    if (a.fsort === 'datex')
      throw new GraphError(
        'BAD_OPTION_VALUE',
        'flist: fsort=datex (image sequences timed by file dates) is not supported',
        {
          option: 'fsort',
        },
      );
    for (const [name, on] of [
      ['ka', a.ka > 0],
      ['sigcues', a.sigcues],
    ] as const)
      if (on) ctx.log.warn(`option ${name} is not supported by graphpac's flist: ignored`);

    let floop = a.floop;
    /** Source list mode: the items, and where we are. */
    const list: Item[] | undefined = a.srcs.length
      ? itemsFromSrcs(a.srcs, a.fsort, a.fdel && floop === 0)
      : undefined;
    let index = a.revert && list ? list.length : -1;
    /** Playlist mode: the File PID of the playlist and its path once read. */
    let playlistPid: InputPid | undefined;
    let playlistPath: string | undefined;
    let playlistFloop: number | undefined;
    let last: Item | undefined;
    const warned = new Set<string>();

    const tracks: Track[] = [];
    const typeCount = new Map<string, number>();
    let current: Item | undefined;
    let repeatsLeft = 0;
    let handles: SourceHandle[] = [];
    let state: 'playlist' | 'next' | 'opening' | 'syncing' | 'playing' | 'ended' = list ? 'next' : 'playlist';
    /** Where the next item starts (seconds, exact). */
    let offset = new Time();
    /** Items started since the last one that had any packet (an endless loop of empty items is an error). */
    let emptyRun = 0;

    function readPlaylist(): Item[] {
      const text = readFileSync(playlistPath!, 'utf8');
      const pl = parsePlaylist(text, playlistPath!, a.fdel && floop === 0);
      for (const w of pl.warnings)
        if (!warned.has(w)) {
          warned.add(w);
          ctx.log.warn(w);
        }
      if (pl.raw !== undefined && pl.raw !== 'no')
        throw new GraphError(
          'BAD_OPTION_VALUE',
          `flist: #raw=${pl.raw} in ${playlistPath} needs decoders`,
          {},
        );
      // #floop applies when read first, or when its value is edited (not at every re-read).
      if (pl.floop !== undefined && pl.floop !== playlistFloop) floop = pl.floop;
      playlistFloop = pl.floop;
      return pl.items;
    }

    /** The next item, or undefined at the end of the list (after the loops). */
    function nextItem(): Item | undefined {
      if (list) {
        if (a.revert) {
          if (index <= 0) {
            if (floop === 0) return undefined;
            if (floop > 0) floop--;
            index = list.length;
          }
          index--;
        } else {
          index++;
          if (index >= list.length) {
            if (floop === 0) return undefined;
            if (floop > 0) floop--;
            index = 0;
          }
        }
        return list[index];
      }
      // Playlist: re-read; continue after the item played last (the first one if it is gone).
      const items = readPlaylist();
      if (!items.length)
        throw new GraphError('CORRUPT_INPUT', `flist: playlist ${playlistPath} lists no source`, {});
      if (!last) return items[0];
      const at = items.findIndex((i) => i.text === last!.text && i.lineno === last!.lineno);
      if (at >= 0 && at + 1 < items.length) return items[at + 1];
      if (at < 0) return items[0];
      if (floop === 0) return undefined;
      if (floop > 0) floop--;
      return items[0];
    }

    function open(it: Item): void {
      for (const s of it.sources) checkExists(s.url, playlistPath ? ` (in ${playlistPath})` : '');
      ctx.log.debug(`switching to ${it.text}`);
      handles = it.sources.map((s) => ctx.connectSource(s.url, s.options));
      state = 'opening';
    }

    /** Map the item's inputs to outputs of the same stream type (sources in order), end the others. */
    function mapInputs(): void {
      const used = new Set<Track>();
      for (const h of handles)
        for (const input of h.inputs) {
          const type = String(input.props.StreamType ?? 'Unknown');
          let tr = tracks.find((t) => !used.has(t) && !t.out.isEos && t.streamType === type);
          const inTs = input.props.Timescale || 1000;
          if (!tr) {
            if (tracks.some((t) => t.streamType === type))
              ctx.log.warn(`a ${type} stream reappears after an item without one: it gets a new output PID`);
            const n = (typeCount.get(type) ?? 0) + 1;
            typeCount.set(type, n);
            const oTs = a.timescale || inTs;
            tr = {
              out: ctx.createPid(
                outProps(input, oTs, input.props.Delay),
                `${PID_PREFIX[type] ?? 'track'}${n}`,
              ),
              streamType: type,
              oTs,
              initialDelay: input.props.Delay,
              ownEnd: 0,
              input: undefined,
              inTs,
              start: 0,
              sub: 0,
              maxRel: 0,
              done: false,
            };
            tracks.push(tr);
          } else tr.out.setProps(outProps(input, tr.oTs, tr.initialDelay), true);
          used.add(tr);
          tr.input = input;
          tr.inTs = inTs;
          tr.maxRel = 0;
          tr.done = false;
        }
      for (const t of tracks)
        if (!used.has(t)) {
          t.input = undefined;
          t.out.setEos();
        }
    }

    function outProps(input: InputPid, oTs: number, delay: number | undefined): PidProps {
      const p: PidProps = { ...input.props, Timescale: oTs };
      // The list's length is unknown (or endless): no per-source duration or sample count.
      delete p.Duration;
      delete p.NbFrames;
      if (delay === undefined) delete p.Delay;
      else p.Delay = delay;
      return p;
    }

    /** All inputs have a first packet (or ended): place the item on the timeline. */
    function sync(): boolean {
      const live = tracks.filter((t) => t.input);
      let sub: Time | undefined;
      for (const t of live) {
        const p = t.input!.peek();
        if (!p) {
          if (t.input!.eos) continue;
          return false;
        }
        const first = Time.of(p.dts ?? p.cts ?? 0, t.inTs);
        if (!sub || first.less(sub)) sub = first;
      }
      for (const t of live) {
        t.sub = sub ? sub.roundIn(t.inTs) : 0;
        // Never before what this stream already sent (rounding); nosync: each continues from its own end.
        t.start = current?.nosync ? t.ownEnd : Math.max(t.ownEnd, offset.floorIn(t.oTs));
      }
      return true;
    }

    function forward(t: Track): boolean {
      const input = t.input!;
      let moved = false;
      const stopAt = current?.stop !== undefined ? Math.round(current.stop * t.inTs) : undefined;
      while (!t.out.wouldBlock) {
        const p = input.take();
        if (!p) {
          if (input.eos) t.done = true;
          break;
        }
        moved = true;
        const dts = (p.dts ?? p.cts ?? 0) - t.sub;
        const cts = (p.cts ?? p.dts ?? 0) - t.sub;
        let dur = p.duration ?? 0;
        if (input.props.NbFrames === 1 && a.fdur.num > 0 && a.fdur.den > 0)
          dur = Math.round((a.fdur.num * t.inTs) / a.fdur.den);
        if (stopAt !== undefined && dts >= stopAt) {
          t.done = true;
          break;
        }
        const odts = t.start + rescale(dts, t.inTs, t.oTs);
        const odur = rescale(dur, t.inTs, t.oTs);
        const out: Packet = {
          data: p.data,
          dts: odts,
          cts: t.start + rescale(cts, t.inTs, t.oTs),
          duration: odur,
          sap: p.sap,
          start: p.start,
          end: p.end,
          ...(p.props ? { props: p.props } : {}),
        };
        t.out.send(out);
        t.maxRel = Math.max(t.maxRel, dts + dur);
        t.ownEnd = Math.max(t.ownEnd, odts + odur);
      }
      return moved;
    }

    /** The item has played: move the timeline, drop its sources. */
    function endItem(): void {
      let longest = new Time();
      let any = false;
      for (const t of tracks)
        if (t.input) {
          const len = Time.of(t.maxRel, t.inTs);
          if (t.maxRel > 0) any = true;
          if (longest.less(len)) longest = len;
        }
      offset = offset.add(longest);
      emptyRun = any ? 0 : emptyRun + 1;
      for (const h of handles) h.remove();
      handles = [];
      if (current?.del && floop === 0)
        for (const s of current.sources) {
          const p = localPath(s.url);
          try {
            if (p) unlinkSync(p);
          } catch (e) {
            ctx.log.warn(`could not delete ${p}: ${(e as Error).message}`);
          }
        }
      for (const t of tracks) t.input = undefined;
      state = 'next';
    }

    function endAll(): 'eos' {
      for (const h of handles) h.remove();
      handles = [];
      for (const t of tracks) t.out.setEos();
      state = 'ended';
      return 'eos';
    }

    return {
      configurePid(pid, status) {
        if (status === 'remove') {
          if (pid === playlistPid) playlistPid = undefined;
          return;
        }
        if (status !== 'new') return;
        if (pid.props.StreamType === 'File') {
          if (playlistPid || list)
            throw new GraphError(
              'LINK_FAILED',
              `flist: takes one playlist (${String(pid.props.URL ?? pid.name)} is one too many)`,
            );
          playlistPid = pid;
          return;
        }
        // Media: only from the sources it opened.
        if (!handles.some((h) => h.inputs.includes(pid)))
          throw new GraphError(
            'LINK_FAILED',
            `flist: PID "${pid.name}" of ${pid.producer} is not from one of its sources (flist plays srcs or a playlist)`,
          );
      },

      process() {
        let moved = false;
        for (let guard = 0; guard < 4; guard++) {
          if (state === 'playlist') {
            // Playlist mode: wait for the whole file, then read it from disk (as GPAC reads FilePath).
            if (!playlistPid) return 'eos';
            let whole = playlistPid.eos;
            for (let p = playlistPid.take(); p; p = playlistPid.take()) if (p.end) whole = true;
            if (!whole && !playlistPid.eos) return 'not-ready';
            const path = playlistPid.props.SourcePath ?? playlistPid.props.URL;
            if (typeof path !== 'string')
              throw new GraphError('READ_ERROR', 'flist: the playlist PID has no file path', {});
            playlistPath = path;
            state = 'next';
          }
          if (state === 'ended') {
            if (playlistPid) while (playlistPid.take());
            return 'eos';
          }
          if (state === 'next') {
            if (current && repeatsLeft > 0) repeatsLeft--;
            else {
              const it = nextItem();
              if (!it) return endAll();
              current = it;
              last = it;
              repeatsLeft = it.repeat;
            }
            if (emptyRun > (list?.length ?? 1) + 1)
              throw new GraphError(
                'CORRUPT_INPUT',
                'flist: the sources have no media (nothing to loop over)',
                {},
              );
            open(current);
            moved = true;
          }
          if (state === 'opening') {
            if (handles.some((h) => h.pending)) return moved ? 'ok' : 'not-ready';
            mapInputs();
            state = 'syncing';
          }
          if (state === 'syncing') {
            if (!sync()) return moved ? 'ok' : 'not-ready';
            state = 'playing';
          }
          if (state === 'playing') {
            for (const t of tracks) if (t.input && !t.done && forward(t)) moved = true;
            if (tracks.some((t) => t.input && !t.done)) return moved ? 'ok' : 'not-ready';
            endItem();
            moved = true;
          }
        }
        return 'ok';
      },
    };
  },
});
