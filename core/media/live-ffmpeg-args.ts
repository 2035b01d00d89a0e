/**
 * The ffmpeg command line for a live cut: one input read in real time, fragmented MP4 on stdout with a
 * fragment per keyframe (as the on-demand cut, see ffmpeg-args.ts), and the two things only a live cut
 * needs:
 * - a prft box before each fragment (`-write_prft wallclock`), and when encoding with an ffmpeg that
 *   can, libx264's own note of when each frame entered it (`-export_side_data prft`), so a chunk
 *   carries its capture time;
 * - progress on fd 3 (`-progress pipe:3`), which the stall watchdog reads: it moves while packets
 *   arrive even when a long input GOP keeps fragments from being written.
 * Latency: `-tune zerolatency` drops libx264's lookahead and B-frames, and `-flush_packets 1` hands
 * each fragment to us the moment it is complete rather than when ffmpeg's 32 KiB buffer fills.
 */
import type { LiveInput } from './live-input.js';
import type { LivePlan } from './live-plan.js';

export interface LiveEncodeSettings {
  /** Seconds between forced keyframes when encoding: the chunk target. */
  chunkSeconds: number;
  /** libx264 preset: faster presets cost less CPU and more bits. */
  x264Preset: string;
}

const TEST_PATTERN_DEFAULTS = { width: 640, height: 360, fps: 25 };
const AAC_BITRATE = '128k';

function inputArgs(input: LiveInput): string[] {
  switch (input.kind) {
    case 'test-pattern': {
      const width = input.width ?? TEST_PATTERN_DEFAULTS.width;
      const height = input.height ?? TEST_PATTERN_DEFAULTS.height;
      const fps = input.fps ?? TEST_PATTERN_DEFAULTS.fps;
      // One lavfi graph with both streams: one input, so `-re` paces both together.
      const graph = `testsrc2=size=${width}x${height}:rate=${fps}[out0];sine=frequency=440:sample_rate=48000[out1]`;
      return ['-re', '-f', 'lavfi', '-i', graph];
    }
    case 'file':
      return ['-re', ...(input.loop ? ['-stream_loop', '-1'] : []), '-i', input.path];
    case 'rtmp':
      // FLV sends its codec headers first, so half a second of probing is enough; ffmpeg's default
      // 5 s made it hand on the publisher's first second in a burst, half a second late.
      return ['-listen', '1', '-analyzeduration', '500000', '-i', input.listen];
    case 'srt': {
      const url = new URL(input.listen);
      url.searchParams.set('mode', 'listener');
      return ['-i', url.toString()];
    }
    case 'camera':
      return ['-f', 'v4l2', '-i', input.device];
  }
}

function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

export function buildLiveFfmpegArgs(
  input: LiveInput,
  plan: LivePlan,
  settings: LiveEncodeSettings,
): string[] {
  // Error level: a live input's passing warnings (an RTMP stream name ffmpeg did not expect, a
  // dropped packet) are no failure, and the last error line is what a failure message quotes.
  const args = ['-nostdin', '-hide_banner', '-nostats', '-v', 'error', ...inputArgs(input)];
  args.push('-map', plan.video.map);
  if (plan.video.action === 'copy') {
    args.push('-c:v', 'copy');
  } else {
    args.push(
      '-c:v',
      'libx264',
      '-preset',
      settings.x264Preset,
      '-tune',
      'zerolatency',
      '-pix_fmt',
      'yuv420p',
      '-vf',
      'scale=trunc(iw/2)*2:trunc(ih/2)*2',
      '-force_key_frames',
      `expr:gte(t,n_forced*${seconds(settings.chunkSeconds)})`,
      // No extra keyframes at scene cuts: they would start fragments that make chunks irregular.
      '-sc_threshold',
      '0',
    );
    if (plan.encoderCaptureTime) args.push('-export_side_data:v', 'prft');
  }
  if (plan.audio !== null) {
    args.push('-map', plan.audio.map);
    if (plan.audio.action === 'copy') args.push('-c:a', 'copy');
    else args.push('-c:a', 'aac', '-b:a', AAC_BITRATE);
  }
  args.push('-map_chapters', '-1', '-map_metadata', '-1', '-sn', '-dn');
  // A copied stream's codec setup may come only with its first packets (H.264 joined mid-stream
  // over MPEG-TS): delay_moov writes the init segment once the first fragment is cut, not before.
  const copies = plan.video.action === 'copy' || plan.audio?.action === 'copy';
  const movflags = `frag_keyframe+empty_moov+default_base_moof${copies ? '+delay_moov' : ''}`;
  args.push('-movflags', movflags, '-write_prft', 'wallclock');
  args.push('-flush_packets', '1');
  // Reported every 0.5 s: ffmpeg's fixed period before 4.4 and its -stats_period default since, not
  // set here because the npm build (2018) refuses the option.
  args.push('-progress', 'pipe:3');
  args.push('-f', 'mp4', 'pipe:1');
  return args;
}
