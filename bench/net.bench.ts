/**
 * Peer-to-peer chunk transfer against a raw ZeroMQ request/reply of the same bytes, side by side in
 * the same run. The server runs in a child process, as a real node does: the parent only measures
 * the requesting side. Both sides keep the same number of requests in flight.
 *
 *   (a) raw:  a bare DEALER sends a tiny request, a bare ROUTER answers [header, 1 MiB]
 *   (b) peer: PeerClient `get` -> PeerServer, with sha256 of every body checked on the client
 *             (the real path verifies every chunk), plus the same without hashing for reference
 *
 * Run alone with `node dist/bench/net.bench.js` after `npm run build`.
 */
import { createHash } from 'node:crypto';
import { sha256HexAsync } from '../core/util/hash.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as zmq from 'zeromq';
import { PeerClient } from '../core/net/client.js';
import { PeerServer } from '../core/net/server.js';
import { median, type BenchRow, type BenchSuite } from './harness.js';
import { startServerChild, stopServerChild, type ServerChild } from './server-child.js';

const CHILD_ENV = 'PEERSTREAMER_NET_BENCH_CHILD';
const CHUNK_BYTES = 1024 * 1024;
const REQUESTS_PER_RUN = 400;
const IN_FLIGHT = 16;
const RUNS = 7;
const WARMUP_REQUESTS = 50;

function makeChunk(): Buffer {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  return chunk;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ---- child: the serving side ------------------------------------------------------------------

async function serveRaw(chunk: Buffer): Promise<string> {
  const router = new zmq.Router({ linger: 0, sendHighWaterMark: 64 });
  await router.bind('tcp://127.0.0.1:*');
  void (async () => {
    const header = Buffer.from('ok');
    for await (const [routingId, request] of router)
      await router.send([routingId!, request ?? header, chunk]);
  })();
  return router.lastEndpoint!;
}

async function servePeer(chunk: Buffer): Promise<string> {
  const server = new PeerServer({ bind: 'tcp://127.0.0.1:0', name: 'bench-server' });
  const hash = sha256(chunk);
  server.handle('get', (request) => ({
    reply: { video: request.video, index: request.index, size: chunk.length, sha256: hash },
    body: chunk,
  }));
  return server.bind();
}

async function runChild(mode: string): Promise<void> {
  const chunk = makeChunk();
  const address = mode === 'raw' ? await serveRaw(chunk) : await servePeer(chunk);
  process.stdout.write(`${address}\n`);
  // Exit with the parent.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// ---- parent: the requesting side --------------------------------------------------------------

type Child = ServerChild;

function startChild(mode: 'raw' | 'peer'): Promise<Child> {
  return startServerChild(fileURLToPath(import.meta.url), CHILD_ENV, mode);
}

const stopChild = stopServerChild;

/** Keeps `IN_FLIGHT` requests outstanding until `total` have completed. */
async function withConcurrency(total: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await one(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function rawRun(address: string, requests: number, verify: boolean): Promise<number> {
  const dealer = new zmq.Dealer({ linger: 0, maxMessageSize: -1 });
  dealer.connect(address);
  const started = process.hrtime.bigint();
  let received = 0;
  let bytes = 0;
  const request = Buffer.alloc(40, 1);
  const receiving = (async () => {
    while (received < requests) {
      const [, body] = await dealer.receive();
      if (verify) sha256(body!);
      bytes += body!.length;
      received += 1;
    }
  })();
  // Same window as PeerClient: never more than IN_FLIGHT unanswered.
  for (let sent = 0; sent < requests; sent++) {
    while (sent - received >= IN_FLIGHT) await new Promise((resolve) => setImmediate(resolve));
    await dealer.send(request);
  }
  await receiving;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  dealer.close();
  if (bytes !== requests * CHUNK_BYTES) throw new Error(`raw run received ${bytes} bytes`);
  return bytes / 1e6 / seconds;
}

async function peerRun(
  client: PeerClient,
  address: string,
  requests: number,
  verify: boolean,
): Promise<number> {
  const started = process.hrtime.bigint();
  let bytes = 0;
  await withConcurrency(requests, async (i) => {
    const { reply, body } = await client.request(address, {
      type: 'get',
      video: 'bench',
      index: i,
      fetchUpstream: false,
    });
    // As the node's fetcher does: hashed in the thread pool, so concurrent chunks hash on every core.
    if (verify && (await sha256HexAsync(body)) !== reply.sha256)
      throw new Error(`chunk ${i} failed verification`);
    bytes += body.length;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return bytes / 1e6 / seconds;
}

async function runSuite(): Promise<BenchRow[]> {
  const raw = await startChild('raw');
  const peer = await startChild('peer');
  const client = new PeerClient({ maxInFlightPerRemote: IN_FLIGHT, timeoutMs: 30_000 });
  const rawRates: number[] = [];
  const rawHashedRates: number[] = [];
  const peerRates: number[] = [];
  const bareRates: number[] = [];
  try {
    await rawRun(raw.address, WARMUP_REQUESTS, false);
    await peerRun(client, peer.address, WARMUP_REQUESTS, true);
    // Interleaved, so drift in machine load hits both sides alike.
    for (let run = 0; run < RUNS; run++) {
      rawRates.push(await rawRun(raw.address, REQUESTS_PER_RUN, false));
      rawHashedRates.push(await rawRun(raw.address, REQUESTS_PER_RUN, true));
      peerRates.push(await peerRun(client, peer.address, REQUESTS_PER_RUN, true));
      bareRates.push(await peerRun(client, peer.address, REQUESTS_PER_RUN, false));
    }
  } finally {
    await client.close();
    await stopChild(raw);
    await stopChild(peer);
  }
  const rawMedian = median(rawRates);
  const peerMedian = median(peerRates);
  const bareMedian = median(bareRates);
  const rawHashedMedian = median(rawHashedRates);
  // Load from other processes drifts during a suite; each run's pair was measured back to back, so
  // the median of per-run ratios is steadier than a ratio of medians.
  const pairRatio = (ours: number[], reference: number[]): number =>
    median(ours.map((rate, run) => (rate / reference[run]!) * 100));
  const ratio = pairRatio(peerRates, rawRates);
  const samples = `${RUNS} runs x ${REQUESTS_PER_RUN} x 1 MiB, ${IN_FLIGHT} in flight, server in a child process`;
  const list = (rates: number[]): string => rates.map((rate) => rate.toFixed(0)).join('/');
  return [
    {
      suite: 'net',
      what: 'raw zeromq DEALER/ROUTER, 1 MiB replies',
      value: rawMedian,
      unit: 'MB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rawRates)}; ${samples}`,
    },
    {
      suite: 'net',
      what: 'PeerClient get 1 MiB, sha256 verified',
      value: peerMedian,
      unit: 'MB/s',
      target: '>= 500 MB/s',
      pass: peerMedian >= 500,
      detail: `runs ${list(peerRates)}`,
    },
    {
      suite: 'net',
      what: 'PeerClient get 1 MiB / raw zeromq',
      value: ratio,
      unit: '%',
      target: '>= 50 %',
      pass: ratio >= 50,
      detail: `median of per-run ratios (ratio of medians ${((peerMedian / rawMedian) * 100).toFixed(0)} %)`,
    },
    {
      suite: 'net',
      what: 'raw zeromq, 1 MiB replies, sha256 of each',
      value: rawHashedMedian,
      unit: 'MB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rawHashedRates)}; PeerClient with sha256 is ${pairRatio(peerRates, rawHashedRates).toFixed(0)} % of this`,
    },
    {
      suite: 'net',
      what: 'PeerClient get 1 MiB, no hashing',
      value: bareMedian,
      unit: 'MB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(bareRates)}; ${pairRatio(bareRates, rawRates).toFixed(0)} % of raw: the transport's own cost`,
    },
  ];
}

export const suite: BenchSuite = { name: 'net', run: runSuite };

const childMode = process.env[CHILD_ENV];
if (childMode !== undefined) {
  await runChild(childMode);
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await runSuite()) {
    console.log(
      `${row.what.padEnd(42)} ${row.value.toFixed(1).padStart(8)} ${row.unit.padEnd(5)} ${row.target.padEnd(12)} ${row.pass ? 'yes' : 'NO '}  ${row.detail ?? ''}`,
    );
  }
}
