/**
 * The Writable an export writes into on the node's side of a control connection: each write becomes
 * one `data` line followed by its raw bytes, and waits for the socket to drain, so a slow reader slows
 * the export instead of growing the node's memory. A reader that goes away fails the pending write,
 * which ends the export.
 */
import { Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { PeerStreamerError } from '../util/errors.js';
import { encodeEvent } from './schema.js';

export class DataFrameWriter extends Writable {
  /** Raw bytes handed to the socket, which the final `export-ok` must state. */
  bytes = 0;

  constructor(private readonly socket: Socket) {
    // The default high-water mark is below any chunk, so every write waits for the one before it.
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.socket.writable) return callback(clientGone());
    this.bytes += chunk.length;
    // A chunk is at most 64 MiB (the store's own bound, and MAX_DATA_BYTES), so one write is one event.
    this.socket.write(encodeEvent({ type: 'data', size: chunk.length }));
    if (this.socket.write(chunk)) return callback();
    const settle = (error?: Error): void => {
      this.socket.off('drain', onDrain);
      this.socket.off('close', onClose);
      callback(error);
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(clientGone());
    this.socket.on('drain', onDrain);
    this.socket.on('close', onClose);
  }
}

function clientGone(): PeerStreamerError {
  return new PeerStreamerError('UNREACHABLE', 'the client closed the control connection during export');
}
