/**
 * What CURVE costs, side by side in one run, servers in a child process as a real node's are:
 *
 *   (a) raw plain: a bare DEALER/ROUTER, tiny request, [header, 1 MiB] reply, no security
 *   (b) raw CURVE: the same with CURVE on both sockets (no ZAP handler): the encryption's own price
 *   (c) ours: PeerClient `get` -> PeerServer, CURVE with the ZAP handler and key-proving routing ids,
 *       sha256 of every body checked with the node's own hasher, as a node's fetch does; the targets
 *       are against (b) and against WebTorrent; beside it, the same with every reply hashed at once
 *       (how the node hashed before its hashes were bounded) and with no check at all
 *   (d) the handshake: a cold first request (a new PeerClient: the key asked over UDP, then the TCP
 *       connect and the CURVE handshake, then a ping) beside a warm ping on a connection already up
 *
 * One connection, IN_FLIGHT requests outstanding. Every node socket speaks CURVE, so this bench is
 * also the transport's: (a) is the plain-text reference of the earlier transport bench. The cold first chunk through two
 * levels of real nodes (with their own key asks and handshakes) is node.bench.ts's cold-start row.
 *
 * Run alone with `node dist/bench/curve.bench.js` after `npm run build`.
 */
import { createHash, webcrypto } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as zmq from 'zeromq';
import { PeerClient } from '../core/net/client.js';
import { PeerServer } from '../core/net/server.js';
import { sha256HexAsync } from '../core/util/hash.js';
import { splitPeerAddress } from '../core/protocol/peer-key.js';
import { median, type BenchRow, type BenchSuite } from './harness.js';
import { startServerChild, stopServerChild, type ServerChild } from './server-child.js';

const CHILD_ENV = 'PEERSTREAMER_CURVE_BENCH_CHILD';
const CHUNK_BYTES = 1024 * 1024;
const REQUESTS_PER_RUN = 300;
const IN_FLIGHT = 16;
const RUNS = 7;
const WARMUP_REQUESTS = 50;
const HANDSHAKES = 31;
const MIB = 1024 * 1024;
/**
 * WebTorrent moved a 50 MiB file between two local processes at 80–95 MB/s on this machine (measured
 * once by hand; it is not a dependency). The top of that range, so the ratio errs against us.
 */
const WEBTORRENT_MB_PER_S = 95;

type Mode = 'raw' | 'raw-curve' | 'peer';
type Side = Mode | 'peer-unverified' | 'peer-hashed-at-once' | 'raw-curve-hashed';
/** How peerRun checks each body: the node's bounded hasher, every reply at once, or not at all. */
type Check = 'node' | 'at-once' | 'none';

async function hashAtOnce(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

function makeChunk(): Buffer {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  return chunk;
}

// ---- child: the serving side ------------------------------------------------------------------

async function serveRaw(chunk: Buffer, curve: boolean): Promise<string> {
  const keys = zmq.curveKeyPair();
  const router = new zmq.Router({
    linger: 0,
    sendHighWaterMark: 64,
    ...(curve ? { curveServer: true, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey } : {}),
  });
  await router.bind('tcp://127.0.0.1:*');
  void (async () => {
    for await (const [routingId, request] of router) await router.send([routingId!, request!, chunk]);
  })();
  return curve ? `${router.lastEndpoint!}#${keys.publicKey}` : router.lastEndpoint!;
}

async function servePeer(chunk: Buffer): Promise<string> {
  const server = new PeerServer({ bind: 'tcp://127.0.0.1:0', name: 'bench-server' });
  const hash = createHash('sha256').update(chunk).digest('hex');
  server.handle('get', (request) => ({
    reply: { video: request.video, index: request.index, size: chunk.length, sha256: hash },
    body: chunk,
  }));
  // A bare address: the cold rows ask for the key over UDP, as a node given --master does.
  return server.bind();
}

async function runChild(mode: Mode): Promise<void> {
  const chunk = makeChunk();
  const address = mode === 'peer' ? await servePeer(chunk) : await serveRaw(chunk, mode === 'raw-curve');
  process.stdout.write(`${address}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// ---- parent: the requesting side --------------------------------------------------------------

type Child = ServerChild;

function startChild(mode: Mode): Promise<Child> {
  return startServerChild(fileURLToPath(import.meta.url), CHILD_ENV, mode);
}

const stopChild = stopServerChild;

/** MiB/s of `requests` 1 MiB replies on one raw DEALER, IN_FLIGHT outstanding. */
async function rawRun(target: string, requests: number, hash = false): Promise<number> {
  // The key may itself hold '#': split at the first.
  const { dial: address, key: serverKey } = splitPeerAddress(target);
  const keys = zmq.curveKeyPair();
  const dealer = new zmq.Dealer({
    linger: 0,
    maxMessageSize: -1,
    ...(serverKey
      ? { curveServerKey: serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey }
      : {}),
  });
  dealer.connect(address);
  const started = process.hrtime.bigint();
  let received = 0;
  let bytes = 0;
  const request = Buffer.alloc(40, 1);
  const receiving = (async () => {
    while (received < requests) {
      const [, body] = await dealer.receive();
      if (hash) await sha256HexAsync(body!);
      bytes += body!.length;
      received += 1;
    }
  })();
  for (let sent = 0; sent < requests; sent++) {
    while (sent - received >= IN_FLIGHT) await new Promise((resolve) => setImmediate(resolve));
    await dealer.send(request);
  }
  await receiving;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  dealer.close();
  if (bytes !== requests * CHUNK_BYTES) throw new Error(`raw run received ${bytes} bytes`);
  return bytes / MIB / seconds;
}

async function peerRun(
  client: PeerClient,
  address: string,
  requests: number,
  check: Check = 'node',
): Promise<number> {
  const hash = check === 'node' ? sha256HexAsync : check === 'at-once' ? hashAtOnce : null;
  const started = process.hrtime.bigint();
  let bytes = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const index = next++;
      const { reply, body } = await client.request(address, {
        type: 'get',
        video: 'bench',
        index,
        fetchUpstream: false,
      });
      if (hash !== null && (await hash(body)) !== reply.sha256) throw new Error(`chunk ${index} failed`);
      bytes += body.length;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return bytes / MIB / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Milliseconds of a first ping from a new client (key ask, connect, handshake), and of a second. */
async function handshake(address: string): Promise<{ cold: number; warm: number }> {
  const client = new PeerClient({ timeoutMs: 5_000 });
  try {
    const started = performance.now();
    await client.request(address, { type: 'ping' });
    const cold = performance.now() - started;
    const again = performance.now();
    await client.request(address, { type: 'ping' });
    return { cold, warm: performance.now() - again };
  } finally {
    await client.close();
  }
}

async function runSuite(): Promise<BenchRow[]> {
  const raw = await startChild('raw');
  const rawCurve = await startChild('raw-curve');
  const peer = await startChild('peer');
  const client = new PeerClient({ maxInFlightPerRemote: IN_FLIGHT, timeoutMs: 30_000 });
  const rates: Record<Side, number[]> = {
    raw: [],
    'raw-curve': [],
    'raw-curve-hashed': [],
    peer: [],
    'peer-hashed-at-once': [],
    'peer-unverified': [],
  };
  const cold: number[] = [];
  const warm: number[] = [];
  try {
    await rawRun(raw.address, WARMUP_REQUESTS);
    await rawRun(rawCurve.address, WARMUP_REQUESTS);
    await peerRun(client, peer.address, WARMUP_REQUESTS);
    // Interleaved, so drift in machine load hits every side alike.
    for (let run = 0; run < RUNS; run++) {
      rates.raw.push(await rawRun(raw.address, REQUESTS_PER_RUN));
      rates['raw-curve'].push(await rawRun(rawCurve.address, REQUESTS_PER_RUN));
      rates['raw-curve-hashed'].push(await rawRun(rawCurve.address, REQUESTS_PER_RUN, true));
      rates.peer.push(await peerRun(client, peer.address, REQUESTS_PER_RUN));
      rates['peer-hashed-at-once'].push(await peerRun(client, peer.address, REQUESTS_PER_RUN, 'at-once'));
      rates['peer-unverified'].push(await peerRun(client, peer.address, REQUESTS_PER_RUN, 'none'));
    }
    for (let run = 0; run < HANDSHAKES; run++) {
      const sample = await handshake(peer.address);
      cold.push(sample.cold);
      warm.push(sample.warm);
    }
  } finally {
    await client.close();
    for (const child of [raw, rawCurve, peer]) await stopChild(child);
  }
  const list = (values: number[]): string => values.map((value) => value.toFixed(0)).join('/');
  const pairRatio = (ours: number[], reference: number[]): number =>
    median(ours.map((rate, run) => (rate / reference[run]!) * 100));
  const ratio = pairRatio(rates.peer, rates['raw-curve']);
  const samples = `${RUNS} runs x ${REQUESTS_PER_RUN} x 1 MiB, ${IN_FLIGHT} in flight, one connection`;
  const ms = (value: number): string => value.toFixed(2);
  const megabytes = (mebibytes: number): number => (mebibytes * MIB) / 1e6;
  const overWebTorrent = megabytes(median(rates.peer)) / WEBTORRENT_MB_PER_S;
  return [
    {
      suite: 'curve',
      what: 'raw zeromq, plain, 1 MiB replies',
      value: median(rates.raw),
      unit: 'MiB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rates.raw)}; ${samples}`,
    },
    {
      suite: 'curve',
      what: 'raw zeromq, CURVE, 1 MiB replies',
      value: median(rates['raw-curve']),
      unit: 'MiB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rates['raw-curve'])}; ${pairRatio(rates['raw-curve'], rates.raw).toFixed(0)} % of plain`,
    },
    {
      suite: 'curve',
      what: 'raw zeromq, CURVE, sha256 of each reply',
      value: median(rates['raw-curve-hashed']),
      unit: 'MiB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rates['raw-curve-hashed'])}; the same check as ours, one at a time in the thread pool; ours is ${pairRatio(rates.peer, rates['raw-curve-hashed']).toFixed(0)} % of this`,
    },
    {
      suite: 'curve',
      what: 'PeerClient get 1 MiB over CURVE, sha256 verified',
      value: median(rates.peer),
      unit: 'MiB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rates.peer)}`,
    },
    {
      suite: 'curve',
      what: 'PeerClient over CURVE / raw CURVE',
      value: ratio,
      unit: '%',
      target: '>= 50 %',
      pass: ratio >= 50,
      detail: `median of per-run ratios; ${pairRatio(rates.peer, rates.raw).toFixed(0)} % of raw plain`,
    },
    {
      suite: 'curve',
      what: 'PeerClient over CURVE, verified / WebTorrent',
      value: overWebTorrent,
      unit: 'x',
      target: '>= 4x',
      pass: overWebTorrent >= 4,
      detail: `${megabytes(median(rates.peer)).toFixed(0)} MB/s against WebTorrent's ${WEBTORRENT_MB_PER_S} MB/s (the top of 80–95 MB/s measured here)`,
    },
    {
      suite: 'curve',
      what: 'PeerClient over CURVE, every reply hashed at once',
      value: median(rates['peer-hashed-at-once']),
      unit: 'MiB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rates['peer-hashed-at-once'])}; ${pairRatio(rates['peer-hashed-at-once'], rates['raw-curve']).toFixed(0)} % of raw CURVE: ${IN_FLIGHT} hashes at once in the thread pool, as before the node bounded them`,
    },
    {
      suite: 'curve',
      what: 'PeerClient get 1 MiB over CURVE, not hashed',
      value: median(rates['peer-unverified']),
      unit: 'MiB/s',
      target: 'reference',
      pass: true,
      detail: `runs ${list(rates['peer-unverified'])}; ${pairRatio(rates['peer-unverified'], rates['raw-curve']).toFixed(0)} % of raw CURVE: the transport's own cost, without the check that shares the 2 cores`,
    },
    {
      suite: 'curve',
      what: 'cold first ping: key ask + connect + CURVE handshake',
      value: median(cold),
      unit: 'ms',
      target: 'reference',
      pass: true,
      detail: `${HANDSHAKES} new clients; p90 ${ms([...cold].sort((a, b) => a - b)[Math.floor(HANDSHAKES * 0.9)]!)} ms; warm ping on the same connection ${ms(median(warm))} ms`,
    },
  ];
}

export const suite: BenchSuite = { name: 'curve', run: runSuite };

const childMode = process.env[CHILD_ENV];
if (childMode !== undefined) {
  await runChild(childMode as Mode);
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await runSuite()) {
    console.log(
      `${row.what.padEnd(52)} ${row.value.toFixed(1).padStart(8)} ${row.unit.padEnd(5)} ${row.target.padEnd(10)} ${row.pass ? 'yes' : 'NO '}  ${row.detail ?? ''}`,
    );
  }
}
