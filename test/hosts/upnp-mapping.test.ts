/**
 * Opening a node's port on its home router by UPnP-IGD (issue 11 §3), against a real UPnP daemon:
 * miniupnpd, on the router's namespace (upnp-net.ts). The node behind it finds the router by SSDP,
 * maps its port by SOAP, and its master outside dials it back at the address the router gave:
 * `stats` turns reachable and the master lists it as a holder. It deletes the mapping when it stops.
 * A router whose UPnP refuses the mapping leaves it unreachable, with one clear warning, playing on.
 *
 * Run as root: `npx vitest run -c vitest.hosts.config.ts test/hosts/upnp-mapping.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, type NodeProcess } from '../helpers/swarm.js';
import { h264AacClip } from '../helpers/media-fixtures.js';
import { waitFor } from '../helpers/wait.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { bedUnavailable, tcpProbe } from './netns.js';
import {
  NODE_PORT,
  keepLog,
  nodeAddressOf,
  nodeWarnings,
  playOnHost,
  startHostNode,
  statsOnHost,
} from './host-node.js';
import {
  ROUTER_INSIDE_IP,
  ROUTER_OUTSIDE_IP,
  buildUpnpNet,
  miniupnpdMissing,
  startMiniupnpd,
  teardownUpnpNet,
  upnpForwards,
  type Miniupnpd,
  type UpnpNet,
} from './upnp-net.js';

const unavailable = bedUnavailable() ?? miniupnpdMissing();
if (unavailable !== null) console.warn(unavailable);

const SCRATCH = path.join(os.tmpdir(), 'psupnp');
/** The nodes' and miniupnpd's output, kept after the run (the next run replaces it): a failure's evidence. */
const LOGS = path.join(os.tmpdir(), 'psupnp-logs');
const TIMEOUT_MS = 300_000;
const OUTSIDE_ADDRESS = `${ROUTER_OUTSIDE_IP}:${NODE_PORT}`;

let net: UpnpNet;
let source: NodeProcess;
let home: NodeProcess | undefined;
let router: Miniupnpd | undefined;
let video: string;

/** (Re)starts the home node on the same store with mapping on, registering with the source. */
async function startHome(): Promise<NodeProcess> {
  if (home?.alive) await home.kill('SIGTERM');
  if (home) keepLog(LOGS, 'home', home.logs);
  home = startHostNode(net.home, {
    store: path.join(SCRATCH, 'home'),
    placement: ['--master', nodeAddressOf(net.out)],
    extra: ['--port-mapping', 'on'],
  });
  await home.ready;
  return home;
}

async function startRouter(allow: boolean): Promise<void> {
  await router?.stop();
  if (router) keepLog(LOGS, 'miniupnpd', router.logs);
  router = await startMiniupnpd(net, SCRATCH, allow);
}

describe.skipIf(unavailable !== null)(
  'a node behind a home router opens its port by UPnP-IGD (miniupnpd, network namespaces)',
  { timeout: TIMEOUT_MS },
  () => {
    beforeAll(async () => {
      assertBuilt();
      process.once('exit', teardownUpnpNet);
      rmSync(SCRATCH, { recursive: true, force: true });
      mkdirSync(SCRATCH, { recursive: true });
      rmSync(LOGS, { recursive: true, force: true });
      mkdirSync(LOGS, { recursive: true });
      const clip = await h264AacClip({ seconds: 4, keyframeSeconds: 1 });
      const store = path.join(SCRATCH, 'out');
      const added = await runCli(['add', clip.path, '--store', store, '--name', 'clip', '--json']);
      if (added.code !== 0) throw new Error(`add failed: ${added.stderr}`);
      video = (JSON.parse(added.stdout) as MediaManifest).name;
      net = await buildUpnpNet(SCRATCH);
      source = startHostNode(net.out, { store, placement: [] });
      await source.ready;
    });

    afterAll(async () => {
      await home?.kill('SIGKILL');
      await source?.kill('SIGKILL');
      await router?.stop().catch(() => undefined);
      if (home) keepLog(LOGS, 'home', home.logs);
      if (source) keepLog(LOGS, 'out', source.logs);
      if (router) keepLog(LOGS, 'miniupnpd', router.logs);
      teardownUpnpNet();
      rmSync(SCRATCH, { recursive: true, force: true });
    });

    it('maps its port by UPnP, is dialled back at the router’s address, and unmaps when it stops', async () => {
      await startRouter(true);
      expect(await tcpProbe(net.out, ROUTER_OUTSIDE_IP, NODE_PORT, 1_000)).not.toBe('connected');
      const node = await startHome();
      const stats = await waitFor(
        async () => {
          const now = await statsOnHost(net.home);
          return now.currentMaster !== null && now.reachable === true ? now : undefined;
        },
        'the home node mapped and dialled back',
        60_000,
      );
      expect(stats.address).toBe(`tcp://${OUTSIDE_ADDRESS}`);
      expect(stats.portMapping).toMatchObject({
        state: 'mapped',
        protocol: 'UPnP',
        gateway: ROUTER_INSIDE_IP,
        external: OUTSIDE_ADDRESS,
      });
      // miniupnpd's own forward, which the outside can use.
      expect(await upnpForwards(net)).toEqual([`${NODE_PORT} -> ${net.home.ip}:${NODE_PORT}`]);
      expect(await tcpProbe(net.out, ROUTER_OUTSIDE_IP, NODE_PORT)).toBe('connected');
      expect(router!.logs.some((line) => line.includes('AddAnyPortMapping'))).toBe(true);
      const viewing = await playOnHost(net.home, video).done;
      expect(viewing.code, viewing.stderr).toBe(0);
      // NAT-PMP was asked first and found nothing; that is no warning when UPnP then worked.
      expect(nodeWarnings(node)).toEqual([]);

      expect(await node.kill('SIGTERM')).toBe(0);
      expect(await upnpForwards(net)).toEqual([]);
      expect(await tcpProbe(net.out, ROUTER_OUTSIDE_IP, NODE_PORT, 1_000)).not.toBe('connected');
    });

    it('a router whose UPnP refuses the mapping: one clear warning, unreachable, and it plays on', async () => {
      await startRouter(false);
      const node = await startHome();
      const failed = await waitFor(
        async () => {
          const now = await statsOnHost(net.home);
          return now.portMapping?.state === 'failed' && now.reachable === false ? now : undefined;
        },
        'the port mapping to fail and the dial-back to find it unreachable',
        60_000,
      );
      expect(failed.portMapping?.reason).toMatch(/UPnP at 10\.94\.0\.1: /);
      expect(failed.address).toBe(`tcp://${net.home.ip}:${NODE_PORT}`);
      expect(await upnpForwards(net)).toEqual([]);
      const lines = nodeWarnings(node);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^could not open port 7000 on the router \(/);
      const viewing = await playOnHost(net.home, video).done;
      expect(viewing.code, viewing.stderr).toBe(0);
    });
  },
);
