import type Database from 'better-sqlite3';
import { PeerStreamerError } from '../util/errors.js';

/**
 * The index schema, versioned with PRAGMA user_version. Each entry upgrades from the version before
 * it; a store written by a newer PeerStreamer is refused rather than guessed at.
 */
const MIGRATIONS: readonly string[] = [
  // Version 1.
  `
  CREATE TABLE videos (
    name     TEXT PRIMARY KEY,
    manifest TEXT NOT NULL,
    pinned   INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    added_at TEXT NOT NULL
  );
  -- idx -1 is the init segment. last_used is a logical clock (not wall time) so LRU order is exact.
  -- pin_count mirrors the in-memory per-chunk pins of active streams; it is reset on open.
  CREATE TABLE chunks (
    video     TEXT NOT NULL REFERENCES videos(name),
    idx       INTEGER NOT NULL CHECK (idx >= -1),
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL CHECK (size >= 0),
    last_used INTEGER NOT NULL,
    pin_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (video, idx)
  ) WITHOUT ROWID;
  CREATE INDEX chunks_by_last_used ON chunks (last_used);
  -- Decides whether a blob file is still referenced (identical chunks share one file).
  CREATE INDEX chunks_by_sha256 ON chunks (sha256);
  -- Settings moved to settings.json (settings-file.ts); the table stays as the source it carries them
  -- over from, and for a PeerStreamer from before that.
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // Version 2: poster frames, at most one per video, named by the video's manifest (poster.sha256).
  // The image is the file posters/<sha256>. A row goes with its video: deleting or replacing the
  // video's row deletes it, and the next open removes the file if nothing else names it.
  `
  CREATE TABLE posters (
    video  TEXT PRIMARY KEY REFERENCES videos(name) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    size   INTEGER NOT NULL CHECK (size > 0)
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings a freshly locked index up to SCHEMA_VERSION in one transaction. */
export function migrate(db: Database.Database, file: string): void {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > SCHEMA_VERSION) {
    throw new PeerStreamerError(
      'STORE_CORRUPT',
      `The store index ${file} has schema version ${found}, but this PeerStreamer understands versions up to ${SCHEMA_VERSION}; it was written by a newer PeerStreamer. Upgrade PeerStreamer, or use another store directory. The file was left untouched.`,
      { file, version: found, supported: SCHEMA_VERSION },
    );
  }
  if (found === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = found; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
