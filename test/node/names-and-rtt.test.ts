/**
 * Registration by name and node id, and the round-trip times the peer table shows, between real
 * nodes in this process (real stores, real ZeroMQ on loopback, 100 ms heartbeats).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerNode } from '../../core/node/peer-node.js';
import { PeerClient } from '../../core/net/client.js';
import { NODE_ID_SETTING } from '../../core/node/node-identity.js';
import { openStore, cleanupTempDirs, tempDir } from '../store/helpers.js';
import { waitFor } from '../helpers/swarm.js';
import { startNode, sourceStoreDir, type InProcessNode } from './in-process.js';

const running = new Set<PeerNode>();
afterEach(async () => {
  await Promise.all([...running].map((node) => node.stop()));
  running.clear();
  cleanupTempDirs();
});

async function node(spec: InProcessNode): Promise<PeerNode> {
  const started = await startNode(spec);
  running.add(started);
  return started;
}

async function registered(child: PeerNode): Promise<void> {
  await waitFor(() => child.link?.describe() ?? undefined, `${child.config.name} registered`);
}

const childrenOf = (master: PeerNode) =>
  master.registry.children().map((child) => `${child.name}@${child.address}`);

describe('a name under a master belongs to one node', () => {
  it('refuses a second node under a live name with NAME_TAKEN; the first keeps its place', async () => {
    const source = await node({
      name: 'source',
      store: await sourceStoreDir(),
      options: { deadChildAfterMs: 500 },
    });
    const first = await node({ name: 'ben', master: source });
    let firstFailed = false;
    void first.fatal.then(() => (firstFailed = true));
    await registered(first);
    const before = { children: childrenOf(source), held: source.registry.directory.inventoryOf('ben') };

    const second = await node({ name: 'ben', master: source });
    const refused = await second.fatal;
    expect(refused.code).toBe('NAME_TAKEN');
    expect(refused.message).toContain(`the master at ${source.address} refused this node`);
    expect(refused.message).toContain('the name "ben" is already taken under master "source"');
    expect(refused.message).toContain(`another node (at ${first.address}`);
    expect(refused.message).toMatch(/Pick another name for this node \(--name.*\), or stop the other node/);
    expect(second.link?.describe()).toBeNull();

    expect(childrenOf(source)).toEqual(before.children);
    expect(source.registry.directory.inventoryOf('ben')).toEqual(before.held);
    // The first node's heartbeats still count: it is still there well past the dead-child bound.
    const refusedAt = Date.now();
    await waitFor(
      () => (source.registry.child('ben')?.lastSeenAt ?? 0) > refusedAt + 1_000 || undefined,
      'heartbeats from the first node a second after the refusal',
    );
    expect(childrenOf(source)).toEqual([`ben@${first.address}`]);
    expect(firstFailed).toBe(false);
  });

  it('keeps one id per store, so the node restarting on it is the same node', async () => {
    const dir = tempDir('child');
    const source = await node({ name: 'source', store: await sourceStoreDir() });
    const once = await node({ name: 'ben', store: dir, master: source });
    const id = once.nodeId;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    await registered(once);
    expect(source.registry.child('ben')?.nodeId).toBe(id);
    await once.stop();
    running.delete(once);
    const again = await node({ name: 'ben', store: dir, master: source });
    expect(again.nodeId).toBe(id);
    const elsewhere = await node({ name: 'alyssa', master: source });
    expect(elsewhere.nodeId).not.toBe(id);
  });

  it('replaces a store’s malformed id with a new one', async () => {
    const dir = tempDir('child');
    const store = await openStore(dir);
    store.setSetting(NODE_ID_SETTING, 'not an id');
    store.close();
    const started = await node({ name: 'ben', store: dir });
    expect(started.nodeId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a supermaster that has another node of that name only rules itself out as the fallback', async () => {
    const source = await node({ name: 'source', store: await sourceStoreDir() });
    await node({ name: 'ben', master: source });
    const mitStore = tempDir('mit');
    const mit = await node({ name: 'mit', store: mitStore, master: source });
    const deepBen = await node({ name: 'ben', master: mit, supermaster: source });
    await registered(deepBen);
    const mitPort = mit.server.address.split(':').at(-1)!;
    await mit.stop();
    running.delete(mit);
    // Failing over, deepBen is refused by the source (its own "ben" is alive): it waits for mit.
    const errorsBefore = source.server.counters().handlerErrors;
    await waitFor(() => deepBen.link?.describe() === null || undefined, 'deepBen lost its master');
    await waitFor(
      () => source.server.counters().handlerErrors > errorsBefore || undefined,
      'the source refusing deepBen',
    );
    expect(source.registry.child('ben')?.address).not.toBe(deepBen.address);
    let fatal = false;
    void deepBen.fatal.then(() => (fatal = true));
    const back = await node({ name: 'mit', store: mitStore, port: Number(mitPort), master: source });
    await waitFor(
      () => deepBen.link?.describe()?.address === back.address || undefined,
      'deepBen back under mit',
      10_000,
    );
    expect(fatal).toBe(false);
  });
});

describe('round-trip times', () => {
  it('measure the heartbeat, follow it over time, and match a ping this test times itself', async () => {
    const source = await node({ name: 'source', store: await sourceStoreDir() });
    const child = await node({ name: 'ben', master: source });
    const masterRow = () => child.stats().peers.find((peer) => peer.relation === 'master');
    await waitFor(() => (child.health.get(source.address)?.rttSamples ?? 0) >= 5, 'five heartbeats');
    const seen = new Set<number | null>();
    await waitFor(() => {
      seen.add(masterRow()?.rttMs ?? null);
      return seen.size >= 3 || undefined;
    }, 'the RTT to move with new heartbeats');
    expect(masterRow()).toMatchObject({ name: 'source', address: source.address });

    const client = new PeerClient();
    const samples: number[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        await client.request(source.address, { type: 'ping' });
        samples.push(performance.now() - started);
      }
    } finally {
      await client.close();
    }
    samples.sort((a, b) => a - b);
    const measured = samples[10]!;
    const shown = masterRow()!.rttMs!;
    expect(shown).toBeGreaterThan(0);
    // Same kind of round trip on the same loopback: the same order of magnitude, not tens of ms off.
    expect(Math.abs(shown - measured)).toBeLessThan(Math.max(5, measured * 4));

    // The master shows the figure its child measured, carried in the heartbeat.
    await waitFor(
      () => source.stats().peers.find((peer) => peer.relation === 'child' && peer.name === 'ben')?.rttMs,
      'the child’s RTT at the master',
    );
  });
});
