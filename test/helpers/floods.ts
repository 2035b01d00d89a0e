/**
 * The floods an outside tester measured against a node (issue 10 §2), as raw ZeroMQ clients: what a
 * PeerClient would never send. Shared by the wiring test (test/e2e/resource-floods.test.ts), which
 * checks the node's behaviour under each, and the bench (bench/flood.bench.ts), which reports figures.
 */
import { readFileSync } from 'node:fs';
import type * as zmq from 'zeromq';
import { Packr, Unpackr } from 'msgpackr';
import { curveDealer } from './curve-dealer.js';

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });

export function rawRequest(id: number, fields: Record<string, unknown>): Buffer {
  return packr.pack({ v: 1, id, ...fields });
}

export function readReply(frames: Buffer[]): Record<string, unknown> {
  return unpackr.unpack(frames[0]!) as Record<string, unknown>;
}

/**
 * A raw DEALER to `address#key` (the node's CURVE key, from its ready line): a stranger with a key
 * pair of its own that proves it, as anyone can make one; a node lets nothing else in.
 */
function dealer(keyedAddress: string): zmq.Dealer {
  // At the first '#': a Z85 key may hold '#' itself.
  const at = keyedAddress.indexOf('#');
  if (at < 0) throw new Error(`${keyedAddress} names no key (tcp://h:p#key)`);
  const [address, key] = [keyedAddress.slice(0, at), keyedAddress.slice(at + 1)];
  const { dealer: socket } = curveDealer(address, key, { proveKey: true, receiveTimeout: 10_000 });
  socket.sendTimeout = 10_000;
  return socket;
}

/** A node process's address with its key, as the floods here take it. */
export function keyedAddress(node: { address: string; key: string }): string {
  return `${node.address}#${node.key}`;
}

/** A fake child's register: a name, an address nobody serves, and a small inventory. */
function fakeRegister(id: number, deadPort: number): Buffer {
  return rawRequest(id, {
    type: 'register',
    name: `fake-${id}`,
    address: `tcp://127.0.0.1:${deadPort}`,
    role: 'child',
    seeding: true,
    chunks: [{ video: 'movie', indexes: [0, 1, 2] }],
    capacity: { maxInFlight: 1000, uploadBytesPerSecond: 0, storeBytes: 0 },
  });
}

/**
 * `count` registers under distinct names from one connection, `window` in flight at a time; returns
 * how many were answered ok and the error codes of the rest. `deadPort` is a port nothing listens on.
 */
export async function floodRegistrations(
  address: string,
  count: number,
  deadPort: number,
  window = 16,
): Promise<{ ok: number; refused: Record<string, number> }> {
  const socket = dealer(address);
  const result = { ok: 0, refused: {} as Record<string, number> };
  try {
    let sent = 0;
    let answered = 0;
    while (answered < count) {
      while (sent < count && sent - answered < window) await socket.send(fakeRegister(++sent, deadPort));
      const reply = readReply(await socket.receive());
      answered += 1;
      if (reply.type === 'register-ok') result.ok += 1;
      else {
        const code = String(reply.code);
        result.refused[code] = (result.refused[code] ?? 0) + 1;
      }
    }
  } finally {
    socket.close();
  }
  return result;
}

/**
 * `messages` messages of `frames` frames of `frameBytes` each, on each of `connections` connections,
 * sent as fast as libzmq takes them. With `thenPing`, each connection then sends a ping and waits
 * for its answer: a node reads one connection in order, so by then it has dealt with every message
 * before it. Without (frames the node drops the connection for), it resolves once all are queued.
 */
export async function floodFrames(
  address: string,
  options: { connections: number; messages: number; frames: number; frameBytes: number; thenPing?: boolean },
): Promise<void> {
  const frame = Buffer.alloc(options.frameBytes, 0x41);
  const message = Array.from({ length: options.frames }, () => frame);
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      const socket = dealer(address);
      try {
        for (let i = 0; i < options.messages; i++) await socket.send(message);
        if (options.thenPing !== true) return;
        await socket.send(rawRequest(1, { type: 'ping' }));
        // Refusals of the frames are answered too (id 0, within the node's reply budget): skip them.
        while (readReply(await socket.receive()).type !== 'ping-ok');
      } finally {
        socket.close();
      }
    }),
  );
}

/**
 * `children` fake children, each registering with a request's worth of chunks of a video of its own
 * and reporting `reports` more such batches: as many directory entries as requests can carry.
 * Resolves with how many of the registers were taken.
 */
export async function floodDirectory(
  address: string,
  options: { children: number; reports: number; deadPort: number },
): Promise<number> {
  const batch = (from: number): number[] => Array.from({ length: 8_192 }, (_, i) => from + i);
  let taken = 0;
  // A connection each, so no fake is slowed by the bytes per second one connection may send.
  await Promise.all(
    Array.from({ length: options.children }, async (_, child) => {
      const socket = dealer(address);
      const name = `hoard-${child}`;
      const video = `hoard-video-${child}`;
      try {
        await socket.send(
          rawRequest(1, {
            type: 'register',
            name,
            address: `tcp://127.0.0.1:${options.deadPort}`,
            role: 'child',
            seeding: true,
            chunks: [{ video, indexes: batch(0) }],
            capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
          }),
        );
        if (readReply(await socket.receive()).type !== 'register-ok') return;
        taken += 1;
        for (let report = 1; report <= options.reports; report++) {
          const added = [{ video, indexes: batch(report * 8_192) }];
          await socket.send(rawRequest(1 + report, { type: 'report', name, added, removed: [] }));
          await socket.receive();
        }
      } finally {
        socket.close();
      }
    }),
  );
  return taken;
}

/** A register carrying an inventory of `indexes` indexes (about 5 bytes each on the wire). */
export function hugeRegister(id: number, indexes: number): Buffer {
  return rawRequest(id, {
    type: 'register',
    name: `hoarder-${id}`,
    address: 'tcp://127.0.0.1:9',
    role: 'child',
    seeding: true,
    chunks: [{ video: 'movie', indexes: Array.from({ length: indexes }, (_, i) => 9_000_000 - i) }],
    capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 0 },
  });
}

/** One message of the given frames on each of `connections` connections; closed once sent. */
export async function sendOnEach(address: string, connections: number, frames: Buffer[]): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = dealer(address);
      try {
        await socket.send(frames);
      } finally {
        socket.close();
      }
    }),
  );
}

/** A process's resident set now and its peak so far, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}
