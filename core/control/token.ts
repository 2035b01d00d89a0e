/**
 * The control token: 32 random bytes, in hex, that a node makes each time it opens its control
 * channel and writes to `<store>/control.token`. A request that carries it proves its sender can read
 * the store's files, which is exactly who could open the store itself were the node stopped. Every
 * request must carry it, on either transport: a named pipe (Windows) lets every user connect, and on
 * a Unix socket, whose mode 0600 already limits who connects, one rule for both means no code path
 * that lets a request through unchecked (the node writes the token on every start and the CLI always
 * sends it).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { ControlProblem } from './errors.js';
import { readSmallFile, writePrivateFile } from './small-files.js';

export const TOKEN_FILE = 'control.token';
const TOKEN_BYTES = 32;
const TOKEN_FORMAT = /^[0-9a-f]{64}$/;

export function createToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}

export function tokenFile(storeDir: string): string {
  return path.join(storeDir, TOKEN_FILE);
}

export async function writeTokenFile(
  storeDir: string,
  token: string,
  platform: NodeJS.Platform = process.platform,
): Promise<void> {
  await writePrivateFile(tokenFile(storeDir), `${token}\n`, platform);
}

/** The token in the store, or undefined when there is none or the file holds anything else. */
export async function readTokenFile(storeDir: string): Promise<string | undefined> {
  const text = (await readSmallFile(tokenFile(storeDir), 128))?.trim();
  return text !== undefined && TOKEN_FORMAT.test(text) ? text : undefined;
}

/**
 * Whether `given` (whatever a request carried) is `expected`, in time that does not depend on where
 * they differ or how long `given` is: both are hashed first, so the comparison is always 32 bytes.
 */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** What a node asks of the requests on its channel. */
export interface ControlAccess {
  /** This run's token. */
  token: string;
}

/**
 * Lets a request's `token` through, or throws UNAUTHORIZED. The messages say what is wrong without
 * naming the store or the token's place to a sender that may be another user.
 */
export function authorize(access: ControlAccess, given: unknown): void {
  if (given === undefined) {
    throw new ControlProblem(
      'UNAUTHORIZED',
      'this control channel needs the token the node wrote for this run (field "token"); a client of this store reads it from control.token in the store',
    );
  }
  if (!tokenMatches(access.token, given)) {
    throw new ControlProblem(
      'UNAUTHORIZED',
      'the request carries a token that is not this node’s (field "token"); a node makes a new one each time it starts, so read control.token again and send the command again',
    );
  }
}
