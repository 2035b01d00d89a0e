import Database from 'better-sqlite3';
import { pino } from 'pino';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectCode, ingest, makeVideo, openStore } from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

afterEach(cleanupTempDirs);

describe('bad input', () => {
  it('refuses invalid video names everywhere a name comes in', async () => {
    const store = await openStore(tempDir());
    try {
      const bad = ['../x', 'a/b', 'tab\there', 'bell\u0007', 'x'.repeat(201), '', ' padded '];
      for (const name of bad) {
        await expectCode(() => store.beginVideo(name, { replace: false }), 'INVALID_NAME');
        await expectCode(() => store.hasChunk(name, 0), 'INVALID_NAME');
        await expectCode(store.getChunk(name, 0), 'INVALID_NAME');
        await expectCode(() => store.pinChunk(name, 0), 'INVALID_NAME');
        await expectCode(() => store.putManifest({ ...makeVideo('ok', 1).manifest, name }), 'INVALID_NAME');
      }
      expect(store.listVideos()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('refuses manifests it could not check chunks against', async () => {
    const store = await openStore(tempDir());
    try {
      const good = makeVideo('m', 2).manifest;
      const badHash = structuredClone(good);
      badHash.chunks[0]!.sha256 = 'XYZ';
      await expectCode(() => store.putManifest(badHash), 'INVALID_ARGUMENT');
      const gap = structuredClone(good);
      gap.chunks[1]!.index = 5;
      await expectCode(() => store.putManifest(gap), 'INVALID_ARGUMENT');
      await expectCode(() => store.putManifest({ ...good, version: 2 } as never), 'INVALID_ARGUMENT');
    } finally {
      store.close();
    }
  });

  it('says STORE_CORRUPT, naming the video and the field, for a damaged manifest in the index; the library lists the rest', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    store.putManifest(makeVideo('healthy', 2).manifest);
    store.putManifest(makeVideo('damaged', 2).manifest);
    store.putManifest(makeVideo('not json', 2).manifest);
    store.close();
    const db = new Database(path.join(dir, 'index.sqlite'));
    const row = db.prepare('SELECT manifest FROM videos WHERE name = ?').get('damaged') as {
      manifest: string;
    };
    const damaged = JSON.parse(row.manifest) as { chunks: Array<{ sha256: string }> };
    damaged.chunks[1]!.sha256 = 'not a hash';
    db.prepare('UPDATE videos SET manifest = ? WHERE name = ?').run(JSON.stringify(damaged), 'damaged');
    db.prepare('UPDATE videos SET manifest = ? WHERE name = ?').run('{"version": 1,', 'not json');
    db.close();
    const warnings: string[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) },
    );
    const reopened = await openStore(dir, { logger });
    try {
      const error = await expectCode(() => reopened.getManifest('damaged'), 'STORE_CORRUPT');
      expect(error.message).toMatch(
        /^The stored manifest of "damaged" is damaged: chunks\[1\]\.sha256 must be 64 lower-case hex digits, got "not a hash"\. Add the video again with --replace/,
      );
      await expectCode(() => reopened.getManifest('not json'), 'STORE_CORRUPT');
      // One damaged row must not hide the library: the others are listed, each bad one is named.
      expect(reopened.listVideos().map((video) => video.name)).toEqual(['healthy']);
      expect(warnings).toHaveLength(2);
      expect(warnings.join('\n')).toMatch(/"damaged" is damaged[\s\S]*"not json" is damaged/);
    } finally {
      reopened.close();
    }
  });

  it('says STORE_NOT_WRITABLE when the store path is a file', async () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const error = await expectCode(openStore(file), 'STORE_NOT_WRITABLE');
    expect(error.message).toContain(file);
    await expectCode(openStore(path.join(file, 'below')), 'STORE_NOT_WRITABLE');
  });

  it('says STORE_CORRUPT, naming the file, for a damaged index, and deletes nothing', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await ingest(store, makeVideo('v', 2));
    store.close();
    const file = path.join(dir, 'index.sqlite');
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(file, garbage);
    const error = await expectCode(openStore(dir), 'STORE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/Move the file aside/);
    expect(readFileSync(file)).toEqual(garbage);
  });

  it('says STORE_CORRUPT for a damaged page deep inside an index that opens', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    for (let n = 0; n < 20; n++) store.putManifest(makeVideo(`video ${n}`, 50).manifest);
    store.close();
    const file = path.join(dir, 'index.sqlite');
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4096 * 3, 4096 * 3 + 2000); // scribble over a page after the header
    writeFileSync(file, bytes);
    await expectCode(openStore(dir), 'STORE_CORRUPT');
  });

  it('refuses an index written by a newer schema version', async () => {
    const dir = tempDir();
    (await openStore(dir)).close();
    const db = new Database(path.join(dir, 'index.sqlite'));
    db.pragma('user_version = 99');
    db.close();
    const error = await expectCode(openStore(dir), 'STORE_CORRUPT');
    expect(error.message).toMatch(/schema version 99.*newer PeerStreamer/);
  });
});
