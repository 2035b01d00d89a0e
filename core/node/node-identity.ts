import { randomBytes } from 'node:crypto';
import type { ChunkStore } from '../store/chunk-store.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';

/** Row of the store's settings table that holds the node id. */
export const NODE_ID_SETTING = 'node.id';

const NODE_ID = /^[0-9a-f]{32}$/;

/**
 * This store's node id: 128 random bits in hex, made the first time a node opens the store and kept
 * in its settings table. A master uses it to tell the same node restarting (same store, same id)
 * from another node that picked a name already in use (another store, another id). The id belongs
 * to the store, not the machine: a copied store directory is the same node to a master.
 *
 * An unreadable or malformed row is replaced by a new id (logged): the node then counts as a new
 * node, which at worst makes it wait for its old registration to time out (its master refuses it
 * with NAME_TAKEN and says how long that takes; MasterLink waits that long once and tries again).
 */
export function nodeIdOf(store: ChunkStore, logger?: Logger): string {
  let saved: unknown;
  try {
    saved = store.getSetting(NODE_ID_SETTING);
  } catch (error) {
    logger?.warn({ error: errorMessage(error) }, 'node id in the store is unreadable; making a new one');
  }
  if (typeof saved === 'string' && NODE_ID.test(saved)) return saved;
  if (saved !== undefined) logger?.warn('node id in the store is malformed; making a new one');
  const id = randomBytes(16).toString('hex');
  store.setSetting(NODE_ID_SETTING, id);
  return id;
}
