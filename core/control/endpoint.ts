/**
 * Where a store's control channel lives, for the platform's transport: a Unix socket (in the store, or
 * in a private per-user directory named by a pointer file) or a Windows named pipe (named after the
 * store, and by a pointer file too). The node and the CLI both plan from the store's canonical path.
 */
import path from 'node:path';
import { PIPE_POINTER_FILE, pipeNameFor } from './pipe-path.js';
import { planSocket } from './socket-path.js';
import { transportFor, type ControlTransportOptions } from './transport.js';

export type ControlEndpoint =
  | {
      transport: 'unix';
      /** The socket's path. */
      path: string;
      /** The private directory holding the socket when it is not in the store, else null. */
      privateDir: string | null;
      /** `<store>/control.sock.path`, written only when the socket is not in the store. */
      pointer: string;
    }
  | {
      transport: 'pipe';
      /** The pipe's name, `\\.\pipe\peerstreamer-<hash>`. */
      path: string;
      /** `<store>/control.pipe`, naming the pipe while the node serves it. */
      pointer: string;
    };

/** Where a node serving `storeDir` (its canonical path) listens. */
export function planEndpoint(storeDir: string, options: ControlTransportOptions = {}): ControlEndpoint {
  const platform = options.platform ?? process.platform;
  if (transportFor(platform) === 'pipe') {
    return {
      transport: 'pipe',
      path: pipeNameFor(storeDir, options.pipeNamespace),
      pointer: path.join(storeDir, PIPE_POINTER_FILE),
    };
  }
  const plan = planSocket(storeDir, options.env, platform);
  return { transport: 'unix', path: plan.socket, privateDir: plan.privateDir, pointer: plan.pointer };
}
