import { describe, expect, it } from 'vitest';
import { BoxStreamReader, childBoxes } from '../../core/media/mp4-boxes.js';
import { codecString } from '../../core/media/codec-string.js';
import { PeerStreamerError } from '../../core/util/errors.js';

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

function largeBox(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(16 + payload.length), 8);
  return Buffer.concat([header, payload]);
}

describe('BoxStreamReader', () => {
  const stream = Buffer.concat([
    box('ftyp', Buffer.from('isom')),
    box('moov', box('trak', Buffer.alloc(20, 1))),
    largeBox('mdat', Buffer.alloc(1000, 7)),
    box('moof', Buffer.alloc(3)),
  ]);

  it.each([1, 3, 7, 16, 1024, stream.length])(
    'returns the same boxes whatever the slice size (%i)',
    (step) => {
      const reader = new BoxStreamReader();
      const boxes = [];
      for (let at = 0; at < stream.length; at += step)
        boxes.push(...reader.push(stream.subarray(at, at + step)));
      expect(boxes.map((b) => [b.type, b.bytes.length, b.headerSize])).toEqual([
        ['ftyp', 12, 8],
        ['moov', 36, 8],
        ['mdat', 1016, 16],
        ['moof', 11, 8],
      ]);
      expect(Buffer.concat(boxes.map((b) => b.bytes)).equals(stream)).toBe(true);
      expect(reader.pendingBytes).toBe(0);
    },
  );

  it('keeps an incomplete box pending', () => {
    const reader = new BoxStreamReader();
    expect(reader.push(stream.subarray(0, stream.length - 1)).length).toBe(3);
    expect(reader.pendingBytes).toBe(10);
  });

  it('refuses sizes that cannot be right', () => {
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(4, 0);
    bad.write('moof', 4, 'latin1');
    expect(() => new BoxStreamReader().push(bad)).toThrow(PeerStreamerError);
    const unbounded = Buffer.alloc(8);
    unbounded.write('mdat', 4, 'latin1');
    expect(() => new BoxStreamReader().push(unbounded)).toThrow(/unbounded size/);
  });

  it('refuses a box past its limit from the header alone, before its bytes are held', () => {
    // A 100 MiB mdat announced in 16 bytes: refused with those, not after 100 MiB were buffered.
    const header = Buffer.alloc(16);
    header.writeUInt32BE(1, 0);
    header.write('mdat', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(100 * 2 ** 20), 8);
    const reader = new BoxStreamReader(64 * 2 ** 20);
    expect(() => reader.push(header)).toThrow(
      expect.objectContaining({
        code: 'CHUNK_TOO_LARGE',
        message: expect.stringMatching(
          /a fragment of 100\.0 MiB .* more than one chunk may hold \(64\.0 MiB\).*Re-encode it/,
        ) as unknown,
      }),
    );
    // The same box under the default bound is merely waited for.
    expect(new BoxStreamReader().push(header)).toEqual([]);
  });

  it('walks children and stops at one that overruns its parent', () => {
    const parent = Buffer.concat([
      box('aaaa', Buffer.alloc(2)),
      box('bbbb'),
      Buffer.from([0, 0, 0, 99, 0x63, 0x63, 0x63, 0x63]),
    ]);
    expect([...childBoxes(parent, 0, parent.length)].map((child) => child.type)).toEqual(['aaaa', 'bbbb']);
  });
});

describe('codecString', () => {
  const visualFields = Buffer.alloc(78);
  const audioFields = Buffer.alloc(28);
  const entry = (type: string, fields: Buffer, child: Buffer) => {
    const bytes = box(type, fields, child);
    return { bytes, child: { type, start: 8, end: bytes.length } };
  };

  it('reads profile, constraints and level from avcC', () => {
    const { bytes, child } = entry(
      'avc1',
      visualFields,
      box('avcC', Buffer.from([1, 0x64, 0x00, 0x1f, 0xff])),
    );
    expect(codecString(bytes, 'avc1', child, 'vide')).toBe('avc1.64001f');
  });

  it('reads the audio object type from esds, including the escape for types >= 32', () => {
    const esds = (asc: number[]) =>
      box(
        'esds',
        Buffer.from([0, 0, 0, 0]),
        Buffer.from([0x03, 0x80, 0x80, 0x80, 22 + asc.length, 0, 1, 0]),
        Buffer.from([0x04, 17 + asc.length, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        Buffer.from([0x05, asc.length, ...asc]),
      );
    const lc = entry('mp4a', audioFields, esds([0x12, 0x10]));
    expect(codecString(lc.bytes, 'mp4a', lc.child, 'soun')).toBe('mp4a.40.2');
    const he = entry('mp4a', audioFields, esds([0x2b, 0x92]));
    expect(codecString(he.bytes, 'mp4a', he.child, 'soun')).toBe('mp4a.40.5');
    const usac = entry('mp4a', audioFields, esds([0xf9, 0x40])); // 31, then 6 bits 001010: 32 + 10 = 42
    expect(codecString(usac.bytes, 'mp4a', usac.child, 'soun')).toBe('mp4a.40.42');
  });

  it('reads vpcC and av1C', () => {
    const vp9 = entry(
      'vp09',
      visualFields,
      box('vpcC', Buffer.from([1, 0, 0, 0, 0, 31, 0x82, 1, 1, 1, 0, 0])),
    );
    expect(codecString(vp9.bytes, 'vp09', vp9.child, 'vide')).toBe('vp09.00.31.08');
    const av1 = entry('av01', visualFields, box('av1C', Buffer.from([0x81, 0x08, 0x4c, 0])));
    expect(codecString(av1.bytes, 'av01', av1.child, 'vide')).toBe('av01.0.08M.10');
    const opus = entry('Opus', audioFields, box('dOps', Buffer.alloc(11)));
    expect(codecString(opus.bytes, 'Opus', opus.child, 'soun')).toBe('opus');
  });
});
