import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PUBLISHER_KEY_FILE, loadOrCreatePublisherKey, readPublisherKey } from '../../core/trust/key-file.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

afterEach(cleanupTempDirs);

const posix = process.platform !== 'win32';

describe("a store's publisher key file", () => {
  it('is made once, owner-only, and read back as the same key', async () => {
    const dir = tempDir('key');
    expect(await readPublisherKey(dir)).toBeUndefined();
    const made = await loadOrCreatePublisherKey(dir);
    const file = path.join(dir, PUBLISHER_KEY_FILE);
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect((await loadOrCreatePublisherKey(dir)).publicKey).toBe(made.publicKey);
    expect((await readPublisherKey(dir))!.publicKey).toBe(made.publicKey);
  });

  it('two makers at once end with one key, and no temp file is left', async () => {
    const dir = tempDir('key-race');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreatePublisherKey(dir)));
    expect(new Set(keys.map((key) => key.publicKey)).size).toBe(1);
    expect(readdirSync(dir)).toEqual([PUBLISHER_KEY_FILE]);
  });

  it.runIf(posix)('that others can read is made owner-only again, and said so', async () => {
    const dir = tempDir('key-mode');
    const made = await loadOrCreatePublisherKey(dir);
    const file = path.join(dir, PUBLISHER_KEY_FILE);
    chmodSync(file, 0o644);
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args), info: () => undefined } as never;
    expect((await readPublisherKey(dir, logger))!.publicKey).toBe(made.publicKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(warnings)).toContain('made it owner-only');
  });

  it.each([
    ['is not a key', (file: string) => writeFileSync(file, 'hello'), /cannot be used/],
    [
      'holds another kind of key',
      (file: string) =>
        writeFileSync(
          file,
          '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIHBnA4dUKP5UIq2K8JF8aLWtLyvuE5nOvSP4YWbFgPNh\n-----END PRIVATE KEY-----\n',
        ),
      /cannot be used/,
    ],
    [
      'is far too large',
      (file: string) => writeFileSync(file, Buffer.alloc(1 << 20)),
      /far larger than a key/,
    ],
    ['is a directory', (file: string) => mkdirSync(file), /not a regular file/],
  ])(
    'that %s is refused with STORE_CORRUPT, naming the file and what to do, and left alone',
    async (_what, make, message) => {
      const dir = tempDir('key-bad');
      const file = path.join(dir, PUBLISHER_KEY_FILE);
      make(file);
      const before = lstatSync(file).isFile() ? readFileSync(file) : null;
      const error = await loadOrCreatePublisherKey(dir).catch((caught: unknown) => caught);
      expect(isPeerStreamerError(error, 'STORE_CORRUPT')).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain('restore it from a backup');
      if (before !== null) expect(readFileSync(file)).toEqual(before);
    },
  );

  it.runIf(posix)('that is a link is refused, not followed', async () => {
    const dir = tempDir('key-link');
    const elsewhere = tempDir('key-elsewhere');
    await loadOrCreatePublisherKey(elsewhere);
    symlinkSync(path.join(elsewhere, PUBLISHER_KEY_FILE), path.join(dir, PUBLISHER_KEY_FILE));
    await expect(readPublisherKey(dir)).rejects.toThrow(/not a regular file/);
  });
});
