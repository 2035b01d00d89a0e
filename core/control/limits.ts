/**
 * Every bound of the control channel in one place, so the server, the client and docs/PROTOCOL.md
 * agree. The channel is local and owner-only, but a bug or a stray script must still not make a
 * node allocate without limit or hang on a silent client.
 */

/** The only message version this code speaks; any other `v` is answered UNSUPPORTED_VERSION. */
export const CONTROL_VERSION = 1;

/** A request line (one JSON object) is at most this long: a file path is at most 4 KiB. */
export const MAX_REQUEST_LINE_BYTES = 64 * 1024;

/**
 * A line from the node is at most this long. The biggest is one `video` event of `ls`, which carries
 * a whole manifest (about 150 bytes per chunk: 64 MiB is over 400,000 chunks).
 */
export const MAX_REPLY_LINE_BYTES = 64 * 1024 * 1024;

/** Raw bytes after one `data` event of `export`: one chunk, as on the wire protocol. */
export const MAX_DATA_BYTES = 64 * 1024 * 1024;

/** Longest file path an `add` may name (Linux's PATH_MAX). */
export const MAX_PATH_BYTES = 4096;

/** A connection that has not sent its request line by then is closed (TIMEOUT). */
export const REQUEST_WAIT_MS = 10_000;

/** Connections served at once; more are answered BUSY and closed. */
export const MAX_CONNECTIONS = 32;

/** Progress events of an add are sent at most this often (the last one always). */
export const PROGRESS_INTERVAL_MS = 100;

/** Progress is skipped, not queued, while this much is already waiting for a slow reader. */
export const MAX_QUEUED_PROGRESS_BYTES = 64 * 1024;

/** How long `stop()` waits for commands to wind down after cancelling them. */
export const CLOSE_GRACE_MS = 10_000;
