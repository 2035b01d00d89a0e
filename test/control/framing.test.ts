import { describe, expect, it } from 'vitest';
import { FrameReader, type Piece } from '../../core/control/framing.js';
import { ControlProblem } from '../../core/control/errors.js';

const tooLong = (limit: number): ControlProblem => new ControlProblem('REQUEST_TOO_LARGE', `over ${limit}`);

function feed(reader: FrameReader, chunks: Array<string | Buffer>, onLine?: (line: string) => void): Piece[] {
  const pieces: Piece[] = [];
  for (const chunk of chunks) {
    for (const piece of reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))) {
      pieces.push(piece);
      if (piece.kind === 'line') onLine?.(piece.line.toString());
    }
  }
  return pieces;
}

describe('FrameReader', () => {
  it('joins a line cut into many reads and splits several lines in one read', () => {
    const reader = new FrameReader(100, tooLong);
    const lines = feed(reader, ['{"a"', ':1', '}\n{"b":2}\n{"c"', ':3}\n']).map((piece) =>
      piece.kind === 'line' ? piece.line.toString() : 'bytes',
    );
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(reader.midMessage).toBe(false);
  });

  it('refuses a line over the bound as soon as it passes it, newline or not', () => {
    const reader = new FrameReader(10, tooLong);
    expect(() => feed(reader, ['12345', '67890', '1'])).toThrow('over 10');
    const other = new FrameReader(10, tooLong);
    expect(() => feed(other, ['12345678901\n'])).toThrow('over 10');
    // Exactly at the bound is fine.
    expect(feed(new FrameReader(10, tooLong), ['1234567890\n'])).toHaveLength(1);
  });

  it('hands on raw bytes after a data line without looking for newlines in them', () => {
    const reader = new FrameReader(100, tooLong);
    const raw = Buffer.from('ab\ncd\n\nef');
    const pieces = feed(
      reader,
      [Buffer.concat([Buffer.from('data 9\n'), raw.subarray(0, 4)]), raw.subarray(4), 'end\n'],
      (line) => {
        if (line === 'data 9') reader.expectBytes(9);
      },
    );
    const bytes = Buffer.concat(pieces.flatMap((piece) => (piece.kind === 'bytes' ? [piece.bytes] : [])));
    expect(bytes).toEqual(raw);
    // The raw run ends where announced: the line after it is read as a line again.
    expect(pieces.at(-1)).toMatchObject({ kind: 'line' });
    expect((pieces.at(-1) as { line: Buffer }).line.toString()).toBe('end');
  });

  it('says when an EOF would cut a message short', () => {
    const reader = new FrameReader(100, tooLong);
    feed(reader, ['{"half"']);
    expect(reader.midMessage).toBe(true);
  });
});
