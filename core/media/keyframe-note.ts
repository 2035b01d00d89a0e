/**
 * A chunk can only begin at a keyframe, so a remuxed video whose keyframes are far apart gets chunks
 * far longer than --chunk-duration asked for. That is not an error (the video plays), but it makes
 * seeking and the first frame slower, and the person who asked for 2 s chunks should hear why they
 * got 8 s ones, and what would fix it.
 */
import type { ChunkTarget } from './chunk-options.js';

/**
 * Chunks this much longer than the target, and at least this many seconds longer, are worth a
 * word; a little over is keyframe jitter. The seconds keep the 1 s default quiet for the common
 * 2 s GOP (chunks of 2 s start and seek fine), and speak for 3 s and up.
 */
const WORTH_SAYING = 1.5;
const WORTH_SAYING_SECONDS = 1.5;

export interface KeyframeNote {
  /** Median gap between keyframes; null when the video has a keyframe only at its start. */
  keyframeSeconds: number | null;
  /** Median chunk duration as cut. */
  chunkSeconds: number;
  targetSeconds: number;
  /** One line for a person, naming the file. */
  message: string;
}

export function keyframeNote(
  file: string,
  target: ChunkTarget,
  spacing: { keyframeSeconds: number | null; chunkSeconds: number | null },
): KeyframeNote | null {
  const { keyframeSeconds, chunkSeconds } = spacing;
  if (target.by !== 'duration' || chunkSeconds === null) return null;
  if (chunkSeconds < target.seconds * WORTH_SAYING || chunkSeconds < target.seconds + WORTH_SAYING_SECONDS)
    return null;
  const wanted = `${formatSeconds(target.seconds)} s`;
  const fix = `re-encode with a shorter GOP to get ${wanted} chunks`;
  const about = `about ${formatSeconds(Math.round(chunkSeconds))} s`;
  const message =
    keyframeSeconds === null
      ? `${file} has a keyframe only at its start, so it is one chunk of ${about}, not ${wanted} chunks; ${fix}`
      : `keyframes in ${file} are ${keyframeSeconds.toFixed(1)} s apart, so chunks follow them: ${about} each, not ${wanted}; ${fix}`;
  return { keyframeSeconds, chunkSeconds, targetSeconds: target.seconds, message };
}

/** 2 -> "2", 0.5 -> "0.5": the way the flag was most likely typed. */
function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}
