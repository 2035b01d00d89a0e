/**
 * RFC 4648 base32 in lower case without padding: how publisher keys are written (see
 * core/shared/publisher.ts for why). Decoding refuses any text that is not exactly what encoding
 * would give, so one key has one spelling and comparing keys as text is comparing keys.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32Encode(bytes: Uint8Array): string {
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) text += ALPHABET[(buffer << (5 - bits)) & 31];
  return text;
}

/** The bytes of `text`, or null when it is not the canonical base32 of some bytes. */
export function base32Decode(text: string): Buffer | null {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // Leftover bits must be padding zeros and fewer than a character's worth, or the text is not canonical.
  if (bits >= 5 || buffer !== 0) return null;
  return Buffer.from(bytes);
}
