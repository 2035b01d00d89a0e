/**
 * Node identities over the real wiring: node processes speaking CURVE, and raw ZeroMQ clients that
 * try to speak for a child. A raw client gets in (an open swarm) with a key of its own, and that key
 * is all it can speak for; a routing id that claims another node's key proves nothing. With
 * `--allow`, keys not listed are refused at the handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Packr, Unpackr } from 'msgpackr';
import { writeFileSync } from 'node:fs';
import type * as zmq from 'zeromq';
import {
  SWARM_TIMEOUT_MS,
  Swarm,
  assertBuilt,
  statsOf,
  topologyOf,
  type NodeProcess,
} from '../helpers/swarm.js';
import { curveDealer, type CurveDealerOptions } from '../helpers/curve-dealer.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { waitFor } from '../helpers/wait.js';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });
const swarm = new Swarm();
let source: NodeProcess;
let alice: NodeProcess;
const dealers: zmq.Dealer[] = [];

beforeAll(async () => {
  assertBuilt();
  source = await swarm.start({ name: 'source' });
  alice = await swarm.start({ name: 'alice', master: source });
}, SWARM_TIMEOUT_MS);
afterAll(async () => {
  for (const dealer of dealers) dealer.close();
  await swarm.stop();
});

let nextId = 1;
/** Sends one request on a raw CURVE DEALER and reads its reply (or undefined on no reply). */
async function ask(
  to: NodeProcess,
  fields: Record<string, unknown>,
  options: CurveDealerOptions = { proveKey: true },
): Promise<Record<string, unknown> | undefined> {
  const { dealer } = curveDealer(to.address, to.key, { receiveTimeout: 3_000, ...options });
  dealers.push(dealer);
  const id = nextId++;
  await dealer.send(packr.pack({ v: 1, id, ...fields }));
  try {
    const [header] = await dealer.receive();
    return unpackr.unpack(header!) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const registerAsAlice = {
  type: 'register',
  name: 'alice',
  address: 'tcp://127.0.0.1:9',
  role: 'child',
  seeding: true,
  chunks: [],
  capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
};

const childrenOf = async (node: NodeProcess) => (await statsOf(node)).childCount;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('node identities over CURVE', { timeout: SWARM_TIMEOUT_MS }, () => {
  it("refuses a register under a live child's name from another key: NAME_TAKEN", async () => {
    const reply = await ask(source, registerAsAlice);
    expect(reply).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
    expect(String(reply?.message)).toContain('alice');
  });

  it("refuses a register whose routing id claims the child's key without proving it", async () => {
    const claims = [alice.key, `${alice.key}.${'0'.repeat(16)}.${'0'.repeat(32)}`];
    for (const routingId of claims) {
      const reply = await ask(source, registerAsAlice, { routingId });
      expect(reply).toMatchObject({ type: 'error', code: 'UNAUTHENTICATED' });
    }
    const tree = await topologyOf(source);
    expect(tree.children.map((child) => [child.name, child.address])).toEqual([['alice', alice.address]]);
  });

  it('ignores a bye sent as the child every 200 ms, and a report sent as it', async () => {
    const report = await ask(source, {
      type: 'report',
      name: 'alice',
      added: [{ video: 'movie', indexes: [1] }],
      removed: [],
    });
    expect(report).toMatchObject({ type: 'error', code: 'NOT_REGISTERED' });
    for (let i = 0; i < 10; i++) {
      expect(await ask(source, { type: 'bye', name: 'alice' })).toMatchObject({ type: 'bye-ok' });
      await sleep(200);
      expect(await childrenOf(source)).toBe(1);
    }
  });

  it("pings in a SIGKILLed child's name do not keep it listed", async () => {
    const victim = await swarm.start({ name: 'bob', master: source });
    await waitFor(async () => (await childrenOf(source)) === 2, 'bob registered');
    await victim.kill('SIGKILL');
    let stop = false;
    const pinging = (async () => {
      while (!stop) {
        const reply = await ask(source, { type: 'ping', name: 'bob' });
        expect(reply).toMatchObject({ type: 'error', code: 'NOT_REGISTERED' });
        await sleep(200);
      }
    })();
    try {
      await waitFor(async () => (await childrenOf(source)) === 1, 'bob dropped while pinged for');
    } finally {
      stop = true;
      await pinging;
    }
  });

  it('prints the key in the ready line and stats, with its fingerprint', async () => {
    const stats = await statsOf(alice);
    expect(stats.key).toBe(alice.key);
    expect(stats.keyFingerprint).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('a closed swarm (--allow)', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('refuses keys not on the list at the handshake, and counts them', async () => {
    const member = newCurveKeyPair();
    const list = `${swarm.dir('allow')}/allowed`;
    // The test's own PeerClient (stats) has a fresh key each time: it cannot be listed, so this node
    // is asked through a member's key only.
    writeFileSync(list, `# the swarm\n${member.publicKey}  # a member\n`);
    const closed = await swarm.start({ name: 'closed', extra: ['--allow', list], until: 'ready' });
    expect(await ask(closed, { type: 'ping' }, { keys: newCurveKeyPair(), proveKey: true })).toBeUndefined();
    const reply = await ask(closed, { type: 'stats' }, { keys: member, proveKey: true });
    expect(reply).toMatchObject({ type: 'stats-ok' });
    expect((reply?.stats as { handshakesRefused: number }).handshakesRefused).toBeGreaterThanOrEqual(1);
  });

  it('refuses to start with a bad line, naming the file and the line', async () => {
    const list = `${swarm.dir('allow-bad')}/allowed`;
    writeFileSync(list, `${newCurveKeyPair().publicKey}\nnot-a-key\n`);
    const bad = await swarm.start({ name: 'bad', extra: ['--allow', list], until: 'spawned' });
    expect(await bad.waitForExit()).not.toBe(0);
    expect(bad.output()).toContain(`${list} line 2`);
  });
});
