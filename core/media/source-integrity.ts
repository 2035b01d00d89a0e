/**
 * Cheap structural check of ISO BMFF sources (MP4/MOV/M4A) before ffmpeg sees them. ffprobe happily
 * reports a full duration for an MP4 whose moov is at the front but whose mdat was cut short (an
 * interrupted download), and ffmpeg then stream-copies what is there and exits 0. Walking the top-level
 * box headers (a few reads, no payload) tells us the file is truncated before we cut anything.
 */
import { open } from 'node:fs/promises';

/** Top-level box types that mark a file as ISO BMFF; a text or random file will not start with one. */
const TOP_LEVEL_TYPES = new Set([
  'ftyp',
  'styp',
  'moov',
  'mdat',
  'free',
  'skip',
  'wide',
  'pnot',
  'uuid',
  'moof',
]);

export type IsoBmffCheck =
  | { kind: 'not-isobmff' }
  | { kind: 'ok'; hasMoov: boolean }
  | { kind: 'truncated'; boxType: string; offset: number; declaredSize: number; fileSize: number }
  | { kind: 'no-moov' };

function boxTypeAt(header: Buffer, at: number): string {
  return header.toString('latin1', at, at + 4);
}

export function looksLikeIsoBmff(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  return TOP_LEVEL_TYPES.has(boxTypeAt(Buffer.from(head.buffer, head.byteOffset, head.byteLength), 4));
}

export async function checkIsoBmff(file: string): Promise<IsoBmffCheck> {
  const handle = await open(file, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    const header = Buffer.alloc(16);
    let offset = 0;
    let hasMoov = false;
    let hasFragments = false;
    let boxes = 0;
    while (offset + 8 <= fileSize) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      if (bytesRead < 8) break;
      const type = boxTypeAt(header, 4);
      if (boxes === 0 && !TOP_LEVEL_TYPES.has(type)) return { kind: 'not-isobmff' };
      boxes += 1;
      let size = header.readUInt32BE(0);
      if (size === 1) {
        if (bytesRead < 16) return { kind: 'truncated', boxType: type, offset, declaredSize: 16, fileSize };
        size = Number(header.readBigUInt64BE(8));
      } else if (size === 0) {
        size = fileSize - offset; // "extends to the end of the file", legal for a final mdat
      }
      if (size < 8) return { kind: 'truncated', boxType: type, offset, declaredSize: size, fileSize };
      if (type === 'moov') hasMoov = true;
      if (type === 'moof') hasFragments = true;
      if (offset + size > fileSize) {
        return { kind: 'truncated', boxType: type, offset, declaredSize: size, fileSize };
      }
      offset += size;
    }
    if (boxes === 0) return { kind: 'not-isobmff' };
    if (!hasMoov && !hasFragments) return { kind: 'no-moov' };
    return { kind: 'ok', hasMoov };
  } finally {
    await handle.close();
  }
}
