import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChunkStore } from '../store/chunk-store.js';
import type { StoreOptions } from '../store/types.js';
import { lockHolderPid } from '../store/lock-file.js';
import { PeerStreamerError, isPeerStreamerError } from '../util/errors.js';
import { connectToNode, type ControlClient } from '../control/client.js';
import { removeStaleControlFiles } from '../control/stale.js';
import type { ControlTransportOptions } from '../control/transport.js';
import { processAlive } from '../util/process-alive.js';

export interface WithStoreOptions extends StoreOptions {
  /**
   * Commands that only read a store (ls, export, verify) refuse a directory that does not exist, so a
   * mistyped --store is reported instead of silently creating an empty store there.
   */
  mustExist?: { command: string };
  /** The control channel's platform rules (tests run Windows' named-pipe branch on Linux). */
  control?: ControlTransportOptions;
}

/** `--store`'s validator: an empty value would silently mean the working directory. */
export function storeDirectory(value: string): string {
  if (value.trim() === '') {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--store ${JSON.stringify(value)} names no directory; give the store's directory, e.g. --store video_data.`,
      { flag: '--store', value },
    );
  }
  return value;
}

/** Opens the store a command names, runs `work`, and always closes it (releasing the lock). */
export async function withStore<T>(
  dir: string,
  work: (store: ChunkStore) => Promise<T>,
  options: WithStoreOptions = {},
): Promise<T> {
  const { mustExist, control: _control, ...storeOptions } = options;
  if (mustExist !== undefined) await assertStoreExists(dir, mustExist.command);
  const store = await ChunkStore.open(dir, storeOptions);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

/** A command's two ways to its store: through the node that runs on it, or by opening it. */
export interface StoreWork<T> {
  node: (node: ControlClient) => Promise<T>;
  /**
   * Runs when no node answers, before the store is opened (and perhaps created): checks that only
   * the direct path needs (the node makes its own), so bad input leaves no trace in the store.
   */
  beforeStore?: () => Promise<void>;
  store: (store: ChunkStore) => Promise<T>;
}

/** How long a command waits for a node that holds the store's lock to open its control channel. */
const NODE_STARTING_MS = 3_000;

/**
 * Runs a command against a store: through the control channel (socket, or named pipe on Windows) of
 * the node running on it, or, when no node runs there, by opening the store itself (as before nodes
 * had a control channel). What a killed node left (a dead socket, a token whose node is gone) is not
 * a running node: the store is opened, and the leftovers removed under the store's lock.
 */
export async function withStoreOrNode<T>(
  dir: string,
  work: StoreWork<T>,
  options: WithStoreOptions = {},
): Promise<T> {
  const { mustExist, control = {}, ...storeOptions } = options;
  if (mustExist !== undefined) await assertStoreExists(dir, mustExist.command);
  const node = await connectToNode(dir, control);
  if (node !== null) return throughNode(node, work);
  await work.beforeStore?.();
  try {
    return await withStore(
      dir,
      async (store) => {
        await removeStaleControlFiles(store.dir, control);
        return work.store(store);
      },
      storeOptions,
    );
  } catch (error) {
    if (!isPeerStreamerError(error, 'STORE_LOCKED')) throw error;
    // The lock is taken before the socket is opened: a node that is starting gets a moment.
    const late = await waitForNode(dir, NODE_STARTING_MS, control);
    if (late !== null) return throughNode(late, work);
    throw new PeerStreamerError(
      'STORE_LOCKED',
      `${error.message} Its node does not answer on a control channel (it may be older, or could not open one: see its log).`,
      { ...error.context },
      { cause: error },
    );
  }
}

async function throughNode<T>(node: ControlClient, work: StoreWork<T>): Promise<T> {
  try {
    return await work.node(node);
  } finally {
    node.close();
  }
}

async function waitForNode(
  dir: string,
  ms: number,
  control: ControlTransportOptions,
): Promise<ControlClient | null> {
  const deadline = Date.now() + ms;
  const holder = lockHolderPid(path.resolve(dir));
  while (Date.now() < deadline && (holder === undefined || processAlive(holder))) {
    const node = await connectToNode(dir, control);
    if (node !== null) return node;
    await sleep(100);
  }
  return null;
}

async function assertStoreExists(dir: string, command: string): Promise<void> {
  const exists = await stat(dir).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      // Anything but "not there" (a file, no permission) is left to ChunkStore.open, which explains it.
      if (error.code === 'ENOENT') return false;
      return true;
    },
  );
  if (!exists) {
    throw new PeerStreamerError(
      'INPUT_NOT_FOUND',
      `${command}: the store ${dir} does not exist; check --store, or create it by adding a video with \`peerstreamer add <file> --store ${dir}\`.`,
      { dir },
    );
  }
}
