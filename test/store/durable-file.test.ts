/**
 * The one temp-write, fsync, rename sequence the store's files go through: the final file is the
 * old one or the whole new one, and a failure leaves no temp file behind.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileDurably, writeSyncedFile } from '../../core/store/durable-file.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

afterAll(() => cleanupTempDirs());

describe('writeFileDurably', () => {
  it('replaces the final file with the whole new one and leaves no temp file', async () => {
    const dir = tempDir('durable');
    mkdirSync(path.join(dir, 'tmp'));
    const final = path.join(dir, 'poster');
    writeFileSync(final, 'old');
    await writeFileDurably(path.join(dir, 'tmp', 'a.tmp'), final, Buffer.from('new bytes'));
    expect(readFileSync(final, 'utf8')).toBe('new bytes');
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('removes its temp file when the rename fails, and throws the file system error', async () => {
    const dir = tempDir('durable');
    mkdirSync(path.join(dir, 'tmp'));
    const temp = path.join(dir, 'tmp', 'b.tmp');
    await expect(
      writeFileDurably(temp, path.join(dir, 'no-such-dir', 'poster'), Buffer.from('x')),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(temp)).toBe(false);
  });

  it('never writes over a temp file that exists (another writer owns it)', async () => {
    const dir = tempDir('durable');
    const temp = path.join(dir, 'c.tmp');
    writeFileSync(temp, 'someone else');
    await expect(writeSyncedFile(temp, Buffer.from('mine'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(temp, 'utf8')).toBe('someone else');
  });
});
