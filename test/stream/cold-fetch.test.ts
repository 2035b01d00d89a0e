/**
 * A cold fetch does not wait for the manifest before asking for the chunk: on a cold path each is a
 * round trip up the tree. A ChunkFetcher on its own real store asks a real source node over real
 * sockets; a recording transport in between can hold back one kind of reply until another has come,
 * which fixes the order in which answers arrive without any sleep.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import { NodeCounters } from '../../core/node/node-counters.js';
import { PeerHealth } from '../../core/net/peer-health.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import type { Transport } from '../../core/net/transport.js';
import { ChunkStore } from '../../core/store/chunk-store.js';
import { ChunkFetcher } from '../../core/stream/chunk-fetcher.js';
import { silentLogger } from '../../core/util/logger.js';
import { startNode, sourceStoreDir } from '../node/in-process.js';
import { makeVideo } from '../store/helpers.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { trustOnFirstUse } from '../helpers/trust.js';
import { storedManifestDigest } from '../../core/trust/manifest-digests.js';

/** The video sourceStoreDir() ingests: 20 chunks of 4000 bytes. */
const video = makeVideo('movie', 20, 4000);

let source: PeerNode;
const client = new PeerClient({ logger: silentLogger() });
const stores: ChunkStore[] = [];

beforeAll(async () => {
  source = await startNode({ name: 'source', store: await sourceStoreDir('movie', 4000) });
});

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

afterAll(async () => {
  await source?.stop();
  await client.close();
  cleanupTempDirs();
});

interface Recorded {
  events: string[];
  /** Holds every reply of `held` until a reply of `until` has come back. */
  holdBack(held: string, until: string): void;
  /** Changes the body of every `get` reply (a corrupt master). */
  corrupt(): void;
}

/** The real client, recording "<type> sent" and "<type> answered", in order. */
function recordingTransport(): Transport & Recorded {
  const events: string[] = [];
  const gates = new Map<string, { until: string; open: Promise<void>; release: () => void }>();
  let corrupt = false;
  return {
    events,
    holdBack(held, until) {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      gates.set(held, { until, open, release });
    },
    corrupt() {
      corrupt = true;
    },
    async request(address, request, options) {
      events.push(`${request.type} sent`);
      const answer = await client.request(address, request, options).catch(async (error: unknown) => {
        events.push(`${request.type} failed`);
        throw error;
      });
      await gates.get(request.type)?.open;
      events.push(`${request.type} answered`);
      for (const gate of gates.values()) if (gate.until === request.type) gate.release();
      if (corrupt && answer.body !== undefined) {
        const body = Buffer.from(answer.body);
        body[0] = body[0]! ^ 0xff;
        return { ...answer, body };
      }
      return answer;
    },
  } as Transport & Recorded;
}

async function coldFetcher(
  transport: Transport,
): Promise<{ fetcher: ChunkFetcher; counters: NodeCounters; health: PeerHealth; store: ChunkStore }> {
  const store = await ChunkStore.open(tempDir('cold-fetch'));
  stores.push(store);
  const counters = new NodeCounters();
  const health = new PeerHealth();
  const master = { name: 'source', address: source.address, isSource: true };
  const fetcher = new ChunkFetcher({
    selfName: 'viewer',
    store,
    manifestDigestOf: (video) => storedManifestDigest(store, video),
    manifestTrust: trustOnFirstUse(),
    transport,
    upstream: {
      current: () => master,
      masterFailed: () => undefined,
      waitForMaster: async () => master,
    },
    health,
    counters,
    logger: silentLogger(),
  });
  return { fetcher, counters, health, store };
}

describe('a cold fetch', () => {
  it('asks for the chunk before the manifest arrives, and keeps it once the manifest vouches for it', async () => {
    const transport = recordingTransport();
    // The manifest's reply is held until the chunk's has come: a fetch that waited for the manifest
    // before asking for the chunk would never finish.
    transport.holdBack('get-manifest', 'get');
    const { fetcher, store } = await coldFetcher(transport);
    const chunk = await fetcher.fetch('movie', 0);
    expect(chunk.origin).toBe('source');
    expect(chunk.bytes.equals(video.chunks[0]!)).toBe(true);
    expect(transport.events.indexOf('get answered')).toBeLessThan(
      transport.events.indexOf('get-manifest answered'),
    );
    await until(() => store.hasChunk('movie', 0));
  });

  it('asks for the holders of the start once, with the manifest, for the init segment and chunk 0 together', async () => {
    const transport = recordingTransport();
    const { fetcher } = await coldFetcher(transport);
    const [init, first] = await Promise.all([fetcher.fetch('movie', -1), fetcher.fetch('movie', 0)]);
    expect(init.bytes.equals(video.init)).toBe(true);
    expect(first.bytes.equals(video.chunks[0]!)).toBe(true);
    expect(transport.events.filter((event) => event === 'query sent')).toHaveLength(1);
    expect(transport.events.filter((event) => event === 'get-manifest sent')).toHaveLength(1);
  });

  it('refuses bytes that came before the manifest and do not match it', async () => {
    const transport = recordingTransport();
    transport.holdBack('get-manifest', 'get');
    transport.corrupt();
    const { fetcher, counters, store } = await coldFetcher(transport);
    await expect(fetcher.fetch('movie', 3)).rejects.toMatchObject({ code: 'UNREACHABLE' });
    // Both rounds at the master sent bad bytes; neither was kept.
    expect(counters.corruptChunks).toBe(2);
    expect(store.hasChunk('movie', 3)).toBe(false);
  });

  it('says CHUNK_NOT_FOUND for a chunk past the end, without holding it against the master', async () => {
    const transport = recordingTransport();
    const { fetcher, counters, health } = await coldFetcher(transport);
    await expect(fetcher.fetch('movie', video.chunks.length)).rejects.toMatchObject({
      code: 'CHUNK_NOT_FOUND',
    });
    expect(health.avoided(source.address)).toBe(false);
    expect(counters.failovers).toBe(0);
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}
