/**
 * The control channel's messages, as TypeScript types. A client (the `peerstreamer` CLI) opens one
 * connection per command, sends one request line and reads events until one final line: the
 * command's `<type>-ok` or an `error`. Every line is one JSON object with `v` (the version) and
 * `type`. See docs/PROTOCOL.md, "The control channel".
 */
import type { AddRequest, ExportRequest, LiveStartRequest, LiveStopRequest } from './request-schemas.js';
import type { ControlEventFields } from './reply-schemas.js';

// Inferred from their schemas in request-schemas.ts and reply-schemas.ts.
export type { AddRequest, ExportRequest, LiveStartRequest, LiveStopRequest } from './request-schemas.js';
export type {
  ControlEventFields,
  ControlResultFields,
  IngestProgressEvent,
  KeptVideo,
  LiveSessionInfo,
  NoticeEvent,
} from './reply-schemas.js';

export type NoFields = Record<never, never>;

export interface ControlRequestFields {
  add: AddRequest;
  ls: NoFields;
  verify: NoFields;
  export: ExportRequest;
  'live-start': LiveStartRequest;
  'live-stop': LiveStopRequest;
  'live-list': NoFields;
}

export type ControlCommand = keyof ControlRequestFields;
export const CONTROL_COMMANDS: readonly ControlCommand[] = [
  'add',
  'ls',
  'verify',
  'export',
  'live-start',
  'live-stop',
  'live-list',
];

export type ControlRequestOf<K extends ControlCommand> = { type: K } & ControlRequestFields[K];
export type ControlRequest = { [K in ControlCommand]: ControlRequestOf<K> }[ControlCommand];

export type ControlEventType = keyof ControlEventFields;
export type ControlEventOf<K extends ControlEventType> = { type: K } & ControlEventFields[K];
export type ControlEvent = { [K in ControlEventType]: ControlEventOf<K> }[ControlEventType];

/** The events each command may send before its final line; anything else is a protocol error. */
export const EVENTS_OF: { readonly [K in ControlCommand]: readonly ControlEventType[] } = {
  add: ['progress', 'notice'],
  ls: ['video'],
  verify: [],
  export: ['data'],
  'live-start': [],
  'live-stop': [],
  'live-list': [],
};

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
