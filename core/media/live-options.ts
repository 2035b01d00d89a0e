/**
 * The live cutter's tunables and their checks. Chunks are short by default (1 s) because a live
 * viewer waits for a whole chunk before it can play it: the chunk length is most of the delay the
 * cutter adds. The range stops at 10 s, past which "live" means little.
 */
import { PeerStreamerError } from '../util/errors.js';

export const DEFAULT_LIVE_CHUNK_SECONDS = 1;
export const MIN_LIVE_CHUNK_SECONDS = 0.5;
export const MAX_LIVE_CHUNK_SECONDS = 10;
/** Long enough for a publisher's brief network hiccup, short enough that viewers learn it stopped. */
export const DEFAULT_STALL_SECONDS = 10;
const MIN_STALL_SECONDS = 0.5;
/**
 * How long a stream that lost its input waits for it to come back (see LiveSession): long enough
 * for a publisher to restart OBS or a dropped link to return, short enough that viewers learn.
 */
export const DEFAULT_RECONNECT_SECONDS = 60;
export const MAX_RECONNECT_SECONDS = 3_600;
const MAX_STALL_SECONDS = 600;

export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

export interface LiveTuning {
  /** Seconds of media per chunk, in [0.5, 10]; default 1. */
  chunkDuration?: number;
  /** Seconds an input that has started may send nothing before it counts as stopped; default 10. */
  stallSeconds?: number;
  /** Encode even H.264/AAC inputs, to force a keyframe at every chunk boundary (publishers with long GOPs). */
  forceTranscode?: boolean;
  /** libx264 preset when encoding; default veryfast. */
  x264Preset?: X264Preset;
}

export interface ResolvedLiveTuning {
  chunkSeconds: number;
  stallMs: number;
  forceTranscode: boolean;
  x264Preset: X264Preset;
}

function outOfRange(option: string, value: unknown, range: string): PeerStreamerError {
  return new PeerStreamerError(
    'INVALID_ARGUMENT',
    `live ${option} ${String(value)} is out of range; use ${range}.`,
    { option, value },
  );
}

function inRange(value: number | undefined, min: number, max: number, fallback: number): number | null {
  const chosen = value ?? fallback;
  return typeof chosen === 'number' && Number.isFinite(chosen) && chosen >= min && chosen <= max
    ? chosen
    : null;
}

export function resolveLiveTuning(tuning: LiveTuning): ResolvedLiveTuning {
  const chunkSeconds = inRange(
    tuning.chunkDuration,
    MIN_LIVE_CHUNK_SECONDS,
    MAX_LIVE_CHUNK_SECONDS,
    DEFAULT_LIVE_CHUNK_SECONDS,
  );
  if (chunkSeconds === null)
    throw outOfRange(
      'chunkDuration',
      tuning.chunkDuration,
      `${MIN_LIVE_CHUNK_SECONDS} s to ${MAX_LIVE_CHUNK_SECONDS} s (1 s keeps the delay low)`,
    );
  const stallSeconds = inRange(
    tuning.stallSeconds,
    MIN_STALL_SECONDS,
    MAX_STALL_SECONDS,
    DEFAULT_STALL_SECONDS,
  );
  if (stallSeconds === null)
    throw outOfRange('stallSeconds', tuning.stallSeconds, `${MIN_STALL_SECONDS} s to ${MAX_STALL_SECONDS} s`);
  const x264Preset = tuning.x264Preset ?? 'veryfast';
  if (!(X264_PRESETS as readonly string[]).includes(x264Preset))
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `live x264Preset ${JSON.stringify(x264Preset)} is not a libx264 preset; use one of ${X264_PRESETS.join(', ')}.`,
      { option: 'x264Preset', value: x264Preset },
    );
  if (tuning.forceTranscode !== undefined && typeof tuning.forceTranscode !== 'boolean')
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `live forceTranscode ${String(tuning.forceTranscode)} is not valid; use true or false.`,
      { option: 'forceTranscode', value: tuning.forceTranscode },
    );
  return {
    chunkSeconds,
    stallMs: stallSeconds * 1000,
    forceTranscode: tuning.forceTranscode === true,
    x264Preset,
  };
}
