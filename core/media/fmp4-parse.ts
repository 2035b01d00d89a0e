/**
 * Reads what the cutter needs from ffmpeg's fragmented MP4: from the init segment's moov, each track's
 * timescale, type, size, codec string and fragment defaults (trex); from each moof, per track, where
 * the fragment sits in time and whether it begins with a sync sample (so a chunk may start there).
 */
import { PeerStreamerError } from '../util/errors.js';
import { codecString } from './codec-string.js';
import {
  childBoxes,
  findChild,
  findPath,
  fullBoxHeader,
  readUint64,
  type Box,
  type ChildBox,
} from './mp4-boxes.js';

export interface TrackInfo {
  id: number;
  /** 'vide', 'soun', or another handler type we carry but do not time by. */
  handler: string;
  timescale: number;
  width: number | null;
  height: number | null;
  /** Sample entry four-cc, e.g. avc1, mp4a, Opus. */
  sampleEntry: string;
  /** RFC 6381 codec string, e.g. avc1.64001f. */
  codec: string;
  defaultSampleDuration: number;
  defaultSampleFlags: number;
}

export interface InitInfo {
  tracks: TrackInfo[];
}

export interface TrackFragment {
  trackId: number;
  timescale: number;
  /** tfdt: decode time of the first sample, in track ticks. */
  baseDecodeTime: number;
  sampleCount: number;
  /** Sum of sample durations, in ticks. */
  decodeDuration: number;
  /** Presentation time (decode time + composition offset) of the first sample, in ticks. */
  firstPresentationTime: number;
  /** Latest presentation time + duration over the fragment's samples, in ticks. */
  presentationEnd: number;
  firstSampleIsSync: boolean;
}

export interface FragmentInfo {
  sequence: number;
  tracks: TrackFragment[];
}

// ISO/IEC 14496-12 sample flags: sample_is_non_sync_sample is bit 16.
const SAMPLE_IS_NON_SYNC = 0x00010000;

function bad(what: string): PeerStreamerError {
  return new PeerStreamerError(
    'FFMPEG_FAILED',
    `ffmpeg's fragmented MP4 output is malformed: ${what}; check the ffmpeg build (PEERSTREAMER_FFMPEG).`,
    { what },
  );
}

function payload(box: Box): ChildBox {
  return { type: box.type, start: box.headerSize, end: box.bytes.length };
}

function parseTrak(
  bytes: Buffer,
  trak: ChildBox,
): Omit<TrackInfo, 'defaultSampleDuration' | 'defaultSampleFlags'> {
  const tkhd = findChild(bytes, trak.start, trak.end, 'tkhd');
  const mdhd = findPath(bytes, trak, ['mdia', 'mdhd']);
  const hdlr = findPath(bytes, trak, ['mdia', 'hdlr']);
  const stsd = findPath(bytes, trak, ['mdia', 'minf', 'stbl', 'stsd']);
  if (tkhd === null || mdhd === null || hdlr === null || stsd === null)
    throw bad('a trak lacks tkhd/mdhd/hdlr/stsd');

  const tkhdVersion = fullBoxHeader(bytes, tkhd).version;
  const id = bytes.readUInt32BE(tkhd.start + (tkhdVersion === 1 ? 20 : 12));
  // width/height are 16.16 fixed point after the matrix, at the end of tkhd.
  const rawWidth = bytes.readUInt32BE(tkhd.end - 8) / 65536;
  const rawHeight = bytes.readUInt32BE(tkhd.end - 4) / 65536;

  const mdhdVersion = fullBoxHeader(bytes, mdhd).version;
  const timescale = bytes.readUInt32BE(mdhd.start + (mdhdVersion === 1 ? 20 : 12));
  if (timescale === 0) throw bad(`track ${id} has timescale 0`);
  const handler = bytes.toString('latin1', hdlr.start + 8, hdlr.start + 12);

  // stsd: FullBox header and entry_count, then the sample entries; ffmpeg writes exactly one.
  const entry = childBoxes(bytes, stsd.start + 8, stsd.end).next().value as ChildBox | undefined;
  if (entry === undefined) throw bad(`track ${id} has no sample entry`);
  const visual = handler === 'vide';
  return {
    id,
    handler,
    timescale,
    width: visual ? Math.round(rawWidth) : null,
    height: visual ? Math.round(rawHeight) : null,
    sampleEntry: entry.type,
    codec: codecString(bytes, entry.type, entry, handler),
  };
}

export function parseInitSegment(moov: Box): InitInfo {
  const bytes = moov.bytes;
  const root = payload(moov);
  const defaults = new Map<number, { duration: number; flags: number }>();
  const mvex = findChild(bytes, root.start, root.end, 'mvex');
  if (mvex !== null) {
    for (const trex of childBoxes(bytes, mvex.start, mvex.end)) {
      if (trex.type !== 'trex') continue;
      // FullBox, track_ID, default_sample_description_index, duration, size, flags.
      defaults.set(bytes.readUInt32BE(trex.start + 4), {
        duration: bytes.readUInt32BE(trex.start + 12),
        flags: bytes.readUInt32BE(trex.start + 20),
      });
    }
  }
  const tracks: TrackInfo[] = [];
  for (const child of childBoxes(bytes, root.start, root.end)) {
    if (child.type !== 'trak') continue;
    const track = parseTrak(bytes, child);
    const trackDefaults = defaults.get(track.id);
    tracks.push({
      ...track,
      defaultSampleDuration: trackDefaults?.duration ?? 0,
      defaultSampleFlags: trackDefaults?.flags ?? 0,
    });
  }
  if (tracks.length === 0) throw bad('the moov has no tracks');
  return { tracks };
}

function parseTraf(bytes: Buffer, traf: ChildBox, init: InitInfo): TrackFragment | null {
  const tfhd = findChild(bytes, traf.start, traf.end, 'tfhd');
  if (tfhd === null) throw bad('a traf has no tfhd');
  const tfhdFlags = fullBoxHeader(bytes, tfhd).flags;
  const trackId = bytes.readUInt32BE(tfhd.start + 4);
  const track = init.tracks.find((candidate) => candidate.id === trackId);
  if (track === undefined) throw bad(`a fragment refers to unknown track ${trackId}`);

  let cursor = tfhd.start + 8;
  if (tfhdFlags & 0x01) cursor += 8; // base_data_offset
  if (tfhdFlags & 0x02) cursor += 4; // sample_description_index
  let defaultDuration = track.defaultSampleDuration;
  let defaultFlags = track.defaultSampleFlags;
  if (tfhdFlags & 0x08) {
    defaultDuration = bytes.readUInt32BE(cursor);
    cursor += 4;
  }
  if (tfhdFlags & 0x10) cursor += 4; // default_sample_size
  if (tfhdFlags & 0x20) defaultFlags = bytes.readUInt32BE(cursor);

  const tfdt = findChild(bytes, traf.start, traf.end, 'tfdt');
  if (tfdt === null) throw bad(`track ${trackId}'s fragment has no tfdt`);
  const baseDecodeTime =
    fullBoxHeader(bytes, tfdt).version === 1
      ? readUint64(bytes, tfdt.start + 4)
      : bytes.readUInt32BE(tfdt.start + 4);

  let sampleCount = 0;
  let decodeTime = baseDecodeTime;
  let firstPresentationTime: number | null = null;
  let presentationEnd = baseDecodeTime;
  let firstSampleIsSync = true;
  for (const trun of childBoxes(bytes, traf.start, traf.end)) {
    if (trun.type !== 'trun') continue;
    const { version, flags } = fullBoxHeader(bytes, trun);
    const count = bytes.readUInt32BE(trun.start + 4);
    let at = trun.start + 8;
    if (flags & 0x001) at += 4; // data_offset
    let firstSampleFlags: number | null = null;
    if (flags & 0x004) {
      firstSampleFlags = bytes.readUInt32BE(at);
      at += 4;
    }
    const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4;
    if (at + count * perSample > trun.end)
      throw bad(`track ${trackId}'s trun is shorter than its sample count`);
    for (let i = 0; i < count; i++) {
      let duration = defaultDuration;
      let sampleFlags = i === 0 && firstSampleFlags !== null ? firstSampleFlags : defaultFlags;
      let compositionOffset = 0;
      if (flags & 0x100) {
        duration = bytes.readUInt32BE(at);
        at += 4;
      }
      if (flags & 0x200) at += 4; // sample_size
      if (flags & 0x400) {
        const explicit = bytes.readUInt32BE(at);
        if (!(i === 0 && firstSampleFlags !== null)) sampleFlags = explicit;
        at += 4;
      }
      if (flags & 0x800) {
        // Version 1 truns carry signed offsets (negative_cts_offsets); version 0 unsigned.
        compositionOffset = version === 1 ? bytes.readInt32BE(at) : bytes.readUInt32BE(at);
        at += 4;
      }
      const presentationTime = decodeTime + compositionOffset;
      if (sampleCount === 0) {
        firstPresentationTime = presentationTime;
        firstSampleIsSync = (sampleFlags & SAMPLE_IS_NON_SYNC) === 0;
      }
      presentationEnd = Math.max(presentationEnd, presentationTime + duration);
      decodeTime += duration;
      sampleCount += 1;
    }
  }
  if (sampleCount === 0) return null;
  return {
    trackId,
    timescale: track.timescale,
    baseDecodeTime,
    sampleCount,
    decodeDuration: decodeTime - baseDecodeTime,
    firstPresentationTime: firstPresentationTime ?? baseDecodeTime,
    presentationEnd,
    firstSampleIsSync,
  };
}

export function parseFragment(moof: Box, init: InitInfo): FragmentInfo {
  const bytes = moof.bytes;
  const root = payload(moof);
  const mfhd = findChild(bytes, root.start, root.end, 'mfhd');
  const sequence = mfhd === null ? 0 : bytes.readUInt32BE(mfhd.start + 4);
  const tracks: TrackFragment[] = [];
  for (const child of childBoxes(bytes, root.start, root.end)) {
    if (child.type !== 'traf') continue;
    const fragment = parseTraf(bytes, child, init);
    if (fragment !== null) tracks.push(fragment);
  }
  return { sequence, tracks };
}
