/**
 * H.264 / H.265 access units from PES payloads (Annex-B): NAL units split, access unit delimiters,
 * filler data and parameter sets taken out of the samples (the parameter sets go to the decoder
 * configuration record, avcC / hvcC, rebuilt when they change), the rest length-prefixed (4 bytes), and
 * the stream access point type read from the NAL unit types (H.264: IDR = 1, an I picture with a
 * recovery point SEI of 0 frames = 3; H.265: IDR = 1, CRA / BLA = 3).
 *
 * One PES packet with a PTS starts an access unit; a PES packet without one continues it (encoders that
 * split large pictures). An access unit's duration is the distance to the next one's decode time, so it
 * is returned when the next PES starts (`next`), or at the end of the stream (`flush`).
 */
import { splitAnnexB, toLengthPrefixed } from '../codecs/annexb.js';
import { unescapeRbsp } from '../codecs/bit-reader.js';
import { AVC_NAL, avcRecoveryFrameCount, buildAvcC, parseAvcSps } from '../codecs/avc.js';
import { buildHvcC, HEVC_NAL, hevcNalType, parseHevcSps } from '../codecs/hevc.js';

export type NalCodec = 'avc' | 'hevc';

export interface AccessUnit {
  data: Uint8Array;
  /** Output timeline, stream timescale. */
  pts: number;
  dts: number;
  duration: number;
  sap: 0 | 1 | 2 | 3 | 4;
}

export interface VideoConfig {
  /** avcC or hvcC record. */
  record: Uint8Array;
  width: number;
  height: number;
  sar?: { num: number; den: number };
}

interface Building {
  nals: Uint8Array[];
  pts: number;
  dts: number;
  sap: 0 | 1 | 2 | 3 | 4;
}

/** The duration of a lone access unit (90 kHz): one frame at 25 Hz. */
export const DEFAULT_DURATION = 90_000 / 25;

export class NalFramer {
  /** Parameter sets by id (the NAL unit bytes): insertion order kept. */
  private readonly vps = new Map<number, Uint8Array>();
  private readonly sps = new Map<number, Uint8Array>();
  private readonly pps = new Map<number, Uint8Array>();
  private paramsChanged = false;
  private current: Building | undefined;
  private lastDuration = 0;
  /** The decoder configuration in force (undefined until SPS and PPS were seen). */
  config: VideoConfig | undefined;
  /** Access units dropped: no timestamp to start one. */
  orphans = 0;

  constructor(readonly codec: NalCodec) {}

  /** A PES packet's payload; `ts` (output timeline) when its header had a PTS. Returns a completed AU, if one. */
  add(data: Uint8Array, ts: { pts: number; dts: number } | undefined): AccessUnit | undefined {
    let done: AccessUnit | undefined;
    if (ts) {
      done = this.next(ts.dts);
      this.current = { nals: [], pts: ts.pts, dts: ts.dts, sap: 0 };
    } else if (!this.current) {
      this.orphans++;
      return undefined;
    }
    const cur = this.current!;
    for (const nal of splitAnnexB(data)) this.take(cur, nal);
    return done;
  }

  /**
   * The next access unit starts at decode time `dts`: the one in progress is complete. Returns it with
   * its duration (the previous duration when `dts` does not move forward, e.g. across a discontinuity).
   */
  next(dts: number): AccessUnit | undefined {
    const cur = this.current;
    if (!cur) return undefined;
    const d = dts - cur.dts;
    const duration = d > 0 && (!this.lastDuration || d <= 4 * this.lastDuration) ? d : this.lastDuration || d;
    this.current = undefined;
    return this.finish(cur, Math.max(0, duration));
  }

  /**
   * End of stream: the access unit in progress, with the previous duration; a stream of a single access
   * unit has none, and gets one frame at 25 Hz (GPAC's rfnalu default when the bitstream gives no rate).
   */
  flush(): AccessUnit | undefined {
    const cur = this.current;
    this.current = undefined;
    return cur ? this.finish(cur, this.lastDuration || DEFAULT_DURATION) : undefined;
  }

  private finish(cur: Building, duration: number): AccessUnit | undefined {
    if (this.paramsChanged) this.rebuildConfig();
    if (duration > 0) this.lastDuration = duration;
    if (!cur.nals.length) return undefined;
    return { data: toLengthPrefixed(cur.nals), pts: cur.pts, dts: cur.dts, duration, sap: cur.sap };
  }

  private take(cur: Building, nal: Uint8Array): void {
    if (this.codec === 'avc') {
      const type = nal[0]! & 0x1f;
      switch (type) {
        case AVC_NAL.AUD:
        case AVC_NAL.FILLER:
          return;
        case AVC_NAL.SPS:
          return this.param(this.sps, avcSpsId(nal), nal);
        case AVC_NAL.PPS:
          return this.param(this.pps, avcPpsId(nal), nal);
        case AVC_NAL.IDR:
          cur.sap = 1;
          break;
        case AVC_NAL.SEI:
          if (!cur.sap) {
            const roll = avcRecoveryFrameCount(nal);
            if (roll !== undefined) cur.sap = roll === 0 ? 3 : 4;
          }
          break;
      }
    } else {
      const type = hevcNalType(nal);
      switch (type) {
        case HEVC_NAL.AUD:
        case HEVC_NAL.FD:
          return;
        case HEVC_NAL.VPS:
          return this.param(this.vps, (nal[2] ?? 0) >> 4, nal);
        case HEVC_NAL.SPS:
          return this.param(this.sps, hevcSpsId(nal), nal);
        case HEVC_NAL.PPS:
          return this.param(this.pps, hevcPpsId(nal), nal);
        default:
          if (type === HEVC_NAL.IDR_W_RADL || type === HEVC_NAL.IDR_N_LP) cur.sap = 1;
          else if (type >= HEVC_NAL.BLA_W_LP && type <= HEVC_NAL.CRA && !cur.sap) cur.sap = 3;
      }
    }
    cur.nals.push(nal);
  }

  private param(map: Map<number, Uint8Array>, id: number, nal: Uint8Array): void {
    const had = map.get(id);
    if (had && sameBytes(had, nal)) return;
    map.set(id, nal.slice());
    this.paramsChanged = true;
  }

  private rebuildConfig(): void {
    this.paramsChanged = false;
    const sps = [...this.sps.values()];
    const pps = [...this.pps.values()];
    if (!sps.length || !pps.length) return;
    try {
      if (this.codec === 'avc') {
        const info = parseAvcSps(sps[0]!);
        this.config = { record: buildAvcC(sps, pps), width: info.width, height: info.height, sar: info.sar };
      } else {
        const vps = [...this.vps.values()];
        if (!vps.length) return;
        const info = parseHevcSps(sps[0]!);
        this.config = { record: buildHvcC(vps, sps, pps), width: info.width, height: info.height };
      }
    } catch {
      // A corrupt parameter set: keep the configuration in force until a good one comes.
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ue(v) at the start of `bytes` (after the NAL header), emulation prevention ignored (ids come first). */
function firstUe(bytes: Uint8Array, bitOffset: number): number {
  let pos = bitOffset;
  const bit = () => {
    const b = bytes[pos >> 3];
    const v = b === undefined ? 1 : (b >> (7 - (pos & 7))) & 1;
    pos++;
    return v;
  };
  let zeros = 0;
  while (bit() === 0 && zeros < 31) zeros++;
  let v = 0;
  for (let i = 0; i < zeros; i++) v = v * 2 + bit();
  return 2 ** zeros - 1 + v;
}

function avcSpsId(nal: Uint8Array): number {
  return firstUe(nal, 32); // after nal header, profile_idc, constraint flags, level_idc
}

function avcPpsId(nal: Uint8Array): number {
  return firstUe(nal, 8);
}

function hevcSpsId(nal: Uint8Array): number {
  try {
    return parseHevcSpsId(nal);
  } catch {
    return 0;
  }
}

function parseHevcSpsId(nal: Uint8Array): number {
  // sps_seq_parameter_set_id follows the profile_tier_level: parse the SPS (rare: once per IDR).
  const rbsp = unescapeRbsp(nal);
  const maxSub = ((rbsp[2] ?? 0) >> 1) & 7;
  if (maxSub === 0) return firstUe(rbsp, 16 + 8 + 96);
  return 0;
}

function hevcPpsId(nal: Uint8Array): number {
  return firstUe(nal, 16);
}
