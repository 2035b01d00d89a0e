import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import type { Manifest, MediaManifest } from '../../core/shared/manifest.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { makeVideo, sha256, type TestVideo } from './helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';

/**
 * The store's LRU + pins, against the simplest model that can be right: a map of held chunks with a
 * use counter. Chunks are 100 bytes, so capacity is counted in chunks. Video "p" is pinned whole.
 */
const CHUNKS = 6;
const SIZE = 100;
const VIDEOS = ['a', 'b'] as const;

type Command =
  | { kind: 'put'; video: (typeof VIDEOS)[number]; index: number }
  | { kind: 'get'; video: (typeof VIDEOS)[number]; index: number }
  | { kind: 'pin'; video: (typeof VIDEOS)[number]; index: number }
  | { kind: 'unpin'; video: (typeof VIDEOS)[number]; index: number }
  | { kind: 'capacity'; chunks: number | null };

class Model {
  readonly held = new Map<string, number>(); // key -> last use
  readonly pins = new Map<string, number>();
  capacity: number | null = null;
  private clock = 0;

  constructor(pinnedChunks: number) {
    for (let n = -1; n < pinnedChunks; n++) this.held.set(`p/${n}`, this.clock++);
  }

  put(key: string): void {
    this.held.set(key, this.clock++);
    this.evict(key);
  }

  get(key: string): void {
    if (this.held.has(key)) this.held.set(key, this.clock++);
  }

  setCapacity(chunks: number | null): void {
    this.capacity = chunks;
    this.evict(undefined);
  }

  private evict(keep: string | undefined): void {
    if (this.capacity === null) return;
    const candidates = [...this.held.entries()]
      .filter(([key]) => key !== keep && !key.startsWith('p/') && (this.pins.get(key) ?? 0) === 0)
      .sort((x, y) => x[1] - y[1]);
    let over = this.bytes() - this.capacity * SIZE;
    for (const [key] of candidates) {
      if (over <= 0) break;
      this.held.delete(key);
      over -= SIZE;
    }
  }

  private bytes(): number {
    return this.held.size * SIZE;
  }
}

const key = fc.record({ video: fc.constantFrom(...VIDEOS), index: fc.integer({ min: 0, max: CHUNKS - 1 }) });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: key.map((k) => ({ kind: 'put' as const, ...k })) },
  { weight: 3, arbitrary: key.map((k) => ({ kind: 'get' as const, ...k })) },
  { weight: 2, arbitrary: key.map((k) => ({ kind: 'pin' as const, ...k })) },
  { weight: 2, arbitrary: key.map((k) => ({ kind: 'unpin' as const, ...k })) },
  {
    weight: 1,
    arbitrary: fc
      .option(fc.integer({ min: 1, max: 8 }), { nil: null })
      .map((chunks) => ({ kind: 'capacity' as const, chunks })),
  },
);

afterAll(cleanupTempDirs);

describe('LRU and pins against a reference model', () => {
  it('holds the same chunks as the model after any sequence of operations', async () => {
    const videos = new Map<string, TestVideo>(VIDEOS.map((name) => [name, makeVideo(name, CHUNKS, SIZE)]));
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (commands) => {
        const store = await ChunkStore.open(tempDir('lru'));
        try {
          // A pinned source video: 100-byte init + 2 chunks.
          const source = makeVideo('p', 2, SIZE);
          const init = Buffer.alloc(SIZE, 7);
          const manifest: Manifest = {
            ...(source.manifest as MediaManifest),
            init: { size: SIZE, sha256: sha256(init) },
          };
          const writer = store.beginVideo('p', { replace: false });
          await writer.writeInit(init);
          for (const [n, bytes] of source.chunks.entries()) await writer.writeChunk(n, bytes);
          await writer.commit(manifest);
          for (const video of videos.values()) store.putManifest(video.manifest);

          const model = new Model(2);
          for (const step of commands) {
            const id = step.kind === 'capacity' ? '' : `${step.video}/${step.index}`;
            switch (step.kind) {
              case 'put':
                await store.putChunk(step.video, step.index, videos.get(step.video)!.chunks[step.index]!);
                model.put(id);
                break;
              case 'get':
                await store.getChunk(step.video, step.index);
                model.get(id);
                break;
              case 'pin':
                store.pinChunk(step.video, step.index);
                model.pins.set(id, (model.pins.get(id) ?? 0) + 1);
                break;
              case 'unpin': {
                store.unpinChunk(step.video, step.index);
                const count = model.pins.get(id) ?? 0;
                if (count > 1) model.pins.set(id, count - 1);
                else model.pins.delete(id);
                break;
              }
              case 'capacity':
                await store.setCapacity(step.chunks === null ? null : step.chunks * SIZE);
                model.setCapacity(step.chunks);
                break;
            }
            const actual = store
              .heldChunks()
              .map((k) => `${k.video}/${k.index}`)
              .sort();
            const expected = [...model.held.keys()].sort();
            if (JSON.stringify(actual) !== JSON.stringify(expected)) {
              throw new Error(
                `after ${JSON.stringify(step)}: store holds ${actual.join(' ')}, model ${expected.join(' ')}`,
              );
            }
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
