/**
 * RFC 6381 `codecs` parameters from MP4 sample entries, so MediaSource.isTypeSupported and
 * addSourceBuffer get exactly the profile/level that is in the stream, not a guess from the codec name.
 * Layouts: avcC (ISO/IEC 14496-15), esds (14496-1 descriptors), vpcC (VP Codec ISO Media File Format
 * Binding), av1C (AV1 Codec ISO Media File Format Binding), dOps (Opus in ISOBMFF).
 */
import { findChild, type ChildBox } from './mp4-boxes.js';

const hex2 = (value: number): string => value.toString(16).padStart(2, '0');
const dec2 = (value: number): string => String(value).padStart(2, '0');

function avcCodec(bytes: Buffer, entryType: string, avcC: ChildBox | null): string {
  if (avcC === null || avcC.end - avcC.start < 4) return entryType;
  // configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication
  const profile = bytes.readUInt8(avcC.start + 1);
  const compatibility = bytes.readUInt8(avcC.start + 2);
  const level = bytes.readUInt8(avcC.start + 3);
  return `${entryType}.${hex2(profile)}${hex2(compatibility)}${hex2(level)}`;
}

/** Reads an MPEG-4 descriptor header: tag, then a size in 1-4 bytes of 7 bits with a continuation bit. */
function descriptorAt(
  bytes: Buffer,
  at: number,
  end: number,
): { tag: number; start: number; end: number } | null {
  if (at >= end) return null;
  const tag = bytes.readUInt8(at);
  let size = 0;
  let cursor = at + 1;
  for (let i = 0; i < 4 && cursor < end; i++) {
    const byte = bytes.readUInt8(cursor++);
    size = (size << 7) | (byte & 0x7f);
    if ((byte & 0x80) === 0) break;
  }
  return { tag, start: cursor, end: Math.min(end, cursor + size) };
}

function mp4aCodec(bytes: Buffer, esds: ChildBox | null): string {
  if (esds === null) return 'mp4a';
  // esds is a FullBox: skip version/flags, then ES_Descriptor (tag 3).
  const es = descriptorAt(bytes, esds.start + 4, esds.end);
  if (es === null || es.tag !== 0x03) return 'mp4a';
  const esFlags = bytes.readUInt8(es.start + 2);
  let at = es.start + 3;
  if (esFlags & 0x80) at += 2; // dependsOn_ES_ID
  if (esFlags & 0x40) at += 1 + bytes.readUInt8(at); // URL
  if (esFlags & 0x20) at += 2; // OCR_ES_Id
  const config = descriptorAt(bytes, at, es.end);
  if (config === null || config.tag !== 0x04) return 'mp4a';
  const objectType = bytes.readUInt8(config.start);
  // objectTypeIndication, streamType, bufferSizeDB(3), maxBitrate(4), avgBitrate(4) = 13 bytes.
  const specific = descriptorAt(bytes, config.start + 13, config.end);
  if (objectType !== 0x40 || specific === null || specific.tag !== 0x05 || specific.end <= specific.start) {
    return `mp4a.${hex2(objectType).toUpperCase()}`;
  }
  // AudioSpecificConfig: audioObjectType in 5 bits; 31 escapes to 32 + the next 6 bits.
  const first = bytes.readUInt8(specific.start);
  let audioObjectType = first >> 3;
  if (audioObjectType === 31 && specific.end - specific.start >= 2) {
    audioObjectType = 32 + (((first & 0x07) << 3) | (bytes.readUInt8(specific.start + 1) >> 5));
  }
  return `mp4a.40.${audioObjectType}`;
}

function vp9Codec(bytes: Buffer, vpcC: ChildBox | null): string {
  if (vpcC === null || vpcC.end - vpcC.start < 7) return 'vp09';
  // FullBox header, then profile, level, bitDepth(4 bits) | chromaSubsampling(3) | fullRange(1).
  const profile = bytes.readUInt8(vpcC.start + 4);
  const level = bytes.readUInt8(vpcC.start + 5);
  const bitDepth = bytes.readUInt8(vpcC.start + 6) >> 4;
  return `vp09.${dec2(profile)}.${dec2(level)}.${dec2(bitDepth)}`;
}

function av1Codec(bytes: Buffer, av1C: ChildBox | null): string {
  if (av1C === null || av1C.end - av1C.start < 3) return 'av01';
  const second = bytes.readUInt8(av1C.start + 1);
  const third = bytes.readUInt8(av1C.start + 2);
  const profile = second >> 5;
  const level = second & 0x1f;
  const tier = third & 0x80 ? 'H' : 'M';
  const highBitDepth = (third & 0x40) !== 0;
  const twelveBit = (third & 0x20) !== 0;
  const bitDepth = highBitDepth ? (twelveBit ? 12 : 10) : 8;
  return `av01.${profile}.${dec2(level)}${tier}.${dec2(bitDepth)}`;
}

/** Offset of the first child box inside a sample entry, after its fixed fields. */
export function sampleEntryChildrenOffset(bytes: Buffer, entry: ChildBox, handler: string): number {
  if (handler === 'vide') return entry.start + 78; // SampleEntry(8) + VisualSampleEntry fields(70)
  if (handler === 'soun') {
    // SampleEntry(8) + AudioSampleEntry(20); QuickTime sound descriptions v1/v2 append 16/36 bytes.
    const version = entry.end - entry.start >= 10 ? bytes.readUInt16BE(entry.start + 8) : 0;
    return entry.start + 28 + (version === 1 ? 16 : version === 2 ? 36 : 0);
  }
  return entry.start + 8;
}

/** The RFC 6381 codec string of one sample entry (e.g. avc1.64001f, mp4a.40.2, opus). */
export function codecString(bytes: Buffer, entryType: string, entry: ChildBox, handler: string): string {
  const childrenStart = sampleEntryChildrenOffset(bytes, entry, handler);
  const child = (type: string): ChildBox | null =>
    childrenStart < entry.end ? findChild(bytes, childrenStart, entry.end, type) : null;
  switch (entryType) {
    case 'avc1':
    case 'avc3':
      return avcCodec(bytes, entryType, child('avcC'));
    case 'mp4a':
      return mp4aCodec(bytes, child('esds'));
    case 'vp09':
      return vp9Codec(bytes, child('vpcC'));
    case 'av01':
      return av1Codec(bytes, child('av1C'));
    case 'Opus':
      return 'opus';
    case 'fLaC':
      return 'flac';
    default:
      return entryType;
  }
}
