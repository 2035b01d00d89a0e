/**
 * A node's live sessions in one process, on a real store and a real ffmpeg test pattern: the chunk
 * event a later announcer subscribes to, names shared with the library, the checks made before any
 * ffmpeg starts, and stopping every stream (its manifest ended) before the store closes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LiveSessions } from '../../core/node/live-sessions.js';
import type { LiveChunkEntry, LiveManifest } from '../../core/shared/manifest.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { liveChunkProblem } from '../../core/trust/live-signature.js';
import { signatureProblem } from '../../core/trust/manifest-signature.js';
import { publisherKeyPairFromSeed } from '../../core/trust/publisher-key.js';
import { silentLogger } from '../../core/util/logger.js';
import { lacks, requires } from '../helpers/requirements.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';
import { expectCode, ingest, makeVideo } from '../store/helpers.js';

afterEach(cleanupTempDirs);

const KEY = publisherKeyPairFromSeed(new Uint8Array(32).fill(21));

async function sessionsOn(): Promise<{ store: ChunkStore; live: LiveSessions }> {
  const store = await ChunkStore.open(tempDir('live-sessions'));
  return { store, live: new LiveSessions({ store, logger: silentLogger(), key: async () => KEY }) };
}

describe('live sessions: checks before ffmpeg starts', () => {
  it('refuses a taken name, a bad window, a relative file, an unknown stop, each with its code', async () => {
    const { store, live } = await sessionsOn();
    try {
      await ingest(store, makeVideo('movie', 2));
      await expectCode(live.start({ name: 'movie', input: 'testsrc', window: 0 }), 'VIDEO_EXISTS');
      await expectCode(live.start({ name: 'x', input: 'testsrc', window: 1.5 }), 'INVALID_ARGUMENT');
      await expectCode(live.start({ name: 'x', input: 'testsrc', window: 86_401 }), 'INVALID_ARGUMENT');
      const relative = await expectCode(
        live.start({ name: 'x', input: 'file:talk.mp4', window: 0 }),
        'INVALID_ARGUMENT',
      );
      expect(relative.message).toMatch(/not an absolute path.*give the full path/);
      await expectCode(live.start({ name: '../x', input: 'testsrc', window: 0 }), 'INVALID_NAME');
      await expectCode(live.stop('nope'), 'VIDEO_NOT_FOUND');
      expect(live.list()).toEqual([]);
    } finally {
      await live.close();
      store.close();
    }
  });
});

describe.skipIf(lacks(requires.ffmpeg))('live sessions on a test pattern', () => {
  it('emits each stored chunk with its manifest, and ends every stream before the store closes', async () => {
    const { store, live } = await sessionsOn();
    const events: Array<{ name: string; entry: LiveChunkEntry; manifest: LiveManifest }> = [];
    live.on('chunk', (name, entry, manifest) => events.push({ name, entry, manifest }));
    try {
      const info = await live.start({ name: 'cam', input: 'testsrc:320x180@15', window: 0 });
      expect(['starting', 'live']).toContain(info.state);
      await waitFor(() => events.length >= 2, 'two chunk events', 60_000);
      for (const [n, { name, entry, manifest }] of events.entries()) {
        expect(name).toBe('cam');
        expect(entry.index).toBe(n);
        // Emitted once stored: the chunk is held, under the manifest that names it.
        expect(store.hasChunk('cam', entry.index)).toBe(true);
        expect(manifest.chunks[manifest.chunks.length - 1]).toEqual(entry);
        expect(liveChunkProblem(manifest, entry)).toBeNull();
      }
      await expectCode(live.start({ name: 'cam', input: 'testsrc', window: 0 }), 'VIDEO_EXISTS');
      // A recording cannot take a taken name (here the stream's own); nothing stops.
      await expectCode(live.stop('cam', 'cam'), 'VIDEO_EXISTS');
      expect(live.isRunning('cam')).toBe(true);
      await live.close();
      const ended = store.getManifest('cam') as LiveManifest;
      expect(ended.live.state).toBe('ended');
      expect(signatureProblem(ended)).toBeNull();
      expect(live.list()).toEqual([expect.objectContaining({ name: 'cam', state: 'stopped' })]);
      expect(store.listVideos()).toEqual([expect.objectContaining({ name: 'cam', pinned: true })]);
    } finally {
      await live.close();
      store.close();
    }
  });
});
