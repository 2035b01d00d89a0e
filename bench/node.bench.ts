/**
 * Whole nodes, as processes on loopback: what a viewer waits for, what the source pays, and what one
 * node costs while it serves. Each figure is measured in this run beside its target.
 *
 *   1. cold start: source -> level-1 -> level-2; a fresh viewer plays a video nobody below the source
 *      holds yet (playStream: manifest, init, chunk 0, each hash-checked) and we time the first chunk;
 *      beside it, the same through a pair of nodes whose read-ahead fetches one chunk at a time
 *   2. source offload: 20 staggered viewers on 10 level-2 nodes under 2 level-1 nodes; bytes the
 *      source served / the video's size; every output compared with `peerstreamer export`
 *   3. + 4. a level-1 node serving 20 streams at once, run in node-child.ts (the same PeerNode code)
 *      so its peak RSS (VmHWM) and event-loop delay can be read: first at playback speed, then at
 *      full speed; an idle node beside it gives the delay the machine's scheduling alone causes
 *   5. a source started with --upload-limit 4MB serving a peer that asks faster than that
 *
 * The raw transfer comparison is in curve.bench.ts. Run alone with `node dist/bench/node.bench.js`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { PeerClient, type ClientReply } from '../core/net/client.js';
import type { RequestOptions } from '../core/net/transport.js';
import type { RequestOf, RequestType } from '../core/protocol/messages.js';
import { playStream } from '../core/stream/play-client.js';
import { parseByteSize } from '../core/util/units.js';
import { median, percentile, type BenchRow, type BenchSuite } from './harness.js';
import {
  BenchSwarm,
  makeTestVideo,
  memoryOf,
  mustRunCli,
  statsOf,
  type BenchNode,
  type LoopDelayReport,
} from './swarm-harness.js';

const VIDEO_SECONDS = 60;
/** Cold-start videos only need their first chunks; short clips keep ingesting eighteen of them quick. */
const COLD_CLIP_SECONDS = 5;
const COLD_RUNS = 8;
const COLD_TARGET_MS = 20;
/** Lets the previous cold start's read-ahead finish so it does not slow the next one. */
const COLD_SETTLE_MS = 400;

const LEVEL1_NODES = 2;
const LEVEL2_PER_LEVEL1 = 5;
const VIEWERS = 20;
const STAGGER_MS = 400;

const CONCURRENT_STREAMS = 20;
const PACED_SECONDS = 15;
const UNPACED_ROUNDS = 2;
const RSS_TARGET_MB = 150;
const LOOP_DELAY_TARGET_MS = 20;
const RSS_SAMPLE_MS = 50;

const UPLOAD_LIMIT = '4MB';
const UPLOAD_WARMUP_MS = 1_000;
const UPLOAD_WINDOW_MS = 6_000;
const UPLOAD_IN_FLIGHT = 8;
const UPLOAD_TOLERANCE = 0.1;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const fixed = (value: number, digits = 1): string => value.toFixed(digits);

/** A PeerClient that records when each request was answered, to break a cold start into its steps. */
class StepClient extends PeerClient {
  readonly steps: Array<{ label: string; endMs: number }> = [];
  readonly origin = performance.now();

  override request<K extends RequestType>(
    address: string,
    request: RequestOf<K>,
    options?: Partial<RequestOptions>,
  ): Promise<ClientReply<K>> {
    const label = 'index' in request ? `get ${String(request.index)}` : request.type;
    return super.request(address, request, options).then((reply) => {
      this.steps.push({ label, endMs: performance.now() - this.origin });
      return reply;
    });
  }
}

/** A sink that hashes what a play writes, and keeps the first `keep` writes (the cold-start check). */
class PlaySink extends Writable {
  readonly hash = createHash('sha256');
  readonly kept: Buffer[] = [];
  bytes = 0;

  constructor(private readonly keep = 0) {
    super({ highWaterMark: 64 * 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (this.kept.length < this.keep) this.kept.push(chunk);
    done();
  }
}

interface Fixture {
  swarm: BenchSwarm;
  source: BenchNode;
  /** `peerstreamer export movie` on the source's store: what every play must reproduce. */
  movie: Buffer;
  uploadStore: string;
  /** For stats and manifests; closed with the suite. */
  probe: PeerClient;
}

/**
 * Cold-start videos: one set per tree (see coldStart); run 0 of each is a warm-up for the nodes'
 * code, runs 1..COLD_RUNS are measured.
 */
const COLD_TREES = ['default', 'serial'] as const;
type ColdTree = (typeof COLD_TREES)[number];
const coldName = (tree: ColdTree, run: number): string => `cold-${tree}-${run}`;

async function setUp(swarm: BenchSwarm): Promise<Fixture> {
  const dir = swarm.dir('node-media');
  const video = path.join(dir, 'movie.mp4');
  const clips = COLD_TREES.flatMap((tree) =>
    Array.from({ length: COLD_RUNS + 1 }, (_, run) => ({
      name: coldName(tree, run),
      file: path.join(dir, `${coldName(tree, run)}.mp4`),
    })),
  );
  await Promise.all([
    makeTestVideo(video, VIDEO_SECONDS),
    (async () => {
      // Each clip its own width, so no two share an init segment or a chunk: the store keeps identical
      // chunks once, and a chunk some node already holds under another name would not be a cold fetch.
      for (const [i, clip] of clips.entries())
        await makeTestVideo(clip.file, COLD_CLIP_SECONDS, `${640 + 16 * i}x360`);
    })(),
  ]);
  const sourceStore = swarm.dir('store-source');
  const uploadStore = swarm.dir('store-upload');
  const add = (file: string, store: string, name: string): Promise<Buffer> =>
    mustRunCli(['add', file, '--store', store, '--name', name, '--chunk-duration', '1s']);
  // Two stores, so the two ingest sequences can run side by side (a store admits one process).
  await Promise.all([
    (async () => {
      await add(video, sourceStore, 'movie');
      for (const clip of clips) await add(clip.file, sourceStore, clip.name);
      await mustRunCli(['export', 'movie', '--store', sourceStore, '-o', path.join(dir, 'movie.out')]);
    })(),
    add(video, uploadStore, 'movie'),
  ]);
  const source = await swarm.start({ name: 'source', store: sourceStore });
  return {
    swarm,
    source,
    movie: readFileSync(path.join(dir, 'movie.out')),
    uploadStore,
    probe: new PeerClient({ timeoutMs: 10_000 }),
  };
}

/** Plays `video` through `address` to the end; returns the play's time and whether it matched. */
async function playWhole(
  address: string,
  video: string,
  expectedSha256: string,
): Promise<{ ms: number; ok: boolean; error?: string }> {
  const client = new PeerClient({ timeoutMs: 15_000 });
  const sink = new PlaySink();
  const started = performance.now();
  try {
    await playStream(client, address, video, sink, { streamId: randomUUID() });
    const ok = sink.hash.digest('hex') === expectedSha256;
    return { ms: performance.now() - started, ok, ...(ok ? {} : { error: `${sink.bytes} bytes differ` }) };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, error: String(error) };
  } finally {
    await client.close();
  }
}

// ---- 1. cold start through two levels -----------------------------------------------------------

/** What the source itself holds of `video`: the init segment and chunk 0, asked of it directly. */
async function sourceStart(client: PeerClient, source: string, video: string): Promise<Buffer> {
  const init = await client.request(source, { type: 'get', video, index: -1, fetchUpstream: false });
  const first = await client.request(source, { type: 'get', video, index: 0, fetchUpstream: false });
  return Buffer.concat([init.body, first.body]);
}

/** One viewer's cold start: playStream through `address` until chunk 0 is written. */
async function timeFirstChunk(
  address: string,
  video: string,
): Promise<{ ms: number; steps: string; bytes: Buffer }> {
  // A fresh client per run: a new viewer connects, as `peerstreamer play` does.
  const client = new StepClient({ timeoutMs: 10_000 });
  const sink = new PlaySink(2);
  let firstChunkMs = 0;
  try {
    await playStream(client, address, video, sink, {
      streamId: randomUUID(),
      stopped: () => firstChunkMs > 0,
      onChunk: (index) => {
        if (index === 0 && firstChunkMs === 0) firstChunkMs = performance.now() - client.origin;
      },
    });
  } finally {
    await client.close();
  }
  const steps = client.steps.map((step) => `${step.label}@${fixed(step.endMs)}`).join(' ');
  return { ms: firstChunkMs, steps, bytes: Buffer.concat(sink.kept) };
}

/**
 * Two level-1/level-2 pairs under the source, measured in alternation so drift hits both alike: one
 * as nodes start by default, one with --fetch-concurrency 1 (a stream's read-ahead fetches one chunk
 * at a time), which shows what chunk 0 loses to the chunks read ahead beside it.
 */
async function coldStart(fixture: Fixture): Promise<BenchRow[]> {
  const { swarm, source, probe } = fixture;
  const trees = new Map<ColdTree, BenchNode>();
  const started: BenchNode[] = [];
  const samples = new Map<ColdTree, number[]>(COLD_TREES.map((tree) => [tree, []]));
  const breakdowns = new Map<ColdTree, string[]>(COLD_TREES.map((tree) => [tree, []]));
  const warmUp = new Map<ColdTree, number>();
  let mismatches = 0;
  try {
    for (const tree of COLD_TREES) {
      const extra = tree === 'serial' ? ['--fetch-concurrency', '1'] : [];
      const level1 = await swarm.start({ name: `${tree}-l1`, master: source.address, extra });
      started.push(level1);
      const level2 = await swarm.start({ name: `${tree}-l2`, master: level1.address, extra });
      started.push(level2);
      trees.set(tree, level2);
    }
    for (let run = 0; run <= COLD_RUNS; run++) {
      for (const tree of COLD_TREES) {
        const video = coldName(tree, run);
        const result = await timeFirstChunk(trees.get(tree)!.address, video);
        // playStream checked each piece against the manifest the tree handed out; this checks the
        // bytes against what the source holds.
        if (!result.bytes.equals(await sourceStart(probe, source.address, video))) mismatches += 1;
        if (run === 0) warmUp.set(tree, result.ms);
        else {
          samples.get(tree)!.push(result.ms);
          breakdowns.get(tree)!.push(result.steps);
        }
        await sleep(COLD_SETTLE_MS);
      }
    }
  } finally {
    await swarm.kill(started);
  }
  const describe = (tree: ColdTree): { value: number; detail: string } => {
    const runs = samples.get(tree)!;
    const value = median(runs);
    const medianRun = runs.indexOf([...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!);
    return {
      value,
      detail:
        `${runs.length} fresh videos, runs ${runs.map((ms) => fixed(ms)).join('/')} ms (warm-up video first: ${fixed(warmUp.get(tree)!)} ms); ` +
        `median run, each reply at: ${breakdowns.get(tree)![medianRun]} ms`,
    };
  };
  const standard = describe('default');
  const serial = describe('serial');
  return [
    {
      suite: 'node',
      what: 'cold first chunk via level-2 (manifest, init, chunk 0)',
      value: standard.value,
      unit: 'ms',
      target: `< ${COLD_TARGET_MS} ms`,
      pass: standard.value < COLD_TARGET_MS && mismatches === 0,
      detail: `${standard.detail}; ${mismatches} of ${2 * (COLD_RUNS + 1)} differ from the source; a new viewer connection each run`,
    },
    {
      suite: 'node',
      what: 'same, level-1/2 with --fetch-concurrency 1',
      value: serial.value,
      unit: 'ms',
      target: 'reference',
      pass: true,
      detail: `${serial.detail}; runs alternate with the row above`,
    },
  ];
}

// ---- 2. source offload in a three-level tree ----------------------------------------------------

async function sourceOffload(fixture: Fixture): Promise<BenchRow> {
  const { swarm, source, movie, probe: client } = fixture;
  const nodes: BenchNode[] = [];
  try {
    const level1 = await Promise.all(
      Array.from({ length: LEVEL1_NODES }, (_, i) =>
        swarm.start({ name: `l1-${i}`, master: source.address }),
      ),
    );
    nodes.push(...level1);
    const level2 = await Promise.all(
      Array.from({ length: LEVEL1_NODES * LEVEL2_PER_LEVEL1 }, (_, i) =>
        // Alternating masters, so consecutive viewers land in different subtrees.
        swarm.start({ name: `l2-${i}`, master: level1[i % LEVEL1_NODES]!.address }),
      ),
    );
    nodes.push(...level2);
    const servedBefore = (await statsOf(client, source.address)).bytesServed;
    const expected = sha256(movie);
    const started = performance.now();
    const plays = await Promise.all(
      Array.from({ length: VIEWERS }, async (_, viewer) => {
        await sleep(viewer * STAGGER_MS);
        return playWhole(level2[viewer % level2.length]!.address, 'movie', expected);
      }),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const served = (await statsOf(client, source.address)).bytesServed - servedBefore;
    const level2Stats = await Promise.all(level2.map((node) => statsOf(client, node.address)));
    const fetched = { local: 0, peer: 0, master: 0, source: 0 };
    for (const stats of level2Stats)
      for (const origin of Object.keys(fetched) as Array<keyof typeof fetched>)
        fetched[origin] += stats.bytesFetched[origin];
    const level1Peaks = level1.map((node) => memoryOf(node.pid)?.peakMB ?? Number.NaN);
    const failures = plays.filter((play) => !play.ok);
    const ratio = served / movie.length;
    const bound = LEVEL1_NODES + 1;
    const mb = (bytes: number): string => fixed(bytes / 1e6);
    return {
      suite: 'node',
      what: `source bytes / video, ${VIEWERS} viewers, ${LEVEL1_NODES}+${level2.length} nodes`,
      value: ratio,
      unit: 'x video',
      target: `<= ${bound} x`,
      pass: ratio <= bound && failures.length === 0,
      detail:
        `source served ${mb(served)} MB of a ${mb(movie.length)} MB video; ${failures.length}/${VIEWERS} plays differ from export` +
        (failures.length > 0 ? ` (${failures[0]!.error})` : '') +
        `; level-2 fetched MB: peer ${mb(fetched.peer)}, master ${mb(fetched.master)}, local ${mb(fetched.local)}` +
        `; play median ${fixed(median(plays.map((play) => play.ms)) / 1000, 2)} s, starts ${STAGGER_MS} ms apart, all done in ${fixed(wallSeconds)} s` +
        `; CLI level-1 peak RSS ${level1Peaks.map((peak) => fixed(peak, 0)).join('/')} MB`,
    };
  } finally {
    await swarm.kill(nodes);
  }
}

// ---- 3. and 4. one node serving 20 streams at once ----------------------------------------------

/**
 * A viewer that consumes at playback speed: each write is acknowledged only when the player would
 * have played up to it, and playStream waits for that before writing the next chunk, as
 * `peerstreamer play | mpv -` does through its pipe.
 */
class PacedSink extends Writable {
  private consumed = 0;
  private readonly started = performance.now();

  constructor(private readonly bytesPerSecond: number) {
    super({ highWaterMark: 1 });
    // playStream leaves a 'close' listener behind each wait for 'drain' (see the report); with a sink
    // that always applies backpressure that is one per chunk. Silenced here, not fixed.
    this.setMaxListeners(0);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.consumed += chunk.length;
    const due = this.started + (this.consumed / this.bytesPerSecond) * 1000;
    setTimeout(() => done(), Math.max(0, due - performance.now()));
  }
}

/** Plays at playback speed for `seconds`, then stops as a viewer closing the player would. */
async function playPaced(
  address: string,
  video: string,
  bytesPerSecond: number,
  seconds: number,
): Promise<boolean> {
  const client = new PeerClient({ timeoutMs: 15_000 });
  const deadline = performance.now() + seconds * 1000;
  try {
    const result = await playStream(client, address, video, new PacedSink(bytesPerSecond), {
      streamId: randomUUID(),
      stopped: () => performance.now() >= deadline,
    });
    return result.bytes > 0;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

function describeDelay(delay: LoopDelayReport): string {
  return (
    `p50 ${fixed(delay.p50Ms)} ms, max ${fixed(delay.maxMs)} ms, loop busy ${fixed(delay.utilization * 100, 0)} %, ` +
    `${fixed(delay.cpuShare, 2)} CPU s per s`
  );
}

async function concurrentServing(fixture: Fixture): Promise<BenchRow[]> {
  const { swarm, source, movie } = fixture;
  const node = await swarm.startMonitored({ name: 'busy-l1', master: source.address });
  // The same monitor in a node that serves nothing: the delay this machine's scheduling alone causes.
  const idle = await swarm.startMonitored({ name: 'idle-l1', master: source.address });
  let maxRss = 0;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, memoryOf(node.pid)?.rssMB ?? 0);
  }, RSS_SAMPLE_MS);
  const measure = async (load: () => Promise<number>) => {
    maxRss = 0;
    await Promise.all([node.startLoopMonitor(), idle.startLoopMonitor()]);
    const failures = await load();
    const [busy, quiet] = await Promise.all([node.loopDelay(), idle.loopDelay()]);
    return { busy, quiet, failures, maxRss };
  };
  try {
    const idleRss = memoryOf(node.pid)?.rssMB ?? Number.NaN;
    const { reply } = await fixture.probe.request(node.address, { type: 'get-manifest', video: 'movie' });
    const bytesPerSecond = movie.length / (reply.manifest.duration ?? VIDEO_SECONDS);
    // The node starts cold: it fetches from the source while its viewers play.
    const paced = await measure(async () => {
      const plays = await Promise.all(
        Array.from({ length: CONCURRENT_STREAMS }, () =>
          playPaced(node.address, 'movie', bytesPerSecond, PACED_SECONDS),
        ),
      );
      return plays.filter((ok) => !ok).length;
    });
    const expected = sha256(movie);
    const roundSeconds: number[] = [];
    const unpaced = await measure(async () => {
      let failures = 0;
      for (let round = 0; round < UNPACED_ROUNDS; round++) {
        const started = performance.now();
        const plays = await Promise.all(
          Array.from({ length: CONCURRENT_STREAMS }, () => playWhole(node.address, 'movie', expected)),
        );
        roundSeconds.push((performance.now() - started) / 1000);
        failures += plays.filter((play) => !play.ok).length;
      }
      return failures;
    });
    clearInterval(sampler);
    const peak = memoryOf(node.pid)?.peakMB ?? Number.NaN;
    const mb = fixed(movie.length / 1e6);
    const pacedLoad = `${CONCURRENT_STREAMS} viewers at playback speed for ${PACED_SECONDS} s, started together on a cold node, ${paced.failures} failed`;
    const unpacedLoad = `${UNPACED_ROUNDS} rounds x ${CONCURRENT_STREAMS} full-speed plays of ${mb} MB (${roundSeconds.map((seconds) => fixed(seconds, 2)).join('/')} s), ${unpaced.failures} failed`;
    return [
      {
        suite: 'node',
        what: `peak RSS of a level-1 node, ${CONCURRENT_STREAMS} streams`,
        value: peak,
        unit: 'MB',
        target: `< ${RSS_TARGET_MB} MB`,
        pass: peak < RSS_TARGET_MB && paced.failures + unpaced.failures === 0,
        detail: `VmHWM of the node process after both loads below; idle ${fixed(idleRss, 0)} MB, highest VmRSS sample ${fixed(paced.maxRss, 0)} MB at playback speed, ${fixed(unpaced.maxRss, 0)} MB at full speed`,
      },
      {
        suite: 'node',
        what: `event-loop delay p99, ${CONCURRENT_STREAMS} streams at playback speed`,
        value: paced.busy.p99Ms,
        unit: 'ms',
        target: `< ${LOOP_DELAY_TARGET_MS} ms`,
        pass: paced.busy.p99Ms < LOOP_DELAY_TARGET_MS && paced.failures === 0,
        detail: `monitorEventLoopDelay in the node: ${describeDelay(paced.busy)}; an idle node beside it: p99 ${fixed(paced.quiet.p99Ms)} ms; ${pacedLoad}`,
      },
      {
        suite: 'node',
        what: `event-loop delay p99, ${CONCURRENT_STREAMS} streams at full speed`,
        value: unpaced.busy.p99Ms,
        unit: 'ms',
        target: `< ${LOOP_DELAY_TARGET_MS} ms`,
        pass: unpaced.busy.p99Ms < LOOP_DELAY_TARGET_MS && unpaced.failures === 0,
        detail: `${describeDelay(unpaced.busy)}; an idle node beside it: p99 ${fixed(unpaced.quiet.p99Ms)} ms; ${unpacedLoad}`,
      },
    ];
  } finally {
    clearInterval(sampler);
    await swarm.kill([node, idle]);
  }
}

// ---- 5. upload limit ------------------------------------------------------------------------------

async function uploadLimit(fixture: Fixture): Promise<BenchRow> {
  const { swarm, uploadStore } = fixture;
  const limit = parseByteSize(UPLOAD_LIMIT, '--upload-limit');
  const node = await swarm.start({
    name: 'limited',
    store: uploadStore,
    extra: ['--upload-limit', UPLOAD_LIMIT],
  });
  const client = new PeerClient({ timeoutMs: 15_000 });
  try {
    const { reply } = await client.request(node.address, { type: 'get-manifest', video: 'movie' });
    const chunks = reply.manifest.chunks;
    const arrivals: Array<{ at: number; bytes: number }> = [];
    let next = 0;
    let corrupt = 0;
    const started = performance.now();
    const windowStart = started + UPLOAD_WARMUP_MS;
    const windowEnd = windowStart + UPLOAD_WINDOW_MS;
    // A peer that always has UPLOAD_IN_FLIGHT plain gets outstanding: far faster than the limit.
    const worker = async (): Promise<void> => {
      while (performance.now() < windowEnd) {
        const index = next++ % chunks.length;
        const { body } = await client.request(node.address, {
          type: 'get',
          video: 'movie',
          index,
          fetchUpstream: false,
          name: 'fast-peer',
        });
        if (sha256(body) !== chunks[index]!.sha256) corrupt += 1;
        arrivals.push({ at: performance.now(), bytes: body.length });
      }
    };
    const workers = Promise.all(Array.from({ length: UPLOAD_IN_FLIGHT }, worker));
    await sleep(windowStart - performance.now());
    const servedAtStart = (await statsOf(client, node.address)).bytesServed;
    await sleep(windowEnd - performance.now());
    const servedAtEnd = (await statsOf(client, node.address)).bytesServed;
    await workers;
    const inWindow = arrivals
      .filter((arrival) => arrival.at > windowStart && arrival.at <= windowEnd)
      .reduce((sum, arrival) => sum + arrival.bytes, 0);
    const received = inWindow / (UPLOAD_WINDOW_MS / 1000);
    const servedRate = (servedAtEnd - servedAtStart) / (UPLOAD_WINDOW_MS / 1000);
    const ratio = received / limit;
    return {
      suite: 'node',
      what: `serving rate / --upload-limit ${UPLOAD_LIMIT}`,
      value: ratio * 100,
      unit: '%',
      target: `100 % +- ${UPLOAD_TOLERANCE * 100}`,
      pass: Math.abs(ratio - 1) <= UPLOAD_TOLERANCE && corrupt === 0,
      detail:
        `received ${fixed(received / 1e6, 2)} MB/s over ${UPLOAD_WINDOW_MS / 1000} s after ${UPLOAD_WARMUP_MS / 1000} s warm-up, ` +
        `limit ${fixed(limit / 1e6, 2)} MB/s; node's bytesServed says ${fixed(servedRate / 1e6, 2)} MB/s; ` +
        `${UPLOAD_IN_FLIGHT} gets in flight, chunks ~${fixed(
          percentile(
            chunks.map((chunk) => chunk.size),
            50,
          ) / 1e3,
          0,
        )} kB; ${corrupt} corrupt`,
    };
  } finally {
    await client.close();
    await swarm.kill([node]);
  }
}

async function runSuite(): Promise<BenchRow[]> {
  const swarm = new BenchSwarm();
  let fixture: Fixture | undefined;
  try {
    fixture = await setUp(swarm);
    const rows: BenchRow[] = [];
    rows.push(...(await coldStart(fixture)));
    rows.push(await sourceOffload(fixture));
    rows.push(...(await concurrentServing(fixture)));
    rows.push(await uploadLimit(fixture));
    return rows;
  } finally {
    await fixture?.probe.close();
    await swarm.stop();
  }
}

export const suite: BenchSuite = { name: 'node', run: runSuite };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await runSuite()) {
    console.log(
      `${row.what.padEnd(56)} ${row.value.toFixed(1).padStart(8)} ${row.unit.padEnd(8)} ${row.target.padEnd(12)} ${row.pass ? 'yes' : 'NO '}  ${row.detail ?? ''}`,
    );
  }
}
