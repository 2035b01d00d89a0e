/**
 * The live benchmark's tree: a source node process going live on a test pattern, level-1 nodes
 * under it and level-2 nodes under those, each a real `peerstreamer node` process on loopback; and
 * headless viewers (watchLive, the player's model) on the level-2 nodes, a process each.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerClient } from '../core/net/client.js';
import type { LiveManifest } from '../core/shared/manifest.js';
import { BenchSwarm, mustRunCli, statsOf, type BenchNode } from './swarm-harness.js';
import type { WatchedMessage } from './live-viewer-child.js';

const VIEWER_CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'live-viewer-child.js');

export interface LiveTreeShape {
  levelOne: number;
  /** Level-2 nodes, spread over the level-1 nodes in turn. */
  levelTwo: number;
  /** `--input` of the stream, e.g. testsrc:640x360@30. */
  input: string;
  /** Extra flags for the level-2 node that serves the player (index 0). */
  playerNodeFlags?: string[];
}

export interface LiveTree {
  swarm: BenchSwarm;
  source: BenchNode;
  levelOne: BenchNode[];
  levelTwo: BenchNode[];
  /** The ready line's player URL of level-2 node 0, when it was started with --ui. */
  playerUrl: string | null;
}

export const STREAM = 'bench-live';

export async function startLiveTree(shape: LiveTreeShape): Promise<LiveTree> {
  const swarm = new BenchSwarm();
  const source = await swarm.start({ name: 'source' });
  const levelOne: BenchNode[] = [];
  for (let i = 0; i < shape.levelOne; i++)
    levelOne.push(await swarm.start({ name: `l1-${i}`, master: source.address }));
  const levelTwo: BenchNode[] = [];
  for (let i = 0; i < shape.levelTwo; i++) {
    const master = levelOne[i % levelOne.length]!;
    // The fallback is the source, as a level-2 node of the original system named it.
    const extra = ['--supermaster', source.address, ...(i === 0 ? (shape.playerNodeFlags ?? []) : [])];
    levelTwo.push(await swarm.start({ name: `l2-${i}`, master: master.address, extra }));
  }
  const ready = levelTwo[0]?.logs.find((line) => line.includes('"event":"ready"'));
  const playerUrl = ready === undefined ? null : ((JSON.parse(ready) as { ui?: string }).ui ?? null);
  const store = storeOf(source);
  await mustRunCli(['live', 'start', STREAM, '--store', store, '--input', shape.input]);
  return { swarm, source, levelOne, levelTwo, playerUrl };
}

/** The store a BenchSwarm node was started with (its --store flag). */
function storeOf(node: BenchNode): string {
  const args = node.child.spawnargs;
  return args[args.indexOf('--store') + 1]!;
}

export async function stopStream(tree: LiveTree): Promise<void> {
  await mustRunCli(['live', 'stop', STREAM, '--store', storeOf(tree.source)]);
}

export async function manifestOf(node: BenchNode): Promise<LiveManifest> {
  const client = new PeerClient({ timeoutMs: 10_000 });
  try {
    const { reply } = await client.request(node.address, { type: 'get-manifest', video: STREAM });
    return reply.manifest as LiveManifest;
  } finally {
    await client.close();
  }
}

export async function bytesServed(node: BenchNode): Promise<number> {
  const client = new PeerClient({ timeoutMs: 10_000 });
  try {
    return (await statsOf(client, node.address)).bytesServed;
  } finally {
    await client.close();
  }
}

export interface HeadlessViewer {
  /** Settles once the viewer has shown its first chunk. */
  playing: Promise<void>;
  /** Tells the viewer to leave; `watched` then settles with what it showed. */
  leave(): void;
  watched: Promise<WatchedMessage>;
}

/** A headless viewer on `node`, in a process of its own (live-viewer-child.ts), until it leaves. */
export function headlessViewer(node: BenchNode): HeadlessViewer {
  const child = spawn(process.execPath, [VIEWER_CHILD, node.address, STREAM], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let report: WatchedMessage | undefined;
  let started: () => void = () => undefined;
  const playing = new Promise<void>((resolve) => (started = resolve));
  child.on('message', (message: WatchedMessage | { type: 'playing' }) => {
    if (message.type === 'playing') started();
    else if (message.type === 'watched') report = message;
  });
  const watched = (async (): Promise<WatchedMessage> => {
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    started();
    if (report === undefined)
      throw new Error(`the headless viewer on ${node.name} exited (${signal ?? code}) without a report`);
    return report;
  })();
  watched.catch(() => undefined);
  return {
    playing,
    leave: () => {
      if (child.connected) child.send({ type: 'leave' });
    },
    watched,
  };
}
