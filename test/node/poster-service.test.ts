/**
 * A node fetching a poster from a master that lies: a raw ZeroMQ ROUTER sends replies no PeerServer
 * would (too big, wrong bytes, the wrong image type). Real sockets, a real store on disk, a real
 * ffmpeg-made poster. Each bad reply is refused, counted, and never stored.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Packr, Unpackr } from 'msgpackr';
import type * as zmq from 'zeromq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePoster } from '../../core/media/poster.js';
import { probeMedia } from '../../core/media/probe.js';
import { PeerClient } from '../../core/net/client.js';
import type { PeerServer } from '../../core/net/server.js';
import { NodeCounters } from '../../core/node/node-counters.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import { PosterService } from '../../core/node/poster-service.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { MAX_POSTER_BYTES } from '../../core/shared/poster.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { PeerStreamerError } from '../../core/util/errors.js';
import { sha256Hex } from '../../core/util/hash.js';
import { silentLogger } from '../../core/util/logger.js';
import { h264Aac720p } from '../helpers/media-fixtures.js';
import { makeVideo } from '../store/helpers.js';
import { rawCurveRouter, startServer } from '../net/helpers.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const VIDEO = 'talk';

type Answer = (id: number) => Buffer[];

/** A master that answers get-poster however the test says, counting what it was asked. */
class LyingMaster {
  router!: zmq.Router;
  answer: Answer = (id) => [header(id, { type: 'error', code: 'CHUNK_NOT_FOUND', message: 'none' })];
  asked = 0;
  address = '';

  async start(): Promise<void> {
    ({ router: this.router, address: this.address } = await rawCurveRouter());
    void (async () => {
      for await (const [peer, frame] of this.router) {
        const request = unpackr.unpack(frame!) as { id: number; type: string };
        if (request.type === 'get-poster') this.asked += 1;
        await this.router.send([peer!, ...this.answer(request.id)]);
      }
    })().catch(() => undefined);
  }
}

function header(id: number, fields: Record<string, unknown>): Buffer {
  return packr.pack({ v: 1, id, ...fields });
}

let image: Buffer;
let dir: string;
const master = new LyingMaster();

beforeAll(async () => {
  const { path: file } = await h264Aac720p(4);
  image = (await makePoster(file, await probeMedia(file), 4)).bytes;
  await master.start();
});
afterAll(() => master.router.close());

let store: ChunkStore;
let server: PeerServer;
let client: PeerClient;
let counters: NodeCounters;
let health: PeerHealth;
let service: PosterService;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ps-poster-service-'));
  store = await ChunkStore.open(dir);
  const manifest: MediaManifest = {
    ...(makeVideo(VIDEO, 2).manifest as MediaManifest),
    poster: { size: image.length, sha256: sha256Hex(image), mimeType: 'image/webp' },
  };
  store.putManifest(manifest);
  server = await startServer({ name: 'child' });
  client = new PeerClient({ timeoutMs: 2_000 });
  counters = new NodeCounters();
  health = new PeerHealth();
  master.asked = 0;
  service = new PosterService({
    selfName: 'child',
    server,
    store,
    transport: client,
    manifest: async (video) => {
      const found = store.getManifest(video);
      if (found === undefined) throw new PeerStreamerError('VIDEO_NOT_FOUND', `no ${video}`);
      return found;
    },
    upstream: {
      current: () => ({ name: 'master', address: master.address, isSource: true }),
      masterFailed: () => undefined,
      waitForMaster: async () => null,
    },
    hasUpstream: true,
    counters,
    health,
    logger: silentLogger(),
  });
});

afterEach(async () => {
  await client.close();
  await server.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const ok = (id: number, fields: Record<string, unknown>, body: Buffer): Buffer[] => [
  header(id, {
    type: 'get-poster-ok',
    video: VIDEO,
    size: body.length,
    sha256: sha256Hex(body),
    mimeType: 'image/webp',
    ...fields,
  }),
  body,
];

describe.skipIf(noFfmpeg)('a poster reply that is not the poster', () => {
  it.each<[string, Answer]>([
    [
      'larger than a poster may be',
      (id) => ok(id, {}, Buffer.concat([image, Buffer.alloc(MAX_POSTER_BYTES)])),
    ],
    [
      'other bytes of the right size',
      (id) => ok(id, {}, Buffer.from(image.map((b, i) => (i === 99 ? b ^ 1 : b)))),
    ],
    [
      'the right size claiming the right hash, with other bytes',
      (id) => ok(id, { sha256: sha256Hex(image) }, Buffer.alloc(image.length, 0x52)),
    ],
    ['the right image sent as another type', (id) => ok(id, { mimeType: 'image/jpeg' }, image)],
    ['a format the player does not show', (id) => ok(id, { mimeType: 'image/svg+xml' }, image)],
  ])('%s: refused, counted against the master, not stored', async (_, answer) => {
    master.answer = answer;
    expect(await service.poster(VIDEO)).toBeNull();
    expect(counters.badPosters).toBe(1);
    expect(health.get(master.address)?.failures).toBe(1);
    expect(store.posters.has(VIDEO)).toBe(false);
    expect(await store.posters.get(VIDEO)).toBeUndefined();
  });

  it('an older master that does not know get-poster: no poster, and nothing counted', async () => {
    master.answer = (id) => [header(id, { type: 'error', code: 'UNKNOWN_TYPE', message: 'no such type' })];
    expect(await service.poster(VIDEO)).toBeNull();
    expect(counters.badPosters).toBe(0);
    expect(health.get(master.address)?.failures).toBe(0);
    expect(health.get(master.address)?.rttMs).toBeNull();
  });
});

describe.skipIf(noFfmpeg)('a poster reply that is the poster', () => {
  it('is kept, then served from the store without asking again; concurrent asks share one trip', async () => {
    master.answer = (id) => ok(id, {}, image);
    const [first, second] = await Promise.all([service.poster(VIDEO), service.poster(VIDEO)]);
    expect(master.asked).toBe(1);
    // A poster's trip through the master is not a round-trip time: heartbeats measure the link.
    expect(health.get(master.address)).toMatchObject({ rttMs: null, bytesDown: image.length });
    expect(Buffer.compare(first!.bytes, image)).toBe(0);
    expect(Buffer.compare(second!.bytes, image)).toBe(0);
    expect(store.posters.has(VIDEO)).toBe(true);
    expect(await service.poster(VIDEO)).not.toBeNull();
    expect(master.asked).toBe(1);
    expect(counters.badPosters).toBe(0);

    // And this node answers get-poster for its own children with the same bytes.
    const asker = new PeerClient({ timeoutMs: 2_000 });
    try {
      const { reply, body } = await asker.request(server.address, { type: 'get-poster', video: VIDEO });
      expect(reply).toMatchObject({ size: image.length, sha256: sha256Hex(image), mimeType: 'image/webp' });
      expect(Buffer.compare(body!, image)).toBe(0);
      await expect(
        asker.request(server.address, { type: 'get-poster', video: 'nobody' }),
      ).rejects.toMatchObject({ code: 'VIDEO_NOT_FOUND' });
    } finally {
      await asker.close();
    }
  });
});
