/**
 * Each control command's fields as a valibot schema; the request types are inferred from them. A
 * schema builds a fresh object from the fields it knows, so unknown fields are dropped and a newer
 * client may add optional ones within version 1. Problems are worded as core/protocol words them:
 * `field "file" must be an absolute file path of at most 4096 bytes; got "clip.mp4"`.
 */
import path from 'node:path';
import * as v from 'valibot';
import {
  MAX_CHUNK_DURATION,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_DURATION,
  MIN_CHUNK_SIZE,
} from '../media/chunk-options.js';
import {
  boolean,
  chunkIndex,
  finiteNumber,
  optional,
  text,
  uint,
  videoName,
} from '../protocol/field-schemas.js';
import {
  MAX_LIVE_CHUNK_SECONDS,
  MAX_RECONNECT_SECONDS,
  MIN_LIVE_CHUNK_SECONDS,
} from '../media/live-options.js';
import { MAX_LIVE_WINDOW_SECONDS } from '../shared/manifest-schema.js';
import { record } from '../shared/schema.js';
import { MAX_PATH_BYTES } from './limits.js';

/** The node's working directory is not the client's, so only an absolute path names the same file. */
const absoluteFile = v.custom<string>(
  (input) =>
    typeof input === 'string' &&
    input.length > 0 &&
    Buffer.byteLength(input) <= MAX_PATH_BYTES &&
    !input.includes('\0') &&
    path.isAbsolute(input),
  `an absolute file path of at most ${MAX_PATH_BYTES} bytes`,
);

// A size that fails as a number is worded as a number; one that is a number but too small, as bytes.
const chunkSize = v.pipe(
  uint(MAX_CHUNK_SIZE),
  v.minValue(MIN_CHUNK_SIZE, `${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE} bytes`),
);

/** Ingest a file the node can read into its store, pinned, and announce it down the tree. */
const add = v.pipe(
  // Checked in this order, so a line with several bad fields is told about the same one as before.
  record(
    {
      /** Absolute path: the node's working directory is not the client's. */
      file: absoluteFile,
      replace: boolean,
      /** The video's name; the file name without its extension when absent. */
      name: optional(videoName),
      chunkDuration: optional(finiteNumber(MIN_CHUNK_DURATION, MAX_CHUNK_DURATION)),
      chunkSize: optional(chunkSize),
    },
    'a map',
  ),
  // Chunks are cut by one of the two; the problem is put on chunkSize, where the value is.
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const request = dataset.value;
    if (request.chunkDuration === undefined || request.chunkSize === undefined) return;
    addIssue({
      message: 'absent when chunkDuration is given (chunks are cut by one of them)',
      input: request.chunkSize,
      path: [{ type: 'object', origin: 'value', input: request, key: 'chunkSize', value: request.chunkSize }],
    });
  }),
);

/** Write a video from chunk `fromChunk` on, as `export` does on a closed store. */
const exportVideo = record({ name: videoName, fromChunk: chunkIndex(false) }, 'a map');

const noFields = record({}, 'a map');

/**
 * Go live as `name` from `input` (core/media/live-input-spec.ts: testsrc, file:<absolute path>,
 * rtmp://host:port/app, srt://host:port, v4l2:<device>).
 */
const liveStart = record(
  {
    name: videoName,
    input: text(MAX_PATH_BYTES + 16),
    /** A file input plays again from its start at its end. */
    loop: boolean,
    /** The DVR window in whole seconds; 0 keeps every chunk (and so the recording). */
    window: uint(MAX_LIVE_WINDOW_SECONDS),
    /** Seconds a started input may send nothing before it counts as stopped (default 10). */
    stallSeconds: optional(finiteNumber(0.5, 600)),
    /** Seconds a stream that lost its input waits for it to come back (default 60; 0: end at once). */
    reconnectSeconds: optional(finiteNumber(0, MAX_RECONNECT_SECONDS)),
    chunkDuration: optional(finiteNumber(MIN_LIVE_CHUNK_SECONDS, MAX_LIVE_CHUNK_SECONDS)),
  },
  'a map',
);

/** Stop the stream `name`; with `keep`, store its recording as an ordinary video of that name. */
const liveStop = record({ name: videoName, keep: optional(videoName) }, 'a map');

export const requestSchemas = {
  add,
  ls: noFields,
  verify: noFields,
  export: exportVideo,
  'live-start': liveStart,
  'live-stop': liveStop,
  'live-list': noFields,
};

export type AddRequest = v.InferOutput<typeof add>;
export type ExportRequest = v.InferOutput<typeof exportVideo>;
export type LiveStartRequest = v.InferOutput<typeof liveStart>;
export type LiveStopRequest = v.InferOutput<typeof liveStop>;
