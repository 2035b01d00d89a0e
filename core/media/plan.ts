/**
 * Remux or transcode? Chunks are fragmented MP4 fed to Chromium's MediaSource, so a stream can be copied
 * only when Chromium decodes it from fMP4. Copying is ~100x cheaper than encoding and loses nothing, so
 * we copy whatever we can and encode only what we must.
 */
import { PeerStreamerError } from '../util/errors.js';
import type { ProbeResult, StreamInfo } from './probe.js';

export type IngestMode = 'remux' | 'transcode' | 'partial-transcode';
export type StreamAction = 'copy' | 'transcode';

export interface IngestPlan {
  mode: IngestMode;
  video: { stream: StreamInfo; action: StreamAction } | null;
  audio: { stream: StreamInfo; action: StreamAction } | null;
  /** Codec names of the chosen source streams, e.g. ["h264", "aac"]. */
  sourceCodecs: string[];
  /** Why each transcoded stream could not be copied, for logs and the CLI. */
  reasons: string[];
}

// 4:4:4, 4:2:2 and 10-bit H.264 profiles are not decoded by Chromium; these four are.
const PLAYABLE_H264_PROFILES = new Set(['Baseline', 'Constrained Baseline', 'Main', 'High']);
const PLAYABLE_H264_PIX_FMTS = new Set(['yuv420p', 'yuvj420p']);
// VP9 profiles 0/2 and AV1 Main: 4:2:0 at 8 or 10 bits.
const PLAYABLE_420_PIX_FMTS = new Set(['yuv420p', 'yuvj420p', 'yuv420p10le']);
// AAC Main and LTP have no decoder in Chromium; LC and HE-AAC v1/v2 do.
const PLAYABLE_AAC_PROFILES = new Set(['LC', 'HE-AAC', 'HE-AACv2']);

/** Returns null when Chromium can play the video stream from fMP4, else why not. */
export function videoProblem(stream: StreamInfo): string | null {
  const pixFmt = stream.pixFmt ?? 'unknown';
  switch (stream.codec) {
    case 'h264':
      if (!PLAYABLE_H264_PROFILES.has(stream.profile ?? ''))
        return `H.264 profile ${stream.profile ?? 'unknown'} is not playable in browsers`;
      if (!PLAYABLE_H264_PIX_FMTS.has(pixFmt)) return `H.264 with pixel format ${pixFmt} is not playable`;
      return null;
    case 'vp9':
    case 'av1':
      return PLAYABLE_420_PIX_FMTS.has(pixFmt)
        ? null
        : `${stream.codec} with pixel format ${pixFmt} is not playable`;
    default:
      return `video codec ${stream.codec} is not playable in browsers`;
  }
}

/** Returns null when Chromium can play the audio stream from fMP4, else why not. */
export function audioProblem(stream: StreamInfo): string | null {
  if (stream.codec === 'opus') return null;
  if (stream.codec === 'aac') {
    return stream.profile === null || PLAYABLE_AAC_PROFILES.has(stream.profile)
      ? null
      : `AAC profile ${stream.profile} is not playable in browsers`;
  }
  // MP3 in MP4 plays in Chromium but not everywhere MSE runs; a small AAC encode is the safer choice.
  return `audio codec ${stream.codec} is not playable in browsers`;
}

/**
 * Containers whose AAC is framed as ADTS (MPEG-TS, as cameras and broadcast recorders write it, and
 * raw .aac). An fMP4 init segment describes AAC by a config record that, for ADTS, exists only once
 * the first frame is read, after `empty_moov` has written the init: copied, the init says
 * `mp4a.40` and no browser plays it (and ffmpeg 5 refuses to write the frames at all). The
 * aac_adtstoasc filter comes too late for the init, and stops at a looped file's end. Such audio is
 * encoded instead: cheap, beside the video copied.
 */
const ADTS_CONTAINERS = /(^|,)(mpegts|aac)(,|$)/;

function adtsProblem(probe: ProbeResult, stream: StreamInfo): string | null {
  return stream.codec === 'aac' && ADTS_CONTAINERS.test(probe.formatName)
    ? `AAC in ${probe.formatName} is framed as ADTS, which an MP4 init segment cannot describe before its first frame`
    : null;
}

function pickStream(probe: ProbeResult, type: 'video' | 'audio'): StreamInfo | null {
  return probe.streams.find((stream) => stream.type === type && !stream.attachedPicture) ?? null;
}

/** Chooses at most one video and one audio stream (subtitles and data are dropped) and what to do with each. */
export function planIngest(probe: ProbeResult, options: { forceTranscode?: boolean } = {}): IngestPlan {
  const videoStream = pickStream(probe, 'video');
  const audioStream = pickStream(probe, 'audio');
  if (videoStream === null && audioStream === null) {
    throw new PeerStreamerError(
      'NOT_MEDIA',
      `${probe.file} has no audio or video stream to ingest; choose a video file.`,
      { file: probe.file },
    );
  }
  const reasons: string[] = [];
  const decide = (problem: string | null): StreamAction => {
    if (options.forceTranscode) return 'transcode';
    if (problem !== null) reasons.push(problem);
    return problem === null ? 'copy' : 'transcode';
  };
  const video = videoStream && { stream: videoStream, action: decide(videoProblem(videoStream)) };
  const audio = audioStream && {
    stream: audioStream,
    action: decide(audioProblem(audioStream) ?? adtsProblem(probe, audioStream)),
  };

  let mode: IngestMode;
  if (video?.action === 'transcode' || (video === null && audio?.action === 'transcode')) mode = 'transcode';
  else if (audio?.action === 'transcode') mode = 'partial-transcode';
  else mode = 'remux';

  const sourceCodecs = [video?.stream.codec, audio?.stream.codec].filter((c): c is string => c !== undefined);
  return { mode, video, audio, sourceCodecs, reasons };
}
