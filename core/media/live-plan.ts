/**
 * Remux or transcode a live input, and the checks that need the machine (a file that exists, a camera
 * device, an ffmpeg with SRT). Copying is far cheaper than encoding and adds no delay, so H.264/AAC
 * inputs are copied; then chunks can only be cut at the input's own keyframes. Encoding forces a
 * keyframe at every chunk boundary instead.
 *
 * Network publishers are not known until they connect, and ffmpeg cannot be asked to decide later, so
 * they are copied unless told otherwise, and what they sent is checked once the init segment exists:
 * RTMP carries H.264/AAC in practice, and a publisher that sends something else gets a clear error
 * saying to turn on transcoding.
 */
import { stat } from 'node:fs/promises';
import { PeerStreamerError } from '../util/errors.js';
import { ffmpegPath } from './ffmpeg-binaries.js';
import { ffmpegKnowsOption, ffmpegReadsProtocol } from './ffmpeg-capabilities.js';
import type { InitSegment } from './fmp4-stream.js';
import { describeLiveInput, type LiveInput } from './live-input.js';
import { planIngest, type IngestMode, type StreamAction } from './plan.js';
import { probeMedia } from './probe.js';

export interface LivePlan {
  mode: IngestMode;
  video: { map: string; action: StreamAction };
  /** null: the input has no audio (a camera). */
  audio: { map: string; action: StreamAction } | null;
  /** The codecs are learnt only from the init segment (a publisher), and must be checked there. */
  checkCodecsAtInit: boolean;
  /**
   * libx264 notes when each frame entered it (`-export_side_data prft`, ffmpeg 4.3 and later), so a
   * prft dates capture. Otherwise a prft says when a fragment was written: an older ffmpeg writes
   * flags 0 (the value that means "encoder input") for that too, so its flags cannot be trusted.
   */
  encoderCaptureTime: boolean;
}

/** What is decided per stream, before asking ffmpeg what its encoder can report. */
type StreamPlan = Omit<LivePlan, 'encoderCaptureTime'>;

// Browsers decode these from fMP4: H.264 Baseline (42), Main (4d) and High (64); AAC LC, HE, HEv2.
const PLAYABLE_VIDEO = /^avc1\.(42|4d|64)[0-9a-f]{4}$/i;
const PLAYABLE_AUDIO = /^(mp4a\.40\.(2|5|29)|opus)$/i;

async function checkCamera(device: string): Promise<void> {
  const where = `camera ${device}`;
  let info;
  try {
    info = await stat(device);
  } catch {
    throw new PeerStreamerError(
      'INPUT_NOT_FOUND',
      `${where} does not exist; plug the camera in, or name another device (ls /dev/video*).`,
      { device },
    );
  }
  if (!info.isCharacterDevice())
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${where} is not a capture device; name a Video4Linux2 device such as /dev/video0.`,
      { device },
    );
}

async function planFile(file: string, forceTranscode: boolean): Promise<StreamPlan> {
  const probe = await probeMedia(file);
  const plan = planIngest(probe, { forceTranscode });
  if (plan.video === null)
    throw new PeerStreamerError(
      'NOT_MEDIA',
      `file ${file} has no video stream, and a live stream needs video; choose a video file.`,
      { file },
    );
  // ADTS audio (MPEG-TS, raw .aac) is encoded by planIngest's own rule, as for an added file.
  return {
    mode: plan.mode,
    video: { map: `0:${plan.video.stream.index}`, action: plan.video.action },
    audio: plan.audio === null ? null : { map: `0:${plan.audio.stream.index}`, action: plan.audio.action },
    checkCodecsAtInit: false,
  };
}

/** Decides how to cut `input`; throws the input's one clear error when it cannot be used. */
export async function planLive(input: LiveInput, forceTranscode: boolean): Promise<LivePlan> {
  const plan = await planStreams(input, forceTranscode);
  const encoderCaptureTime =
    plan.video.action === 'transcode' && (await ffmpegKnowsOption('export_side_data'));
  return { ...plan, encoderCaptureTime };
}

async function planStreams(input: LiveInput, forceTranscode: boolean): Promise<StreamPlan> {
  const encodeAll: StreamPlan = {
    mode: 'transcode',
    video: { map: '0:v:0', action: 'transcode' },
    audio: { map: '0:a:0', action: 'transcode' },
    checkCodecsAtInit: false,
  };
  switch (input.kind) {
    case 'test-pattern':
      return encodeAll;
    case 'camera':
      await checkCamera(input.device);
      return { ...encodeAll, audio: null };
    case 'file':
      return planFile(input.path, forceTranscode);
    case 'srt':
      if (!(await ffmpegReadsProtocol('srt')))
        throw new PeerStreamerError(
          'INVALID_ARGUMENT',
          `${input.listen} cannot be listened on: this ffmpeg (${ffmpegPath()}) was built without SRT (libsrt); use an rtmp:// input, or set PEERSTREAMER_FFMPEG to an ffmpeg with SRT.`,
          { input: input.listen },
        );
      break;
    case 'rtmp':
      break;
  }
  const action: StreamAction = forceTranscode ? 'transcode' : 'copy';
  // SRT carries MPEG-TS, whose audio is as often MP2 or AC-3 as AAC: encoding it costs little and
  // spares a publisher-dependent failure. RTMP's FLV holds AAC in practice, so it is copied.
  const audioAction: StreamAction = input.kind === 'srt' ? 'transcode' : action;
  return {
    mode: action === 'transcode' ? 'transcode' : audioAction === 'transcode' ? 'partial-transcode' : 'remux',
    video: { map: '0:v:0', action },
    // `?`: a publisher without audio is fine.
    audio: { map: '0:a:0?', action: audioAction },
    checkCodecsAtInit: !forceTranscode,
  };
}

/** For copied publishers: the error when what arrived is not video a browser plays, else null. */
export function publishedCodecProblem(input: LiveInput, init: InitSegment): PeerStreamerError | null {
  const where = describeLiveInput(input);
  const video = init.init.tracks.find((track) => track.handler === 'vide');
  if (video === undefined)
    return new PeerStreamerError(
      'NOT_MEDIA',
      `${where} receives no video from its publisher, and a live stream needs video; check the publisher's video source.`,
      { input: where, codecs: init.codecs },
    );
  const unplayable = init.init.tracks
    .filter((track) => !(track.handler === 'vide' ? PLAYABLE_VIDEO : PLAYABLE_AUDIO).test(track.codec))
    .map((track) => track.codec);
  if (unplayable.length === 0) return null;
  return new PeerStreamerError(
    'NOT_MEDIA',
    `${where} receives ${unplayable.join(', ')}, which browsers cannot play; set the publisher to H.264 (Baseline, Main or High) with AAC, or start the live stream with transcoding on.`,
    { input: where, codecs: init.codecs },
  );
}
