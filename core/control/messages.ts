/**
 * The control channel's messages, as TypeScript types. A client (the `peerstreamer` CLI) opens one
 * connection per command, sends one request line and reads events until one final line: the
 * command's `<type>-ok` or an `error`. Every line is one JSON object with `v` (the version) and
 * `type`. See docs/PROTOCOL.md, "The control channel".
 */
import type { Manifest } from '../shared/manifest.js';
import type { VideoSummary } from '../store/types.js';
import type { StoreCheck } from '../library/check-store.js';

/** Ingest a file the node can read into its store, pinned, and announce it down the tree. */
export interface AddRequest {
  /** Absolute path: the node's working directory is not the client's. */
  file: string;
  /** The video's name; the file name without its extension when absent. */
  name?: string;
  chunkDuration?: number;
  chunkSize?: number;
  replace: boolean;
}

/** Write a video from chunk `fromChunk` on, as `export` does on a closed store. */
export interface ExportRequest {
  name: string;
  fromChunk: number;
}

export type NoFields = Record<never, never>;

export interface ControlRequestFields {
  add: AddRequest;
  ls: NoFields;
  verify: NoFields;
  export: ExportRequest;
}

export type ControlCommand = keyof ControlRequestFields;
export const CONTROL_COMMANDS: readonly ControlCommand[] = ['add', 'ls', 'verify', 'export'];

export type ControlRequestOf<K extends ControlCommand> = { type: K } & ControlRequestFields[K];
export type ControlRequest = { [K in ControlCommand]: ControlRequestOf<K> }[ControlCommand];

/** How far an add has come: the same figures a direct `add` draws its progress bar from. */
export interface IngestProgressEvent {
  mediaSeconds: number;
  totalSeconds: number | null;
  bytesOut: number;
}

/**
 * add: a remark for the person adding the video that did not fail it — a `note` about the result
 * (keyframes farther apart than the chunk duration asked for) or a `warning` (no poster could be made).
 */
export interface NoticeEvent {
  level: NoticeLevel;
  text: string;
}

export type NoticeLevel = 'note' | 'warning';
export const NOTICE_LEVELS: readonly NoticeLevel[] = ['note', 'warning'];

export interface ControlEventFields {
  /** add: ingest progress. */
  progress: IngestProgressEvent;
  notice: NoticeEvent;
  /** ls: one video, so no line has to carry the whole library. */
  video: { video: VideoSummary };
  /** export: exactly `size` raw bytes of the video follow this line (not JSON, no newline after). */
  data: { size: number };
}

export type ControlEventType = keyof ControlEventFields;
export type ControlEventOf<K extends ControlEventType> = { type: K } & ControlEventFields[K];
export type ControlEvent = { [K in ControlEventType]: ControlEventOf<K> }[ControlEventType];

/** The events each command may send before its final line; anything else is a protocol error. */
export const EVENTS_OF: { readonly [K in ControlCommand]: readonly ControlEventType[] } = {
  add: ['progress', 'notice'],
  ls: ['video'],
  verify: [],
  export: ['data'],
};

export interface ControlResultFields {
  add: { manifest: Manifest };
  ls: { count: number };
  verify: { report: StoreCheck };
  /** `bytes` must equal the raw bytes sent in `data` events. */
  export: { bytes: number; chunks: number };
}

/** Codes the channel itself answers with, beside the codes of the errors a command can meet. */
export type ControlChannelCode =
  | 'BAD_REQUEST'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_COMMAND'
  | 'REQUEST_TOO_LARGE'
  | 'TIMEOUT'
  | 'BUSY'
  | 'NODE_STOPPING'
  /** The request carried no token, or not the node's (core/control/token.ts). */
  | 'UNAUTHORIZED'
  | 'INTERNAL';
