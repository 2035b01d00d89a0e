/**
 * The node's key file in its store: made once with mode 0600 and kept; one that other users can
 * read, or that is not a key file, stops the start with a message naming the file and what to do.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_KEY_FILE, nodeKeysOf } from '../../core/node/node-keys.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { tempDir } from '../helpers/temp-dirs.js';

const unexpected = (): never => {
  throw new Error('expected a failure');
};

const posix = process.platform !== 'win32';

describe("a node's key file", () => {
  it('is made on first use, owner-only, and read back the same after', async () => {
    const dir = tempDir('keys');
    const keys = await nodeKeysOf(dir);
    const file = path.join(dir, NODE_KEY_FILE);
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'latin1')).toContain(`public ${keys.publicKey}`);
    expect(await nodeKeysOf(dir)).toEqual(keys);
  });

  it.skipIf(!posix)('is refused when other users can read it, saying how to go either way', async () => {
    const dir = tempDir('keys');
    await nodeKeysOf(dir);
    const file = path.join(dir, NODE_KEY_FILE);
    chmodSync(file, 0o644);
    const error = await nodeKeysOf(dir).then(unexpected, (caught: unknown) => caught as Error);
    expect(error).toMatchObject({ code: 'KEY_FILE' });
    expect(error.message).toContain(file);
    expect(error.message).toContain('mode 644');
    expect(error.message).toContain(`chmod 600 ${file}`);
    chmodSync(file, 0o600);
    await expect(nodeKeysOf(dir)).resolves.toBeDefined();
  });

  it('is refused when it is not a key file, naming the file and the problem', async () => {
    const { publicKey } = newCurveKeyPair();
    const cases: Array<[string, RegExp]> = [
      ['hello world\n', /is not a node key file/],
      [`public ${publicKey}\n`, /lacks its public or its secret key/],
      [`public ${publicKey}\nsecret short\n`, /unusable secret key: a key is 40 Z85 characters/],
      [`public ${publicKey}\npublic ${publicKey}\nsecret ${publicKey}\n`, /is not a node key file/],
      ['', /lacks/],
    ];
    for (const [text, problem] of cases) {
      const dir = tempDir('keys');
      const file = path.join(dir, NODE_KEY_FILE);
      writeFileSync(file, text, { mode: 0o600 });
      const error = await nodeKeysOf(dir).then(unexpected, (caught: unknown) => caught as Error);
      expect(error.message).toMatch(problem);
      expect(error.message).toContain(file);
      expect(error.message).toContain('Delete it to make a new identity');
    }
  });
});
