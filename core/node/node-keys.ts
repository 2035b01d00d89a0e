/**
 * The node's CURVE key pair, kept in its store as `<store>/node.key`: two lines, `public <z85>` and
 * `secret <z85>`, owner-only (0600). Made on the first start; the key is the node's identity from
 * then on (a master binds the node's name to it), so a copied store is the same node, and a store
 * made again is a new one.
 *
 * A key file other users could read is refused, not repaired: its secret may already have been
 * copied, and only the user can say whether that matters. The error says how to go either way.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { z85KeyProblem } from '../protocol/peer-key.js';
import { newCurveKeyPair, type CurveKeyPair } from '../net/curve-keys.js';
import { writeFileDurably } from '../store/durable-file.js';

export const NODE_KEY_FILE = 'node.key';

const keyFileError = (file: string, problem: string, what: string): PeerStreamerError =>
  new PeerStreamerError('KEY_FILE', `${file} ${problem}. ${what}`, { file });

const REMAKE =
  'Delete it to make a new identity on the next start (this node then counts as a new node to its master, which may refuse its name with NAME_TAKEN until the old registration times out).';

/** Reads the store's key pair, making one first when there is none. */
export async function nodeKeysOf(storeDir: string): Promise<CurveKeyPair> {
  const file = path.join(path.resolve(storeDir), NODE_KEY_FILE);
  let text: string;
  try {
    const stat = await fs.stat(file);
    // Windows has no such mode bits; its store lives in the user's profile (see docs/SECURITY.md).
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw keyFileError(
        file,
        `can be read by other users (mode ${(stat.mode & 0o777).toString(8)}), so its secret key may have been copied`,
        `If you are sure it was not, run: chmod 600 ${file}. If it may have been: ${REMAKE}`,
      );
    }
    text = await fs.readFile(file, 'latin1');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') {
      if (error instanceof PeerStreamerError) throw error;
      throw keyFileError(file, `cannot be read (${errorMessage(error)})`, 'Check its permissions.');
    }
    return makeKeys(file);
  }
  return parseKeyFile(file, text);
}

export function parseKeyFile(file: string, text: string): CurveKeyPair {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const [label, value, ...rest] = line.trim().split(/\s+/);
    if (
      (label !== 'public' && label !== 'secret') ||
      value === undefined ||
      rest.length > 0 ||
      fields.has(label)
    ) {
      throw keyFileError(file, 'is not a node key file (lines "public <key>" and "secret <key>")', REMAKE);
    }
    const problem = z85KeyProblem(value);
    if (problem !== null) throw keyFileError(file, `holds an unusable ${label} key: ${problem}`, REMAKE);
    fields.set(label, value);
  }
  const publicKey = fields.get('public');
  const secretKey = fields.get('secret');
  if (publicKey === undefined || secretKey === undefined) {
    throw keyFileError(file, 'lacks its public or its secret key', REMAKE);
  }
  return { publicKey, secretKey };
}

async function makeKeys(file: string): Promise<CurveKeyPair> {
  const keys = newCurveKeyPair();
  const text = `# This node's CURVE key pair: its identity. Keep it secret (mode 0600).\npublic ${keys.publicKey}\nsecret ${keys.secretKey}\n`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFileDurably(temp, file, Buffer.from(text, 'latin1'), 0o600);
  return keys;
}
