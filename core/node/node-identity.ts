import { randomBytes } from 'node:crypto';
import { SettingsFile } from '../store/settings-file.js';
import type { Logger } from '../util/logger.js';

/** Key of the store's settings file (core/store/settings-file.ts) that holds the node id. */
export const NODE_ID_SETTING = 'node.id';

const NODE_ID = /^[0-9a-f]{32}$/;

/**
 * The node id of the store in `storeDir`: 128 random bits in hex, made the first time a node starts
 * on the store and kept in its settings file. A master uses it to tell the same node restarting
 * (same store, same id) from another node that picked a name already in use (another store, another
 * id). The id belongs to the store, not the machine: a copied store directory is the same node to a
 * master.
 *
 * Called before the node opens the store: a store from before settings.json still has the id in its
 * index, which can be carried over only while no one holds the index open.
 *
 * An unreadable or malformed id is replaced by a new one (logged): the node then counts as a new
 * node, which at worst makes it wait for its old registration to time out (its master refuses it
 * with NAME_TAKEN and says how long that takes; MasterLink waits that long once and tries again).
 */
export async function nodeIdOf(storeDir: string, logger?: Logger): Promise<string> {
  const file = new SettingsFile(storeDir);
  const { values, problems } = await file.read();
  for (const problem of problems) logger?.warn(`node id: ${problem}`);
  const saved = values[NODE_ID_SETTING];
  if (typeof saved === 'string' && NODE_ID.test(saved)) return saved;
  if (saved !== undefined) logger?.warn(`node id in ${file.file} is malformed; making a new one`);
  const id = randomBytes(16).toString('hex');
  await file.update({ [NODE_ID_SETTING]: id });
  return id;
}
