/**
 * The named pipe of a store's node on Windows: `\\.\pipe\peerstreamer-<hash>`, the hash taken of the
 * store's canonical path, so the CLI finds the node of a store with no configuration. The node also
 * names the pipe in `<store>/control.pipe`, which the CLI prefers: it still finds the node when it
 * reached the store by a path that canonicalises differently (a mapped drive and its UNC path).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readSmallFile } from './small-files.js';
import { WINDOWS_PIPE_NAMESPACE } from './transport.js';

export const PIPE_POINTER_FILE = 'control.pipe';
const PIPE_PREFIX = 'peerstreamer-';
/** 128 bits of the hash: no two stores on one machine meet by accident. */
const HASH_HEX_CHARS = 32;
const HASH = new RegExp(`^[0-9a-f]{${HASH_HEX_CHARS}}$`);

/**
 * The store path as Windows compares it. The node's realpath already gives the on-disk case, but a
 * store that does not exist yet, a drive letter typed in lower case, forward slashes, a trailing
 * separator or the `\\?\` long-path prefix must still lead both sides to one name: NTFS compares
 * names case-insensitively, so the key is lower case.
 */
export function pipeKey(storeDir: string): string {
  let key = path.win32.normalize(storeDir);
  if (key.startsWith('\\\\?\\UNC\\')) key = `\\\\${key.slice('\\\\?\\UNC\\'.length)}`;
  else if (key.startsWith('\\\\?\\')) key = key.slice('\\\\?\\'.length);
  // "C:\" keeps its separator (it is the root); "C:\store\" loses it.
  if (key.length > 3 && key.endsWith('\\')) key = key.slice(0, -1);
  return key.toLowerCase();
}

/** The pipe a node serving `storeDir` (its canonical path) listens on. */
export function pipeNameFor(storeDir: string, namespace = WINDOWS_PIPE_NAMESPACE): string {
  const hash = createHash('sha256').update(pipeKey(storeDir)).digest('hex').slice(0, HASH_HEX_CHARS);
  return `${namespace}${PIPE_PREFIX}${hash}`;
}

/** True for a name this code would give a node's pipe in `namespace`, and nothing else. */
export function isNodePipeName(value: string, namespace = WINDOWS_PIPE_NAMESPACE): boolean {
  if (!value.startsWith(namespace + PIPE_PREFIX)) return false;
  return HASH.test(value.slice(namespace.length + PIPE_PREFIX.length));
}

/**
 * Where a client finds the node of `storeDir`: the pipe the store's pointer names, when it is one a
 * node would have written, else the pipe named after the path. A pointer naming anything else (a
 * file, another program's pipe) is ignored, as if absent.
 */
export async function locatePipe(storeDir: string, namespace = WINDOWS_PIPE_NAMESPACE): Promise<string> {
  const named = await readSmallFile(path.join(storeDir, PIPE_POINTER_FILE), 1024);
  const target = named?.trim();
  if (target !== undefined && isNodePipeName(target, namespace)) return target;
  return pipeNameFor(storeDir, namespace);
}
