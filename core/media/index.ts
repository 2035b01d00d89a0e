/** The media ingest API used by the CLI and the node: probe, plan, cut, and manifests. */
export { cutVideo, cutVideoInto, type CutEvent, type CutOptions, type CutResult } from './cutter.js';
export { probeMedia, type ProbeResult, type StreamInfo } from './probe.js';
export { planIngest, type IngestMode, type IngestPlan } from './plan.js';
export {
  resolveChunkTarget,
  DEFAULT_CHUNK_DURATION,
  MIN_CHUNK_DURATION,
  MAX_CHUNK_DURATION,
  MIN_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  type ChunkOptions,
  type ChunkTarget,
} from './chunk-options.js';
export { ManifestBuilder, buildManifest } from './manifest-builder.js';
export {
  resolveBinary,
  ffmpegPath,
  ffprobePath,
  type MediaTool,
  type ResolvedBinary,
} from './ffmpeg-binaries.js';
export {
  startLiveCutter,
  type LiveCutter,
  type LiveCutterOptions,
  type LiveEnd,
  type LiveInit,
} from './live-cutter.js';
export type { LiveChunk, CaptureTimeSource } from './live-chunk-assembler.js';
export { checkLiveInput, describeLiveInput, type LiveInput } from './live-input.js';
export {
  DEFAULT_LIVE_CHUNK_SECONDS,
  MIN_LIVE_CHUNK_SECONDS,
  MAX_LIVE_CHUNK_SECONDS,
  DEFAULT_STALL_SECONDS,
  X264_PRESETS,
  type LiveTuning,
  type X264Preset,
} from './live-options.js';
