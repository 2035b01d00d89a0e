/**
 * A store's publisher key pair: `<store>/publisher-key.pem`, the private key as PKCS#8 PEM, readable
 * by its owner only (0600). It signs every video the store publishes, so it is made once, the first
 * time it is needed, and never replaced: two processes that make one at once keep the first written.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeSyncedFile } from '../store/durable-file.js';
import { translateFileError } from '../store/store-errors.js';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import {
  generatePublisherKeyPair,
  privateKeyPem,
  publisherKeyPairFromPem,
  type PublisherKeyPair,
} from './publisher-key.js';

export const PUBLISHER_KEY_FILE = 'publisher-key.pem';
/** A PEM Ed25519 key is about 120 bytes; anything far larger is not one, and is not read whole. */
const MAX_KEY_FILE_BYTES = 16 * 1024;
const OWNER_ONLY = 0o600;

export function publisherKeyFile(storeDir: string): string {
  return path.join(path.resolve(storeDir), PUBLISHER_KEY_FILE);
}

/** The store's key pair, or undefined when it has none yet. */
export async function readPublisherKey(
  storeDir: string,
  logger?: Logger,
): Promise<PublisherKeyPair | undefined> {
  const file = publisherKeyFile(storeDir);
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(file, errorMessage(error));
  }
  if (!stat.isFile()) throw unreadable(file, 'it is not a regular file (a link or a directory)');
  if (stat.size > MAX_KEY_FILE_BYTES)
    throw unreadable(file, `it is ${stat.size} bytes, far larger than a key`);
  // A key others can read signs for them too: take the rights away, and say so.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    await fs.chmod(file, OWNER_ONLY);
    logger?.warn(
      { file, mode: (stat.mode & 0o777).toString(8) },
      'publisher key was readable by others; made it owner-only (0600)',
    );
  }
  try {
    return publisherKeyPairFromPem(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw unreadable(file, errorMessage(error));
  }
}

/** The store's key pair, made (and kept) now if it has none. */
export async function loadOrCreatePublisherKey(storeDir: string, logger?: Logger): Promise<PublisherKeyPair> {
  const existing = await readPublisherKey(storeDir, logger);
  if (existing !== undefined) return existing;
  const file = publisherKeyFile(storeDir);
  const pair = generatePublisherKeyPair();
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeSyncedFile(temp, Buffer.from(privateKeyPem(pair)), OWNER_ONLY);
    // A link, not a rename: it fails when the file exists, so a key another process made first wins.
    await fs.link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw translateFileError(error, path.dirname(file), file, 'writing the publisher key');
    }
    await fs.rm(temp, { force: true });
    return (await readPublisherKey(storeDir, logger))!;
  }
  await fs.rm(temp, { force: true });
  logger?.info({ file, publisher: pair.publicKey }, "made this store's publisher key");
  return pair;
}

function unreadable(file: string, problem: string): PeerStreamerError {
  return new PeerStreamerError(
    'STORE_CORRUPT',
    `The publisher key ${file} cannot be used: ${problem}. It signs every video this store publishes: restore it from a backup. To start over as a new publisher instead, move the file aside and start again (viewers who trusted the old key will then refuse this store's videos until they trust the new one).`,
    { file, problem },
  );
}
