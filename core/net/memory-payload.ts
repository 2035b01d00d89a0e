import type { Frame } from '../protocol/codec.js';
import type { IncomingReply, IncomingRequest } from '../protocol/messages.js';

/** What travels between two hosts: the wire's frames, or (codec off) the objects themselves. */
export type RequestPayload = { frames: Frame[] } | { request: IncomingRequest };
export type ReplyPayload = { frames: Frame[] } | { incoming: IncomingReply };

/** Bytes of a reply's body (the chunk of a `get` reply), unscaled; 0 for anything else. */
export function bodyOf(payload: RequestPayload | ReplyPayload): number {
  if ('frames' in payload) return payload.frames[1]?.byteLength ?? 0;
  return 'incoming' in payload ? (payload.incoming.body?.byteLength ?? 0) : 0;
}

export function framesBytes(frames: Frame[]): number {
  return frames.reduce((sum, frame) => sum + frame.byteLength, 0);
}
