/**
 * Opening a node's port on its home router (issue 11 §3), against the protocol: a node behind a
 * NAT (test/hosts/map-net.ts) asks the router by NAT-PMP, the router (our gateway,
 * nat-pmp-gateway.ts, on the router's namespace) installs a real nftables port forward, and the
 * node's master on the outside dials it back at the address the router gave: `stats` turns
 * reachable and the master lists it as a holder. With mapping off, or a router that refuses,
 * garbles or is not there, the node stays unreachable, says why in one log line and plays on.
 *
 * Run as root: `npx vitest run -c vitest.hosts.config.ts test/hosts/port-mapping.test.ts`.
 * UPnP-IGD is exercised in upnp-mapping.test.ts; here the router speaks NAT-PMP only (UPnP's
 * search runs and finds nothing, as on a router without it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, assertBuilt, runCli, type NodeProcess } from '../helpers/swarm.js';
import { h264AacClip } from '../helpers/media-fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { PeerClient } from '../../core/net/client.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import { bedUnavailable, onHost, tcpProbe, type Host } from './netns.js';
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
  NAT_TABLE,
  ROUTER_INSIDE_IP,
  ROUTER_OUTSIDE_IP,
  TCP_FORWARDS,
  buildMapNet,
  routerForwards,
  teardownMapNet,
  type MapNet,
} from './map-net.js';
import { startGatewayOn, transpileGateway, type GatewayProcess } from './gateway-process.js';
import type { Behaviour } from './nat-pmp-gateway.js';

const unavailable = bedUnavailable();
if (unavailable !== null) console.warn(unavailable);

const SCRATCH = path.join(os.tmpdir(), 'psmap');
/** Every node's and the gateway's output, kept after the run (the next run replaces it): a failure's evidence. */
const LOGS = path.join(os.tmpdir(), 'psmap-logs');
const TIMEOUT_MS = 300_000;
const OUTSIDE_ADDRESS = `${ROUTER_OUTSIDE_IP}:${NODE_PORT}`;

let net: MapNet;
let runner: string;
let source: NodeProcess;
let home: NodeProcess | undefined;
let gateway: GatewayProcess | undefined;
let video: { name: string; chunks: number };

async function startGateway(behaviour: Behaviour): Promise<void> {
  await stopGateway();
  gateway = await startGatewayOn(net.nat, runner, {
    bind: ROUTER_INSIDE_IP,
    external: ROUTER_OUTSIDE_IP,
    behaviour,
    table: NAT_TABLE,
    tcpMap: TCP_FORWARDS,
  });
}

async function stopGateway(): Promise<void> {
  await gateway?.stop();
  if (gateway) keepLog(LOGS, 'gateway', gateway.logs);
  gateway = undefined;
}

/** (Re)starts the home node on the same store, registering with the source; waits for its ready line. */
async function startHome(portMapping: 'on' | 'off'): Promise<NodeProcess> {
  if (home?.alive) await home.kill('SIGTERM');
  if (home) keepLog(LOGS, 'home', home.logs);
  home = startHostNode(net.home, {
    store: path.join(SCRATCH, 'home'),
    placement: ['--master', nodeAddressOf(net.pub)],
    extra: ['--port-mapping', portMapping],
  });
  await home.ready;
  return home;
}

/**
 * One client, so one connection, for the file: the source takes 8 new connections a second from one
 * address, and a client per poll from the test's address would be turned away.
 */
let outside: PeerClient | undefined;

/** The names the source's chunk directory gives as holders of the video, asked from outside. */
async function holders(): Promise<Set<string>> {
  outside ??= new PeerClient({ timeoutMs: 10_000 });
  const { reply } = await outside.request(nodeAddressOf(net.pub), {
    type: 'query',
    name: 'map-test',
    video: video.name,
    from: 0,
    count: video.chunks,
  });
  return new Set(reply.holders.flat().map((holder) => holder.name));
}

/** `peerstreamer stats` as a person reads it, run on the home host. */
async function statsText(host: Host): Promise<string> {
  const [command, argv] = onHost(host, process.execPath, [CLI, 'stats', '--from', nodeAddressOf(host)]);
  const { stdout } = await promisify(execFile)(command, argv, { timeout: 30_000 });
  return stdout;
}

/** Registered (its master named in stats) and the master's dial-back answered, either way. */
async function settledReachability(expected: boolean) {
  return waitFor(
    async () => {
      const stats = await statsOnHost(net.home);
      return stats.currentMaster !== null && stats.reachable === expected ? stats : undefined;
    },
    `the home node registered and ${expected ? 'reachable' : 'unreachable'}`,
    60_000,
  );
}

describe.skipIf(unavailable !== null)(
  'a node behind a home router opens its port by NAT-PMP (network namespaces)',
  { timeout: TIMEOUT_MS },
  () => {
    beforeAll(async () => {
      assertBuilt();
      process.once('exit', teardownMapNet);
      process.once('disconnect', () => {
        teardownMapNet();
        process.exit(1);
      });
      rmSync(SCRATCH, { recursive: true, force: true });
      mkdirSync(SCRATCH, { recursive: true });
      rmSync(LOGS, { recursive: true, force: true });
      mkdirSync(LOGS, { recursive: true });
      runner = transpileGateway(SCRATCH);
      const clip = await h264AacClip({ seconds: 4, keyframeSeconds: 1 });
      const store = path.join(SCRATCH, 'pub');
      const added = await runCli([
        'add',
        clip.path,
        '--store',
        store,
        '--name',
        'clip',
        '--chunk-duration',
        '1s',
        '--json',
      ]);
      if (added.code !== 0) throw new Error(`add failed: ${added.stderr}`);
      const manifest = JSON.parse(added.stdout) as MediaManifest;
      video = { name: manifest.name, chunks: manifest.chunks.length };
      net = await buildMapNet(SCRATCH);
      source = startHostNode(net.pub, { store, placement: [] });
      await source.ready;
    });

    afterAll(async () => {
      await outside?.close();
      await home?.kill('SIGKILL');
      await source?.kill('SIGKILL');
      if (home) keepLog(LOGS, 'home', home.logs);
      if (source) keepLog(LOGS, 'pub', source.logs);
      await stopGateway().catch(() => undefined);
      teardownMapNet();
      rmSync(SCRATCH, { recursive: true, force: true });
    });

    it('without a forward, the router lets nobody in', async () => {
      expect(await tcpProbe(net.pub, ROUTER_OUTSIDE_IP, NODE_PORT, 1_000)).not.toBe('connected');
    });

    it('maps its port, advertises the router’s address, is dialled back there and listed as a holder', async () => {
      await startGateway('normal');
      const node = await startHome('on');
      const stats = await settledReachability(true);
      expect(stats.address).toBe(`tcp://${OUTSIDE_ADDRESS}`);
      expect(stats.portMapping).toMatchObject({
        state: 'mapped',
        protocol: 'NAT-PMP',
        gateway: ROUTER_INSIDE_IP,
        external: OUTSIDE_ADDRESS,
      });
      // A real forward on the router, which the outside can use.
      expect(await routerForwards(net)).toEqual([`${NODE_PORT} : ${net.home.ip} . ${NODE_PORT}`]);
      expect(await tcpProbe(net.pub, ROUTER_OUTSIDE_IP, NODE_PORT)).toBe('connected');
      const text = await statsText(net.home);
      expect(text).toContain('reachability:   reachable from outside: sharing with peers');
      expect(text).toContain(
        `port mapping:   port mapped on router ${ROUTER_INSIDE_IP} (NAT-PMP): ${OUTSIDE_ADDRESS}`,
      );

      // What it plays, it holds; its master offers it to others at the router's address.
      const viewing = await playOnHost(net.home, video.name).done;
      expect(viewing.code, viewing.stderr).toBe(0);
      await waitFor(async () => (await holders()).has('home'), 'the source listing home as a holder', 30_000);
      expect(nodeWarnings(node)).toEqual([]);
    });

    it('deletes the mapping when it stops, and the router shuts the port again', async () => {
      expect(await home!.kill('SIGTERM')).toBe(0);
      await waitFor(() => gateway!.logged(/^deleted tcp /), 'the gateway deleting the mapping', 10_000);
      expect(await routerForwards(net)).toEqual([]);
      expect(await tcpProbe(net.pub, ROUTER_OUTSIDE_IP, NODE_PORT, 1_000)).not.toBe('connected');
    });

    it('with mapping off it stays unreachable, is never listed, and stats says so', async () => {
      const asked = gateway!.requests();
      const node = await startHome('off');
      const stats = await settledReachability(false);
      expect(stats.address).toBe(`tcp://${net.home.ip}:${NODE_PORT}`);
      expect(stats.portMapping).toBeUndefined();
      expect(await routerForwards(net)).toEqual([]);
      const text = await statsText(net.home);
      expect(text).toContain('reachability:   not reachable from outside: sharing only through your master');
      expect(text).toContain('port mapping:   off');
      expect((await holders()).has('home')).toBe(false);
      expect(gateway!.requests()).toBe(asked); // it never asked the router
      expect(nodeWarnings(node)).toEqual([]);
    });

    it.each<[Behaviour | 'absent', RegExp]>([
      ['garbage', /NAT-PMP at 10\.82\.0\.1: it answered with a 1-byte reply, shorter than any NAT-PMP reply/],
      ['refuse', /NAT-PMP at 10\.82\.0\.1: it refused: Not Authorized\/Refused/],
      ['absent', /NAT-PMP at 10\.82\.0\.1: no answer in time/],
    ])(
      'a router whose NAT-PMP behaviour is "%s": one clear warning, the node stays unreachable and plays on',
      async (behaviour, reason) => {
        if (behaviour === 'absent') await stopGateway();
        else await startGateway(behaviour);
        const node = await startHome('on');
        const failed = await waitFor(
          async () => {
            const stats = await statsOnHost(net.home);
            return stats.portMapping?.state === 'failed' ? stats : undefined;
          },
          'the port mapping to fail',
          30_000,
        );
        expect(failed.portMapping?.reason).toMatch(reason);
        // UPnP was asked too, and found no device on this network.
        expect(failed.portMapping?.reason).toMatch(/UPnP: no Internet Gateway Device answered/);
        await settledReachability(false);
        expect(await statsText(net.home)).toMatch(
          /port mapping: {3}router did not open the port: NAT-PMP at /,
        );
        const lines = nodeWarnings(node);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^could not open port 7000 on the router \(NAT-PMP at 10\.82\.0\.1: /);
        expect(await routerForwards(net)).toEqual([]);
        // Still a working node: it plays through its master.
        const viewing = await playOnHost(net.home, video.name).done;
        expect(viewing.code, viewing.stderr).toBe(0);
      },
    );
  },
);
