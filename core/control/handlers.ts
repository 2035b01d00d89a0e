/**
 * What a node does for each control command. core/control only moves messages; the node supplies
 * these (core/node/control-handlers.ts), so this module stays beside core/node, not above it.
 */
import type { Writable } from 'node:stream';
import type { Manifest } from '../shared/manifest.js';
import type { VideoSummary } from '../store/types.js';
import type { StoreCheck } from '../library/check-store.js';
import type {
  AddRequest,
  ExportRequest,
  IngestProgressEvent,
  KeptVideo,
  LiveSessionInfo,
  LiveStartRequest,
  LiveStopRequest,
  NoticeEvent,
} from './messages.js';

export interface ControlHandlers {
  /** Ingests the file into the node's store; aborting `signal` abandons it and keeps nothing. */
  add(
    request: AddRequest,
    context: {
      signal: AbortSignal;
      progress: (progress: IngestProgressEvent) => void;
      notice: (notice: NoticeEvent) => void;
    },
  ): Promise<Manifest>;
  ls(): Promise<VideoSummary[]>;
  /**
   * Re-hashes the store. `signal` aborts when the node stops, not when a client leaves: what a
   * verify finds bad is dropped as it goes, so it runs to its end for whoever still waits, and
   * concurrent requests may share one run.
   */
  verify(signal: AbortSignal): Promise<StoreCheck>;
  /** Writes the video into `out`; stops when `signal` aborts (the client left, the node stops). */
  export(
    request: ExportRequest,
    out: Writable,
    signal: AbortSignal,
  ): Promise<{ bytes: number; chunks: number }>;
  /**
   * Starts a live stream; answers once its first chunk is stored, or with the input's error, or
   * (a listener waiting for its publisher) with the stream still `starting`.
   */
  liveStart(request: LiveStartRequest): Promise<LiveSessionInfo>;
  /** Stops a live stream; with `keep`, its recording is stored as a video of that name. */
  liveStop(request: LiveStopRequest): Promise<{ session: LiveSessionInfo; kept: KeptVideo | null }>;
  liveList(): Promise<LiveSessionInfo[]>;
}
