/**
 * Node keys as they are written: a CURVE public key is 32 bytes, written in Z85 (ZeroMQ's RFC 32
 * encoding) as 40 printable characters, the form libzmq takes for its curve options. A peer's
 * address may carry one after `#` (`tcp://host:port#<key>`), so the key travels with the address.
 * Humans compare fingerprints instead: 8 hex digits of sha256 over the key's 32 bytes.
 */
import { createHash } from 'node:crypto';
import { tcpAddressProblem } from './address.js';

export const Z85_KEY_CHARS = 40;
export const KEY_BYTES = 32;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const VALUE = new Map([...ALPHABET].map((char, index) => [char, index]));

/** Why `value` is not a Z85-written 32-byte key, or null. */
export function z85KeyProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'a key must be a string';
  if (value.length !== Z85_KEY_CHARS) {
    return `a key is ${Z85_KEY_CHARS} Z85 characters; this one has ${value.length}`;
  }
  const bad = [...value].find((char) => !VALUE.has(char));
  if (bad !== undefined) return `${JSON.stringify(bad)} is not a Z85 character`;
  // Z85 can write 5 characters worth more than 32 bits; libzmq would read those as other bytes.
  for (let at = 0; at < value.length; at += 5) {
    if (groupValue(value, at) > 0xffff_ffff) return 'it is not valid Z85 (a group is out of range)';
  }
  return null;
}

function groupValue(text: string, at: number): number {
  let value = 0;
  for (let i = 0; i < 5; i++) value = value * 85 + VALUE.get(text[at + i]!)!;
  return value;
}

/** The 32 bytes of a key already known to be valid (see z85KeyProblem). */
export function z85Decode(text: string): Buffer {
  const bytes = Buffer.alloc((text.length / 5) * 4);
  for (let at = 0; at < text.length; at += 5) bytes.writeUInt32BE(groupValue(text, at), (at / 5) * 4);
  return bytes;
}

/** Z85 of bytes whose length is a multiple of 4 (a key: 32). */
export function z85Encode(bytes: Uint8Array): string {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = '';
  for (let at = 0; at < view.length; at += 4) {
    let value = view.readUInt32BE(at);
    let group = '';
    for (let i = 0; i < 5; i++) {
      group = ALPHABET[value % 85]! + group;
      value = Math.floor(value / 85);
    }
    text += group;
  }
  return text;
}

/** A key as people compare it: the first 8 hex digits of sha256 over its 32 bytes. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(z85Decode(key)).digest('hex').slice(0, 8);
}

/** An address split into where to dial and, when it carries one, the key to expect there. */
export interface PeerAddress {
  /** `tcp://host:port`. */
  dial: string;
  key: string | undefined;
}

/**
 * Why `value` is not `tcp://host:port` or `tcp://host:port#<key>`, or null. The key is split at the
 * first `#` (no host or port holds one; Z85 itself may).
 */
export function peerAddressProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'it must be a string';
  const at = value.indexOf('#');
  const dialProblem = tcpAddressProblem(at < 0 ? value : value.slice(0, at));
  if (dialProblem !== null) return dialProblem;
  if (at < 0) return null;
  const keyProblem = z85KeyProblem(value.slice(at + 1));
  return keyProblem === null ? null : `the key after "#" is not usable: ${keyProblem}`;
}

/** Splits an address already known to be valid (see peerAddressProblem). */
export function splitPeerAddress(value: string): PeerAddress {
  const at = value.indexOf('#');
  return at < 0 ? { dial: value, key: undefined } : { dial: value.slice(0, at), key: value.slice(at + 1) };
}
