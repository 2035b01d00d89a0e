/**
 * The desktop node refused by its master (another live node has its name): the app stays up, stops
 * the node and says why, in words the settings screen shows, so the user can pick another name.
 * Starting does not wait for the master; a Save that renames the node does. Real nodes, real
 * stores, real ZeroMQ.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeHost } from '../../electron/node-host.js';
import { createProtocolHandler } from '../../electron/app-protocol.js';
import { defaultSettings, type AppSettings } from '../../core/settings/settings-model.js';
import { silentLogger } from '../../core/util/logger.js';
import { PeerNode } from '../../core/node/peer-node.js';
import { startNode } from '../node/in-process.js';
import { cleanupTempDirs, tempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 't'.repeat(32);
const nodes: PeerNode[] = [];
let host: NodeHost | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await host?.stop();
  host = undefined;
  for (const node of nodes.splice(0)) await node.stop();
  cleanupTempDirs();
});

/** A source, and another node already registered under it as "desk". */
async function deskIsTaken(): Promise<PeerNode> {
  const source = await startNode({ name: 'source' });
  nodes.push(source);
  const other = await startNode({ name: 'desk', master: source });
  nodes.push(other);
  await waitFor(() => other.link?.describe() ?? undefined, 'the other desk registered');
  return source;
}

function newHost(): NodeHost {
  host = new NodeHost({
    storeDir: tempDir('desk'),
    token: TOKEN,
    staticDir: tempDir('static'),
    logger: silentLogger(),
  });
  return host;
}

async function settings(name: string, source: PeerNode): Promise<AppSettings> {
  // Port 0: any free port, taken at bind (a port picked first could be taken by another test).
  // Port mapping off: the app's default would ask this machine's real router.
  return { ...defaultSettings(name), port: 0, master: source.address, portMapping: false };
}

const takenMessage = 'the name "desk" is already taken under master "source"';

describe('a desktop node whose name is taken under its master', () => {
  it('start() does not wait for the master: it returns the node, and the refusal stops it when it comes', async () => {
    const source = await deskIsTaken();
    const desk = newHost();
    const started = await desk.start(await settings('desk', source));
    // Returned before the master answered: the app shows its window without waiting on the network.
    expect(started, desk.problem ?? '').not.toBeNull();
    const problem = await waitFor(() => desk.problem ?? undefined, 'the refusal to be kept');
    expect(problem).toContain(takenMessage);
    expect(problem).toMatch(/Name in the desktop app's settings/);
    expect(desk.node).toBeNull();
    expect(source.registry.child('desk')?.address).toBe(nodes[1]!.address);
  });

  it('a Save that renames the node to a taken name: apply() has the reason when it returns', async () => {
    const source = await deskIsTaken();
    const desk = newHost();
    const before = await settings('desk-2', source);
    expect(await desk.start(before)).not.toBeNull();
    const after = { ...before, name: 'desk' };
    expect(await desk.apply(before, after)).toBe('restarted');
    expect(desk.node).toBeNull();
    expect(desk.problem).toContain(takenMessage);
    expect(source.registry.child('desk')?.address).toBe(nodes[1]!.address);
  });

  it('a Save that starts another node while the refused one is still stopping: the new node stands', async () => {
    const source = await deskIsTaken();
    const desk = newHost();
    // The refused node's stop waits for the test, so the Save lands in the middle of it.
    const stop = PeerNode.prototype.stop;
    let entered!: () => void;
    const stopEntered = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let refusedStopped: Promise<void> | null = null;
    vi.spyOn(PeerNode.prototype, 'stop').mockImplementation(function (this: PeerNode) {
      if (refusedStopped !== null) return stop.call(this);
      entered();
      refusedStopped = released.then(() => stop.call(this));
      return refusedStopped;
    });

    const taken = await settings('desk', source);
    await desk.start(taken);
    await stopEntered;
    expect(desk.node).toBeNull();
    const renamed = { ...taken, name: 'desk-2' };
    const applying = desk.apply(taken, renamed);
    release();
    // The new node waits for the old one to let go of the store, and the refusal's late handling
    // must not mark it as stopped.
    expect(await applying).toBe('restarted');
    expect(desk.node?.config.name, String(desk.problem)).toBe('desk-2');
    expect(desk.problem).toBeNull();
    const handle = createProtocolHandler({ gateway: () => desk.gateway(), token: TOKEN });
    const stats = await handle(new Request('peerstreamer://app/api/stats'));
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { name: string }).name).toBe('desk-2');
  });
});
