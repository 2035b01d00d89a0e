/**
 * The desktop node refused by its master (another live node has its name): the app stays up, stops
 * the node and says why, in words the settings screen shows, so the user can pick another name.
 * Real nodes, real stores, real ZeroMQ.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NodeHost } from '../../electron/node-host.js';
import { defaultSettings } from '../../core/settings/settings-model.js';
import { silentLogger } from '../../core/util/logger.js';
import { freePort } from '../../core/util/free-port.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { cleanupTempDirs, tempDir } from '../store/helpers.js';
import { waitFor } from '../helpers/swarm.js';
import { startNode } from '../node/in-process.js';

const nodes: PeerNode[] = [];
let host: NodeHost | undefined;
afterEach(async () => {
  await host?.stop();
  for (const node of nodes.splice(0)) await node.stop();
  cleanupTempDirs();
});

describe('a desktop node whose name is taken under its master', () => {
  it('stops, and the host has the reason for the settings screen when start() returns', async () => {
    const source = await startNode({ name: 'source' });
    nodes.push(source);
    const other = await startNode({ name: 'desk', master: source });
    nodes.push(other);
    await waitFor(() => other.link?.describe() ?? undefined, 'the other desk registered');

    host = new NodeHost({
      storeDir: tempDir('desk'),
      token: 't'.repeat(32),
      staticDir: tempDir('static'),
      logger: silentLogger(),
    });
    const started = await host.start({
      ...defaultSettings('desk'),
      port: await freePort(),
      master: source.address,
    });
    // start() waits for the master's first answer, so the refusal is known when it returns.
    expect(started).toBeNull();
    expect(host.node).toBeNull();
    expect(host.problem).toContain('the name "desk" is already taken under master "source"');
    expect(host.problem).toMatch(/Name in the desktop app's settings/);
    expect(source.registry.child('desk')?.address).toBe(other.address);
  });
});
