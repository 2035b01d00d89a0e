import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { writeFileDurably } from './durable-file.js';
import { renameReplacing } from './rename-replacing.js';
import { readSettingsTable } from './settings-table.js';
import { translateFileError } from './store-errors.js';

export const SETTINGS_FILE = 'settings.json';

export interface SettingsRead {
  /** Key -> JSON value. Empty when the file could not be used; each owner checks its own values. */
  values: Record<string, unknown>;
  /** Sentences naming the file, what is wrong and what to do; nothing here stops a node. */
  problems: string[];
}

/** What is on disk now: the file's values, no file yet, or a file that cannot be used. */
type OnDisk =
  | { kind: 'values'; values: Record<string, unknown> }
  | { kind: 'missing' }
  | { kind: 'unusable'; problem: string };

/** Operations on one file in this process, in order, so no read-modify-write loses another's keys. */
const queues = new Map<string, Promise<unknown>>();

/**
 * A store directory's settings: `<store>/settings.json`, one JSON object of key -> value, shared by
 * its owners under their own key prefixes (the app's settings, the node id, the first-run sample).
 * A file of its own rather than the index, so the desktop app reads its settings without opening
 * (locking, reconciling, evicting) the chunk store, and a damaged file costs settings, never chunks.
 *
 * Writes are whole and atomic (temp file, fsync, rename, directory fsync), owner-only (0600), and
 * keep every key they were not asked to change, including keys a newer version wrote. A file that is
 * not a JSON object is reported, every setting takes its default, and the next write moves it aside
 * (`settings.json.bad-<time>`) rather than over it, so whatever it held can still be recovered.
 *
 * Before this file existed settings lived in the index's `settings` table: the first read that finds
 * no file carries them over (settings-table.ts) and writes the file, once.
 */
export class SettingsFile {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(path.resolve(dir), SETTINGS_FILE);
  }

  /** Never throws: whatever cannot be read is in `problems`, with its values left out. */
  read(): Promise<SettingsRead> {
    return this.inTurn(async () => {
      const found = await this.load();
      if (found.kind === 'values') return { values: found.values, problems: [] };
      if (found.kind === 'unusable') return { values: {}, problems: [found.problem] };
      const table = readSettingsTable(this.dir, this.file);
      if (!table.ok) return { values: {}, problems: [table.error.message] };
      const problems = [...table.problems];
      // Nothing to carry over, and a read should not create a store directory.
      if (!table.found) return { values: {}, problems };
      // The carried-over values are used either way; if they cannot be written they are carried over
      // again next time.
      await this.write(table.values).catch((error: unknown) =>
        problems.push(`Settings carried over from the index were not saved: ${errorMessage(error)}`),
      );
      return { values: table.values, problems };
    });
  }

  /**
   * Sets each key of `changes` (undefined deletes it) and keeps every other key. Throws
   * STORE_NOT_WRITABLE or DISK_FULL naming the file, or the index's error when settings still there
   * cannot be carried over first (another node holds it).
   */
  update(changes: Readonly<Record<string, unknown>>): Promise<void> {
    return this.inTurn(async () => {
      const found = await this.load();
      let values: Record<string, unknown>;
      if (found.kind === 'values') {
        values = found.values;
      } else if (found.kind === 'unusable') {
        await this.moveAside();
        values = {};
      } else {
        const table = readSettingsTable(this.dir, this.file);
        if (!table.ok) throw table.error;
        values = table.values;
      }
      const merged = Object.entries({ ...values, ...changes }).filter(([, value]) => value !== undefined);
      await this.write(Object.fromEntries(merged));
    });
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.file) ?? Promise.resolve();
    const result = previous.then(work, work);
    const settled = result.catch(() => undefined);
    queues.set(this.file, settled);
    // The map holds only files with work outstanding.
    void settled.then(() => {
      if (queues.get(this.file) === settled) queues.delete(this.file);
    });
    return result;
  }

  private async load(): Promise<OnDisk> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return {
        kind: 'unusable',
        problem: `The settings file ${this.file} could not be read (${errorMessage(error)}); every setting takes its default. Check that it is a file this user may read (it is written with mode 0600). The next write to it moves it aside to ${SETTINGS_FILE}.bad-<time> and starts a new one.`,
      };
    }
    // Checked by hand, not by a schema: the file need only be a JSON object, its problems name the
    // file and what it held, and each owner checks its own keys with its own schema (core/settings'
    // for the app's settings).
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { kind: 'unusable', problem: this.damaged(`is not valid JSON (${errorMessage(error)})`) };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      const what = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed;
      return { kind: 'unusable', problem: this.damaged(`holds ${what}, not an object of setting -> value`) };
    }
    return { kind: 'values', values: parsed as Record<string, unknown> };
  }

  private damaged(what: string): string {
    return `The settings file ${this.file} ${what}; every setting takes its default. Fix it by hand, or delete it to start again from the settings the store had before. The next write to it (saving settings, or a node storing a new id) moves it aside to ${SETTINGS_FILE}.bad-<time> and starts a new one.`;
  }

  private async moveAside(): Promise<void> {
    const aside = `${this.file}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await renameReplacing(this.file, aside);
    } catch (error) {
      throw this.writeError(error, `moving the unusable settings file aside to ${aside}`);
    }
  }

  private async write(values: Record<string, unknown>): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(values, null, 2)}\n`, 'utf8');
    const temp = `${this.file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await writeFileDurably(temp, this.file, bytes, 0o600);
      await syncDirectory(path.dirname(this.file));
    } catch (error) {
      throw this.writeError(error, 'saving settings');
    }
  }

  private writeError(error: unknown, doing: string): unknown {
    const translated = translateFileError(error, this.dir, this.file, doing);
    if (translated instanceof PeerStreamerError) return translated;
    return new PeerStreamerError(
      'STORE_NOT_WRITABLE',
      `The settings file ${this.file} could not be written while ${doing} (${errorMessage(error)}); the settings before this change are still in place. Check the directory's permissions and free space, then save again.`,
      { dir: this.dir, path: this.file },
      { cause: error },
    );
  }
}

/** Makes the rename itself durable. Windows cannot open a directory to sync it; NTFS logs renames. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
