/**
 * A tree on 24 hosts (issue 11 §4): a source, four level-1 masters, sixteen public children and four
 * children behind a NAT, each host a network namespace with its own address and a 20 Mbit/s uplink
 * (test/hosts/netns.ts). Every node plays through itself with the real CLI and must get the source's
 * export byte for byte; then a quarter of the hosts, a master among them, crash mid-stream and the
 * rest must still finish; the NATed hosts play but their masters never name them as holders.
 *
 * Run with `npm run test:hosts` (root); `npm test` does not include it. Figures (first byte, longest
 * stall, source egress) are printed, not asserted: a speed target belongs in a benchmark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, statsOf, topologyOf, type NodeProcess } from '../helpers/swarm.js';
import { h264AacClip } from '../helpers/media-fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { PeerClient } from '../../core/net/client.js';
import { MAX_QUERY_COUNT } from '../../core/protocol/limits.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import {
  bedUnavailable,
  buildBed,
  routeToPrivateSubnet,
  tcpProbe,
  teardownBed,
  uplinkCounters,
  type Host,
  type HostSpec,
} from './netns.js';
import { NODE_PORT, nodeAddressOf, playOnHost, startHostNode, type Viewing } from './host-node.js';

const unavailable = bedUnavailable();
if (unavailable !== null) console.warn(unavailable);

/** Every uplink, the source's included. */
const UPLINK = process.env.PEERSTREAMER_BED_UPLINK ?? '20mbit';
/** Scratch space: fixed, so a crashed run's is removed by the next. */
const SCRATCH = path.join(os.tmpdir(), 'psbed');
const BED_TIMEOUT_MS = 900_000;

const MASTERS = ['m1', 'm2', 'm3', 'm4'];
const PUBLIC_CHILDREN = Array.from({ length: 15 }, (_, i) => `c${i + 1}`);
const NATTED_CHILDREN = ['n1', 'n2', 'n3', 'n4'];
/** A quarter of the 24 hosts, a master among them: they crash mid-stream in the second round. */
const CRASHED = ['m1', 'c2', 'c7', 'c11', 'c15', 'n2'];

const specs: HostSpec[] = [
  { name: 'src' },
  ...MASTERS.map((name) => ({ name })),
  ...PUBLIC_CHILDREN.map((name) => ({ name })),
  ...NATTED_CHILDREN.map((name) => ({ name, natted: true })),
];

interface Video {
  name: string;
  manifest: MediaManifest;
  bytes: number;
  sha256: string;
}

let hosts = new Map<string, Host>();
const nodes = new Map<string, NodeProcess>();
const videos: Video[] = [];

function host(name: string): Host {
  const found = hosts.get(name);
  if (found === undefined) throw new Error(`no host ${name}`);
  return found;
}

function node(name: string): NodeProcess {
  const found = nodes.get(name);
  if (found === undefined) throw new Error(`no node on ${name}`);
  return found;
}

/** Which master each child registers under: children spread round-robin over the masters. */
function masterOf(child: string): string {
  const index = [...PUBLIC_CHILDREN, ...NATTED_CHILDREN].indexOf(child);
  return MASTERS[index % MASTERS.length]!;
}

/**
 * The flags that place a node. The one line to change when joining by link lands: return
 * `['--join', link]` for every node but the source.
 */
function placement(name: string): string[] {
  if (name === 'src') return [];
  if (MASTERS.includes(name)) return ['--master', nodeAddressOf(host('src'))];
  return ['--master', nodeAddressOf(host(masterOf(name))), '--supermaster', nodeAddressOf(host('src'))];
}

async function addVideo(store: string, name: string, seconds: number): Promise<Video> {
  const clip = await h264AacClip({ seconds, width: 640, height: 360, rate: 25, keyframeSeconds: 1 });
  const added = await runCli([
    'add',
    clip.path,
    '--store',
    store,
    '--name',
    name,
    '--chunk-duration',
    '1s',
    '--json',
  ]);
  if (added.code !== 0) throw new Error(`add ${name} failed: ${added.stderr}`);
  const exportPath = path.join(SCRATCH, `${name}.mp4`);
  const exported = await runCli(['export', name, '--store', store, '-o', exportPath]);
  if (exported.code !== 0) throw new Error(`export ${name} failed: ${exported.stderr}`);
  const bytes = readFileSync(exportPath);
  return {
    name,
    manifest: JSON.parse(added.stdout) as MediaManifest,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The last lines of every node that died, and of the source: what a failed start needs. */
function nodeOutputs(): string {
  return [...nodes.values()]
    .filter((n) => !n.alive || n.name === 'src')
    .map((n) => `--- ${n.name} (${n.alive ? 'alive' : 'dead'}):\n${n.logs.slice(-15).join('\n')}`)
    .join('\n');
}

function namesIn(tree: WireTopologyNode): string[] {
  return [tree.name, ...tree.children.flatMap(namesIn)];
}

/** The names `master`'s chunk directory gives as holders, for any chunk of `video`. */
async function holdersOf(master: NodeProcess, video: Video): Promise<Set<string>> {
  const client = new PeerClient({ timeoutMs: 10_000 });
  const names = new Set<string>();
  try {
    const total = video.manifest.chunks.length;
    for (let from = 0; from < total; from += MAX_QUERY_COUNT) {
      const { reply } = await client.request(master.address, {
        type: 'query',
        name: 'bed',
        video: video.name,
        from,
        count: Math.min(MAX_QUERY_COUNT, total - from),
      });
      for (const holders of reply.holders) for (const holder of holders) names.add(holder.name);
    }
  } finally {
    await client.close();
  }
  return names;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function report(title: string, viewings: Viewing[]): void {
  const rows = viewings
    .map(
      (v) =>
        `  ${v.host.padEnd(4)} ${String(v.code).padEnd(5)} ${String(v.bytes).padStart(9)}  first byte ${seconds(v.firstByteMs).padStart(5)} s  longest stall ${seconds(v.longestStallMs).padStart(5)} s  total ${seconds(v.totalMs).padStart(5)} s`,
    )
    .join('\n');
  console.log(`${title}\n  host exit  bytes\n${rows}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe.skipIf(unavailable !== null)(
  'a tree on 24 hosts (network namespaces)',
  { timeout: BED_TIMEOUT_MS },
  () => {
    beforeAll(async () => {
      assertBuilt();
      // vitest's main process tears the bed down on SIGINT/SIGTERM and exits (global-setup.ts); this
      // worker then loses its channel to it and would otherwise wait out its timeouts, orphaned.
      process.once('disconnect', () => {
        teardownBed();
        rmSync(SCRATCH, { recursive: true, force: true });
        process.exit(1);
      });
      rmSync(SCRATCH, { recursive: true, force: true });
      mkdirSync(SCRATCH, { recursive: true });
      const sourceStore = path.join(SCRATCH, 'src');
      // Two videos: the first for a calm round, the second, with every cache cold again, for crashes.
      videos.push(await addVideo(sourceStore, 'movie', 30));
      videos.push(await addVideo(sourceStore, 'movie2', 40));
      hosts = new Map((await buildBed({ hosts: specs, uplink: UPLINK }, SCRATCH)).map((h) => [h.name, h]));

      const start = (name: string): NodeProcess => {
        const started = startHostNode(host(name), {
          store: name === 'src' ? sourceStore : path.join(SCRATCH, name),
          placement: placement(name),
        });
        nodes.set(name, started);
        return started;
      };
      await start('src').ready;
      await Promise.all(MASTERS.map((name) => start(name).ready));
      await Promise.all([...PUBLIC_CHILDREN, ...NATTED_CHILDREN].map((name) => start(name).ready));
      // Registered, as the source's tree shows it: NATed hosts cannot be asked themselves.
      try {
        await waitFor(
          async () => namesIn(await topologyOf(node('src'))).length === specs.length,
          'all 24 nodes in the source’s tree',
          120_000,
        );
      } catch (error) {
        throw new Error(`${String(error)}\n${nodeOutputs()}`, { cause: error });
      }
    }, BED_TIMEOUT_MS);

    afterAll(async () => {
      await Promise.all([...nodes.values()].map((n) => n.kill('SIGKILL')));
      teardownBed();
      rmSync(SCRATCH, { recursive: true, force: true });
    });

    it('places each node where its flags say, on its own address', async () => {
      const tree = await topologyOf(node('src'));
      for (const master of MASTERS) {
        const branch = tree.children.find((child) => child.name === master);
        expect(branch?.address).toBe(nodeAddressOf(host(master)));
        const expected = [...PUBLIC_CHILDREN, ...NATTED_CHILDREN].filter((c) => masterOf(c) === master);
        expect(branch?.children.map((c) => c.name).sort()).toEqual(expected.sort());
      }
    });

    it('lets NATed hosts dial out but nobody dial them, not even with a route through the NAT', async () => {
      const natted = host('n1');
      const outsider = host('c1');
      // Out: to a public node (its registration already did this; here plainly).
      expect(await tcpProbe(natted, host('m1').ip, NODE_PORT)).toBe('connected');
      // In: no route leads to the private subnet...
      expect(await tcpProbe(outsider, natted.ip, NODE_PORT)).toBe('ENETUNREACH');
      // ...and with one through the NAT, its filter drops the dial.
      const undo = await routeToPrivateSubnet(outsider);
      try {
        expect(await tcpProbe(outsider, natted.ip, NODE_PORT)).toBe('timeout');
      } finally {
        await undo();
      }
    });

    it('every host plays the video through its own node, byte-identical to the source’s export', async () => {
      const [video] = videos;
      const servedBefore = (await statsOf(node('src'))).bytesServed;
      const uplinkBefore = await uplinkCounters(host('src'));
      const viewers = specs.filter((s) => s.name !== 'src').map((s) => playOnHost(host(s.name), video!.name));
      const viewings = await Promise.all(viewers.map((v) => v.done));
      const served = (await statsOf(node('src'))).bytesServed - servedBefore;
      const uplink = await uplinkCounters(host('src'));
      report(`round 1: ${video!.name}, ${video!.bytes} bytes, 23 viewers at once`, viewings);
      console.log(
        `  source egress ${served} bytes = ${(served / video!.bytes).toFixed(2)} x the video (its ${UPLINK} uplink's tbf: ${uplink.sentBytes - uplinkBefore.sentBytes} bytes on the wire, ${uplink.overlimits - uplinkBefore.overlimits} packets held back, ${uplink.dropped - uplinkBefore.dropped} dropped); median first byte ${seconds(median(viewings.map((v) => v.firstByteMs)))} s, median longest stall ${seconds(median(viewings.map((v) => v.longestStallMs)))} s`,
      );
      for (const viewing of viewings) {
        expect({
          host: viewing.host,
          code: viewing.code,
          stderr: viewing.code === 0 ? '' : viewing.stderr,
        }).toEqual({
          host: viewing.host,
          code: 0,
          stderr: '',
        });
        expect({ host: viewing.host, sha256: viewing.sha256, bytes: viewing.bytes }).toEqual({
          host: viewing.host,
          sha256: video!.sha256,
          bytes: video!.bytes,
        });
      }
    });

    it('lists the public children as holders after the dial-back, and never the NATed ones', async () => {
      const [video] = videos;
      for (const master of MASTERS) {
        const children = [...PUBLIC_CHILDREN, ...NATTED_CHILDREN].filter((c) => masterOf(c) === master);
        const publicOnes = children.filter((c) => !NATTED_CHILDREN.includes(c));
        // Reports reach the master within a heartbeat or two of the play's end.
        const holders = await waitFor(async () => {
          const names = await holdersOf(node(master), video!);
          return publicOnes.every((c) => names.has(c)) ? names : undefined;
        }, `${master} listing its public children as holders`);
        for (const natted of children.filter((c) => NATTED_CHILDREN.includes(c))) {
          expect({ master, natted, listed: holders.has(natted) }).toEqual({ master, natted, listed: false });
        }
        // The master's own word on each failed dial-back (a re-registration dials back again, so
        // `stats` counts failures, not children): only its NATed children may be among them.
        const stats = await statsOf(node(master));
        const failedDialBacks = new Set(
          node(master)
            .logs.filter((line) => line.includes('did not answer at the address it registered with'))
            .map((line) => (JSON.parse(line) as { child: string }).child),
        );
        expect({ master, failedDialBacks: [...failedDialBacks].sort() }).toEqual({
          master,
          failedDialBacks: children.filter((c) => NATTED_CHILDREN.includes(c)).sort(),
        });
        expect(stats.limitHits?.unreachableChildren).toBeGreaterThanOrEqual(failedDialBacks.size);
      }
    });

    it('a quarter of the hosts, a master among them, crash mid-stream; the rest finish byte-identically', async () => {
      const video = videos[1]!;
      const servedBefore = (await statsOf(node('src'))).bytesServed;
      const roundStarted = performance.now();
      const viewers = new Map(
        specs.filter((s) => s.name !== 'src').map((s) => [s.name, playOnHost(host(s.name), video.name)]),
      );
      const finished = new Set<string>();
      for (const [name, viewer] of viewers) void viewer.done.then(() => finished.add(name));
      // Mid-stream: the master's own viewer is a quarter into the video (so is the swarm, about).
      await waitFor(
        () => viewers.get('m1')!.received() >= video.bytes / 4,
        'm1’s viewer a quarter into the second video',
        120_000,
      );
      const killedAt = performance.now();
      const survivors = [...viewers.keys()].filter((name) => !CRASHED.includes(name));
      const progressAtCrash = survivors.map((name) => viewers.get(name)!.received() / video.bytes);
      const finishedBeforeCrash = [...finished];
      for (const name of CRASHED) {
        viewers.get(name)!.kill();
        await node(name).kill('SIGKILL');
      }
      const viewings = await Promise.all(survivors.map((name) => viewers.get(name)!.done));
      const served = (await statsOf(node('src'))).bytesServed - servedBefore;
      const orphans = survivors.filter((name) => masterOf(name) === 'm1');
      const percent = (fraction: number): string => `${Math.round(fraction * 100)} %`;
      report(
        `round 2: ${video.name}, ${video.bytes} bytes; ${CRASHED.join(', ')} SIGKILLed ${seconds(killedAt - roundStarted)} s in, survivors then ${percent(Math.min(...progressAtCrash))} to ${percent(Math.max(...progressAtCrash))} through (median ${percent(median(progressAtCrash))})`,
        viewings,
      );
      console.log(
        `  source egress ${served} bytes = ${(served / video.bytes).toFixed(2)} x the video; m1's orphans (${orphans.join(', ')}): longest stall ${orphans.map((name) => seconds(viewings.find((v) => v.host === name)!.longestStallMs)).join(', ')} s; now under ${(
          await Promise.all(orphans.map(async (name) => (await statsOf(node(name))).masterName ?? '-'))
        ).join(', ')}`,
      );
      // The crash has to land mid-stream for the round to mean anything.
      expect(finishedBeforeCrash).toEqual([]);
      for (const viewing of viewings) {
        expect({
          host: viewing.host,
          code: viewing.code,
          stderr: viewing.code === 0 ? '' : viewing.stderr,
        }).toEqual({
          host: viewing.host,
          code: 0,
          stderr: '',
        });
        expect({ host: viewing.host, sha256: viewing.sha256, bytes: viewing.bytes }).toEqual({
          host: viewing.host,
          sha256: video.sha256,
          bytes: video.bytes,
        });
      }
    });
  },
);
