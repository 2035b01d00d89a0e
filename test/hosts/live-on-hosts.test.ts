/**
 * A live stream across hosts (issue 12 §4, "the same latency in the multi-host test bed"): each host
 * a network namespace with its own address and a capped uplink (test/hosts/netns.ts), one of them
 * behind a NAT. The source goes live on a test pattern; two level-1 hosts register with it and six
 * level-2 hosts with those (the NATed one among them). Every node below the source watches through
 * its own node with `peerstreamer play` (live: from the edge, as the stream grows) until the source
 * stops the stream; each play's summary line gives how far behind capture it showed each chunk.
 *
 * Asserted: every viewer played the stream to its end, in order, and the level-2 viewers' median
 * latency (capture to display, the player's model) is within the target, p50 <= 5 s. The figures
 * are printed (docs/BENCHMARKS.md quotes them). Run with `npm run test:hosts` (root).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, statsOf, type NodeProcess } from '../helpers/swarm.js';
import { waitFor } from '../helpers/wait.js';
import { PeerClient } from '../../core/net/client.js';
import type { LiveManifest } from '../../core/shared/manifest.js';
import { bedUnavailable, buildBed, teardownBed, type Host, type HostSpec } from './netns.js';
import { nodeAddressOf, playOnHost, startHostNode, type Viewer, type Viewing } from './host-node.js';
import { median, seconds } from './viewing-report.js';

const unavailable = bedUnavailable();
if (unavailable !== null) console.warn(unavailable);

const UPLINK = process.env.PEERSTREAMER_BED_UPLINK ?? '20mbit';
/** Scratch space of its own: the join bed's is removed by that file's run. */
const SCRATCH = path.join(os.tmpdir(), 'psbed-live');
const BED_TIMEOUT_MS = 600_000;
const STREAM = 'bed-live';
/** How long the viewers watch before the source stops the stream. */
const WATCH_SECONDS = 60;
const TARGET_P50_SECONDS = 5;

const LEVEL_ONE = ['a1', 'a2'];
const LEVEL_TWO = ['b1', 'b2', 'b3', 'b4', 'b5', 'n1'];
const specs: HostSpec[] = [
  { name: 'src' },
  ...[...LEVEL_ONE, ...LEVEL_TWO].map((name) => ({ name, natted: name.startsWith('n') })),
];

let hosts = new Map<string, Host>();
const nodes = new Map<string, NodeProcess>();
const viewers = new Map<string, Viewer>();

function host(name: string): Host {
  const found = hosts.get(name);
  if (found === undefined) throw new Error(`no host ${name}`);
  return found;
}

/** A play's summary line, read back: chunks, where it joined, latency, stalls. */
interface LiveSummary {
  chunks: number;
  joinedAt: number;
  p50: number;
  p95: number;
  stalls: number;
  ending: string;
}

function summaryOf(viewing: Viewing): LiveSummary | null {
  const match =
    /watched \S+ live: (\d+) chunks from chunk (\d+) in [\d.]+ s, behind live p50 ([\d.]+) s, p95 ([\d.]+) s, (\d+) stalls?.*; (.+)$/m.exec(
      viewing.stderr,
    );
  if (match === null) return null;
  return {
    chunks: Number(match[1]),
    joinedAt: Number(match[2]),
    p50: Number(match[3]),
    p95: Number(match[4]),
    stalls: Number(match[5]),
    ending: match[6]!,
  };
}

/**
 * One client, so one connection, for the whole test: the source rates new handshakes per IP address
 * (8 a second), and a fresh connection per poll from the test's own address used that up.
 */
let sourceClient: PeerClient | undefined;

async function manifestAtSource(): Promise<LiveManifest> {
  sourceClient ??= new PeerClient({ timeoutMs: 10_000 });
  const { reply } = await sourceClient.request(nodeAddressOf(host('src')), {
    type: 'get-manifest',
    video: STREAM,
  });
  return reply.manifest as LiveManifest;
}

describe.skipIf(unavailable !== null)(
  'a live stream across 9 hosts (network namespaces)',
  { timeout: BED_TIMEOUT_MS },
  () => {
    beforeAll(async () => {
      assertBuilt();
      process.once('disconnect', () => {
        teardownBed();
        rmSync(SCRATCH, { recursive: true, force: true });
        process.exit(1);
      });
      rmSync(SCRATCH, { recursive: true, force: true });
      mkdirSync(SCRATCH, { recursive: true });
      hosts = new Map((await buildBed({ hosts: specs, uplink: UPLINK }, SCRATCH)).map((h) => [h.name, h]));
      const start = async (name: string, placement: string[]): Promise<NodeProcess> => {
        const started = startHostNode(host(name), { store: path.join(SCRATCH, name), placement });
        nodes.set(name, started);
        await started.ready;
        return started;
      };
      const source = await start('src', []);
      for (const name of LEVEL_ONE) await start(name, ['--master', nodeAddressOf(host('src'))]);
      for (const [i, name] of LEVEL_TWO.entries()) {
        const master = LEVEL_ONE[i % LEVEL_ONE.length]!;
        const other = LEVEL_ONE[(i + 1) % LEVEL_ONE.length]!;
        await start(name, [
          '--master',
          nodeAddressOf(host(master)),
          '--supermaster',
          nodeAddressOf(host(other)),
        ]);
      }
      // Registered: public nodes are asked directly, the NATed one has only its own word in its log.
      for (const name of [...LEVEL_ONE, ...LEVEL_TWO].filter((n) => !host(n).natted)) {
        await waitFor(
          async () => (await statsOf(nodes.get(name)!)).currentMaster !== null,
          `${name} registered`,
          60_000,
        );
      }
      const live = await runCli([
        'live',
        'start',
        STREAM,
        '--store',
        source.store,
        '--input',
        'testsrc:640x360@25',
      ]);
      if (live.code !== 0) throw new Error(`live start failed: ${live.stderr}`);
      await waitFor(
        async () => (await manifestAtSource()).chunks.length >= 3,
        'the stream under way',
        60_000,
      );
    }, BED_TIMEOUT_MS);

    afterAll(async () => {
      await sourceClient?.close();
      for (const viewer of viewers.values()) viewer.kill();
      await Promise.all([...nodes.values()].map((n) => n.kill('SIGKILL')));
      teardownBed();
      rmSync(SCRATCH, { recursive: true, force: true });
    });

    it(`plays live on every host to the stream's end, level-2 viewers within ${TARGET_P50_SECONDS} s of capture (p50)`, async () => {
      for (const name of [...LEVEL_ONE, ...LEVEL_TWO]) viewers.set(name, playOnHost(host(name), STREAM));
      const first = (await manifestAtSource()).chunks.length;
      await waitFor(
        async () => (await manifestAtSource()).chunks.length >= first + WATCH_SECONDS,
        `${WATCH_SECONDS} s of stream`,
        180_000,
      );
      const stopped = await runCli(['live', 'stop', STREAM, '--store', nodes.get('src')!.store]);
      expect(stopped.code, stopped.stderr).toBe(0);
      const ended = await manifestAtSource();
      const viewings = await Promise.all(
        [...viewers.entries()].map(async ([name, viewer]) => [name, await viewer.done] as const),
      );

      const summaries = new Map(viewings.map(([name, viewing]) => [name, summaryOf(viewing)]));
      console.log(
        `live across hosts, ${UPLINK} uplinks, ${ended.chunks.length} chunks:\n` +
          viewings
            .map(([name, viewing]) => {
              const s = summaries.get(name);
              return `  ${name.padEnd(3)} exit ${viewing.code} ${s === null || s === undefined ? viewing.stderr.split('\n').at(-1) : `${s.chunks} chunks from ${s.joinedAt}, behind live p50 ${s.p50} s, p95 ${s.p95} s, ${s.stalls} stalls, longest gap ${seconds(viewing.longestStallMs)} s`}`;
            })
            .join('\n'),
      );
      for (const [name, viewing] of viewings) {
        const summary = summaries.get(name);
        expect({ name, code: viewing.code, summary: summary !== null }).toEqual({
          name,
          code: 0,
          summary: true,
        });
        // To the stream's end: every chunk from where it joined to the last.
        expect({ name, ending: summary!.ending }).toEqual({ name, ending: 'the stream ended' });
        expect({ name, chunks: summary!.chunks }).toEqual({
          name,
          chunks: ended.chunks.at(-1)!.index - summary!.joinedAt + 1,
        });
      }
      const levelTwoP50 = median(LEVEL_TWO.map((name) => summaries.get(name)!.p50));
      console.log(
        `  level-2 viewers: median of p50s ${levelTwoP50.toFixed(2)} s (target <= ${TARGET_P50_SECONDS} s)`,
      );
      expect(levelTwoP50).toBeLessThanOrEqual(TARGET_P50_SECONDS);
    });
  },
);
