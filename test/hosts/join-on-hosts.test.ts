/**
 * A swarm that builds itself from one link, on 24 hosts (issue 11 §4): a source and 23 nodes, each
 * host a network namespace with its own address and a 20 Mbit/s uplink, 4 of them behind a NAT
 * (test/hosts/netns.ts). Nobody types an address per node: the link comes from `peerstreamer link`
 * on the source, and every other node is started with `--join <link>`. Every node takes at most
 * FAN_OUT children, the source included, so the tree grows below the source through MASTER_FULL
 * redirects. Then all 23 play a 2-minute video through their own node, a quarter of the hosts (two
 * masters among them) are SIGKILLed mid-stream, and the survivors must finish byte for byte.
 *
 * Asserted: the tree's shape, byte identity, the longest stall per viewer (MAX_STALL_MS), the
 * source's egress (at most its fan-out times the video), and that NATed hosts serve no one. The
 * figures are printed too (docs/BENCHMARKS.md quotes them). Run with `npm run test:hosts` (root).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, statsOf, topologyOf, type NodeProcess } from '../helpers/swarm.js';
import { h264AacClip } from '../helpers/media-fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { PeerClient } from '../../core/net/client.js';
import { MAX_QUERY_COUNT } from '../../core/protocol/limits.js';
import type { WireTopologyNode } from '../../core/protocol/messages.js';
import type { MediaManifest } from '../../core/shared/manifest.js';
import type { NodeStats } from '../../core/shared/api-types.js';
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
import {
  NODE_PORT,
  nodeAddressOf,
  playOnHost,
  startHostNode,
  statsOnHost,
  type Viewer,
} from './host-node.js';
import { childrenIn, depthOf, levelsOf, mastersIn, namesIn, omittedIn } from './tree-shape.js';
import { median, percent, seconds, viewingRows } from './viewing-report.js';

const unavailable = bedUnavailable();
if (unavailable !== null) console.warn(unavailable);

/** Every uplink, the source's included. */
const UPLINK = process.env.PEERSTREAMER_BED_UPLINK ?? '20mbit';
/** Scratch space: fixed, so a crashed run's is removed by the next. */
const SCRATCH = path.join(os.tmpdir(), 'psbed');
/** Every node's and viewer's output, kept after the run (the next run replaces it): a failure's evidence. */
const LOGS = process.env.PEERSTREAMER_BED_LOGS ?? path.join(os.tmpdir(), 'psbed-logs');
const BED_TIMEOUT_MS = 900_000;
/** `--max-children` of every node: small, so 24 nodes need three levels below the source. */
const FAN_OUT = 4;
const VIDEO_SECONDS = 120;
/** The longest a survivor's stdout may go without a byte, the masters' crash included. */
const MAX_STALL_MS = 4_000;

const PUBLIC = Array.from({ length: 19 }, (_, i) => `p${i + 1}`);
const NATTED = ['n1', 'n2', 'n3', 'n4'];
/**
 * The order the 23 join in: NATed hosts among the public ones (3rd, 9th, 15th, 21st), so one lands
 * right below the source, where a full source would otherwise be tempted to send newcomers to it.
 */
const JOIN_ORDER = [...PUBLIC];
for (const [i, name] of NATTED.entries()) JOIN_ORDER.splice(2 + 6 * i, 0, name);

const specs: HostSpec[] = [
  { name: 'src' },
  ...PUBLIC.map((name) => ({ name })),
  ...NATTED.map((name) => ({ name, natted: true })),
];

interface Video {
  name: string;
  manifest: MediaManifest;
  bytes: number;
  sha256: string;
}

let hosts = new Map<string, Host>();
const nodes = new Map<string, NodeProcess>();
const viewers = new Map<string, Viewer>();
let video: Video;
let link = '';
/** The tree as it formed, before anything crashed. */
let joinedTree: WireTopologyNode;

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

async function addVideo(store: string, name: string, seconds: number): Promise<Video> {
  // 1 s keyframes and chunks: the crash lands between chunks a second apart, as a player would see.
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

interface LogLine {
  msg?: string;
  time?: string;
}

function logLines(n: NodeProcess): LogLine[] {
  return n.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** When `n` last took a master (its own log's clock), at or after `since`; undefined if not yet. */
function registeredSince(n: NodeProcess, since: number): number | undefined {
  const line = logLines(n).find(
    (l) => l.msg?.startsWith('registered with the') === true && Date.parse(l.time ?? '') >= since,
  );
  return line === undefined ? undefined : Date.parse(line.time!);
}

/** Keeps every node's and viewer's output in LOGS: the evidence a failed run is read from. */
function keepLogs(): void {
  rmSync(LOGS, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  for (const n of nodes.values()) writeFileSync(path.join(LOGS, `${n.name}.log`), `${n.logs.join('\n')}\n`);
  writeFileSync(path.join(LOGS, 'link.txt'), `${link}\n`);
}

/** The names `master`'s chunk directory gives as holders, for any chunk of the video. */
async function holdersOf(master: NodeProcess): Promise<Set<string>> {
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

/** Any node's stats: public ones asked directly, NATed ones from their own host. */
function statsOfHost(name: string): Promise<NodeStats> {
  return host(name).natted ? statsOnHost(host(name)) : statsOf(node(name));
}

/** Chunk bytes a node sent to other nodes: its own play client (`client:…`) is not another node. */
function servedToNodes(stats: NodeStats): number {
  return (stats.peers ?? [])
    .filter((peer) => !peer.address.startsWith('client:'))
    .reduce((sum, peer) => sum + peer.bytesUp, 0);
}

/**
 * Joins one node by the link and waits until it is placed: registered, and, for a public node, its
 * master's dial-back done. One at a time, because a master only sends newcomers to children whose
 * dial-back has answered: 23 nodes joining in the same second all find the source with no child
 * to send them to and pile onto it up to its hard cap, which is the source's to refuse, not a tree.
 */
async function join(name: string, store: (name: string) => string): Promise<void> {
  const started = startHostNode(host(name), {
    store: store(name),
    placement: ['--join', link],
    extra: ['--max-children', String(FAN_OUT)],
  });
  nodes.set(name, started);
  await started.ready;
  await waitFor(() => registeredSince(started, 0) !== undefined, `${name} registered`, 60_000);
  if (!host(name).natted) {
    await waitFor(async () => (await statsOf(started)).reachable === true, `${name} dialled back`, 60_000);
  }
}

describe.skipIf(unavailable !== null)(
  'a swarm that joins by one link on 24 hosts (network namespaces)',
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
      video = await addVideo(sourceStore, 'movie', VIDEO_SECONDS);
      hosts = new Map((await buildBed({ hosts: specs, uplink: UPLINK }, SCRATCH)).map((h) => [h.name, h]));

      const source = startHostNode(host('src'), {
        store: sourceStore,
        placement: [],
        extra: ['--max-children', String(FAN_OUT)],
      });
      nodes.set('src', source);
      await source.ready;
      // The link as anyone would get it: from the source, over the LAN, by the CLI.
      const linked = await runCli(['link', video.name, '--from', nodeAddressOf(host('src'))]);
      if (linked.code !== 0) throw new Error(`link failed: ${linked.stderr}`);
      link = linked.stdout.trim();
      const joinStarted = performance.now();
      try {
        for (const name of JOIN_ORDER) await join(name, (n) => path.join(SCRATCH, n));
        // Level-3 nodes reach the source's tree through two levels of reports.
        joinedTree = await waitFor(
          async () => {
            const tree = await topologyOf(source);
            return namesIn(tree).length === specs.length ? tree : undefined;
          },
          'all 24 nodes in the source’s tree',
          60_000,
        );
      } finally {
        keepLogs();
      }
      console.log(
        `joined by ${link}\n  23 nodes one after another in ${seconds(performance.now() - joinStarted)} s:\n${levelsOf(joinedTree)}`,
      );
    }, BED_TIMEOUT_MS);

    afterAll(async () => {
      for (const viewer of viewers.values()) viewer.kill();
      await Promise.all([...nodes.values()].map((n) => n.kill('SIGKILL')));
      keepLogs();
      teardownBed();
      rmSync(SCRATCH, { recursive: true, force: true });
    });

    it('lets NATed hosts dial out but nobody dial them, not even with a route through the NAT', async () => {
      const natted = host('n1');
      const outsider = host('p1');
      expect(await tcpProbe(natted, host('p2').ip, NODE_PORT)).toBe('connected');
      expect(await tcpProbe(outsider, natted.ip, NODE_PORT)).toBe('ENETUNREACH');
      const undo = await routeToPrivateSubnet(outsider);
      try {
        expect(await tcpProbe(outsider, natted.ip, NODE_PORT)).toBe('timeout');
      } finally {
        await undo();
      }
    });

    it('places every node from the one link: at most FAN_OUT children each, NATed ones never masters, three levels', async () => {
      expect(link).toMatch(/^peerstreamer:\/\/[a-z2-7]{52}\/movie\?peer=/);
      expect(omittedIn(joinedTree)).toBe(0);
      expect(namesIn(joinedTree).sort()).toEqual(specs.map((s) => s.name).sort());
      const children = childrenIn(joinedTree);
      for (const [name, below] of children) {
        expect({ name, children: below.length <= FAN_OUT }).toEqual({ name, children: true });
      }
      for (const name of NATTED)
        expect({ name, children: children.get(name) }).toEqual({ name, children: [] });
      // 23 nodes, FAN_OUT 4: levels 1 and 2 hold at most 4 + 16, so a third level is needed, and
      // joining one at a time onto the child with most room never needs a fourth.
      expect(depthOf(joinedTree)).toBe(3);
      // Each node's own word on its master's dial-back.
      for (const name of JOIN_ORDER) {
        const stats = await statsOfHost(name);
        expect({ name, reachable: stats.reachable }).toEqual({ name, reachable: !host(name).natted });
      }
    });

    it('plays a 2-minute video on all 23 nodes while 6 hosts, two masters among them, crash; survivors byte-identical', async () => {
      const masters = mastersIn(joinedTree);
      const children = childrenIn(joinedTree);
      const levelOf = (name: string): number => {
        let level = 0;
        for (let at = masters.get(name); at !== undefined; at = masters.get(at)) level += 1;
        return level;
      };
      const hasChildren = (name: string): boolean => (children.get(name) ?? []).length > 0;
      // Two masters: one right below the source (its orphans' supermaster is the full source) and
      // one a level below (its orphans fall back on a level-1 node).
      const level1Master = JOIN_ORDER.find((n) => levelOf(n) === 1 && hasChildren(n))!;
      const level2Master = JOIN_ORDER.find((n) => levelOf(n) === 2 && hasChildren(n))!;
      const orphansOf = (m: string): string[] => children.get(m) ?? [];
      const untouched = (n: string): boolean =>
        ![level1Master, level2Master].includes(masters.get(n)!) && !hasChildren(n);
      const leaves = PUBLIC.filter(untouched).slice(-3);
      const nattedLeaf = [...NATTED].reverse().find(untouched)!;
      const crashed = [level1Master, level2Master, ...leaves, nattedLeaf];
      expect(new Set(crashed).size).toBe(6);
      const orphans = [...orphansOf(level1Master), ...orphansOf(level2Master)].filter(
        (n) => !crashed.includes(n),
      );

      const sourceBefore = await statsOf(node('src'));
      const uplinkBefore = await uplinkCounters(host('src'));
      const roundStarted = performance.now();
      for (const name of JOIN_ORDER) viewers.set(name, playOnHost(host(name), video.name));
      const finished = new Set<string>();
      for (const [name, viewer] of viewers) void viewer.done.then(() => finished.add(name));
      // Mid-stream: the level-1 master's own viewer a quarter into the video (so is the swarm, about).
      await waitFor(
        () => viewers.get(level1Master)!.received() >= video.bytes / 4,
        `${level1Master}’s viewer a quarter into the video`,
        300_000,
      );
      const killedAt = performance.now();
      const killedAtClock = Date.now();
      const survivors = JOIN_ORDER.filter((name) => !crashed.includes(name));
      const progressAtCrash = survivors.map((name) => viewers.get(name)!.received() / video.bytes);
      const finishedBeforeCrash = [...finished];
      await Promise.all(
        crashed.map(async (name) => {
          viewers.get(name)!.kill();
          await node(name).kill('SIGKILL');
        }),
      );
      const viewings = await Promise.all(survivors.map((name) => viewers.get(name)!.done));
      const sourceAfter = await statsOf(node('src'));
      const uplinkAfter = await uplinkCounters(host('src'));
      const served = sourceAfter.bytesServed - sourceBefore.bytesServed;
      const fanOut = sourceBefore.childCount ?? Number.NaN;
      const reattachMs = orphans.map((name) => {
        const at = registeredSince(node(name), killedAtClock);
        return at === undefined ? Number.NaN : at - killedAtClock;
      });
      const viewing = (name: string): (typeof viewings)[number] => viewings.find((v) => v.host === name)!;

      console.log(
        `round: ${video.name}, ${video.bytes} bytes, ${video.manifest.chunks.length} chunks; ${crashed.join(', ')} SIGKILLed ${seconds(killedAt - roundStarted)} s in (masters ${level1Master} at level 1, ${level2Master} at level 2), survivors then ${percent(Math.min(...progressAtCrash))} to ${percent(Math.max(...progressAtCrash))} through (median ${percent(median(progressAtCrash))})\n${viewingRows(viewings)}`,
      );
      const figures = {
        firstByteMedianS: Number(seconds(median(viewings.map((v) => v.firstByteMs)))),
        firstByteMaxS: Number(seconds(Math.max(...viewings.map((v) => v.firstByteMs)))),
        longestStallMedianS: Number(seconds(median(viewings.map((v) => v.longestStallMs)))),
        longestStallMaxS: Number(seconds(Math.max(...viewings.map((v) => v.longestStallMs)))),
        orphans: Object.fromEntries(
          orphans.map((name, i) => [
            name,
            {
              reattachS: Number(seconds(reattachMs[i]!)),
              stallS: Number(seconds(viewing(name).longestStallMs)),
            },
          ]),
        ),
        sourceFanOut: fanOut,
        sourceEgressRatio: Number((served / video.bytes).toFixed(2)),
        sourceUplinkBytes: uplinkAfter.sentBytes - uplinkBefore.sentBytes,
        sourceUplinkDropped: uplinkAfter.dropped - uplinkBefore.dropped,
        totalMedianS: Number(seconds(median(viewings.map((v) => v.totalMs)))),
      };
      console.log(`BED-FIGURES ${JSON.stringify(figures)}`);

      // The crash has to land mid-stream for the round to mean anything.
      expect(finishedBeforeCrash).toEqual([]);
      for (const v of viewings) {
        expect({ host: v.host, code: v.code, stderr: v.code === 0 ? '' : v.stderr }).toEqual({
          host: v.host,
          code: 0,
          stderr: '',
        });
        expect({ host: v.host, sha256: v.sha256, bytes: v.bytes }).toEqual({
          host: v.host,
          sha256: video.sha256,
          bytes: video.bytes,
        });
      }
      for (const v of viewings) {
        expect({ host: v.host, stallWithinBound: v.longestStallMs <= MAX_STALL_MS }).toEqual({
          host: v.host,
          stallWithinBound: true,
        });
      }
      expect(fanOut).toBe(FAN_OUT);
      expect(served).toBeLessThanOrEqual(fanOut * video.bytes);
    });

    it('NATed hosts played but served no one, and no master lists them as holders', async () => {
      const tree = await topologyOf(node('src'));
      const alive = [...nodes.values()].filter((n) => n.alive).map((n) => n.name);
      expect(namesIn(tree).sort()).toEqual(alive.sort());
      const children = childrenIn(tree);
      for (const name of NATTED.filter((n) => node(n).alive)) {
        expect({ name, children: children.get(name) }).toEqual({ name, children: [] });
        const stats = await statsOnHost(host(name));
        expect({ name, servedToNodes: servedToNodes(stats) }).toEqual({ name, servedToNodes: 0 });
      }
      const masters = [...children].filter(([, below]) => below.length > 0).map(([name]) => name);
      for (const master of masters) {
        const holders = await holdersOf(node(master));
        const listed = NATTED.filter((name) => holders.has(name));
        expect({ master, nattedListed: listed }).toEqual({ master, nattedListed: [] });
      }
    });
  },
);
