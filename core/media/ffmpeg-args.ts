/**
 * The ffmpeg command line for one ingest: chosen streams in, fragmented MP4 out on stdout.
 * Fragment layout: `empty_moov` puts a sample-less moov (the init segment) first; `default_base_moof`
 * makes every moof's data offsets relative to itself, so each fragment is self-contained and can be
 * appended alone after the init segment; `frag_keyframe` starts a fragment at every video keyframe,
 * which makes every fragment a place where a chunk may begin.
 */
import type { ChunkTarget } from './chunk-options.js';
import type { IngestPlan } from './plan.js';

/** Keyframe spacing when transcoding for a byte-size target: short enough that chunks close near it. */
const KEYFRAME_SECONDS_FOR_SIZE_TARGET = 2;
/** Fragment length for audio-only sources cut by bytes (every audio packet is a keyframe). */
const AUDIO_FRAGMENT_SECONDS_FOR_SIZE_TARGET = 1;
const AAC_BITRATE = '160k';

function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

export function buildFfmpegArgs(file: string, plan: IngestPlan, target: ChunkTarget): string[] {
  // Warning level, because decoders report concealed damage as warnings (see ffmpeg-process.ts).
  const args = ['-nostdin', '-hide_banner', '-v', 'warning', '-i', file];
  // Containers (AVI, some MKV) interleave audio late; the default queue of 128 packets can overflow.
  args.push('-max_muxing_queue_size', '4096');
  const chunkSeconds = target.by === 'duration' ? target.seconds : KEYFRAME_SECONDS_FOR_SIZE_TARGET;
  let experimental = false;

  if (plan.video) {
    args.push('-map', `0:${plan.video.stream.index}`);
    if (plan.video.action === 'copy') {
      args.push('-c:v', 'copy');
      // Older ffmpeg builds (the npm one is from 2018) still flag VP9/AV1 in MP4 as experimental.
      if (plan.video.stream.codec !== 'h264') experimental = true;
    } else {
      args.push(
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-profile:v',
        'high',
        '-pix_fmt',
        'yuv420p',
        // 4:2:0 needs even dimensions; odd sources would make libx264 refuse to start.
        '-vf',
        'scale=trunc(iw/2)*2:trunc(ih/2)*2',
        // A keyframe at every chunk boundary, so duration-targeted chunks come out at the target.
        '-force_key_frames',
        `expr:gte(t,n_forced*${formatSeconds(chunkSeconds)})`,
      );
    }
  }
  if (plan.audio) {
    args.push('-map', `0:${plan.audio.stream.index}`);
    if (plan.audio.action === 'copy') {
      args.push('-c:a', 'copy');
      if (plan.audio.stream.codec === 'opus') experimental = true;
    } else {
      args.push('-c:a', 'aac', '-b:a', AAC_BITRATE);
    }
  }
  if (experimental) args.push('-strict', 'experimental');
  // Chapters and global metadata would only bloat the init segment every viewer downloads.
  args.push('-map_chapters', '-1', '-map_metadata', '-1', '-sn', '-dn');

  if (plan.video) {
    args.push('-movflags', 'frag_keyframe+empty_moov+default_base_moof');
  } else {
    // Audio-only: every packet is a sync sample, so fragment by time instead of by keyframe.
    const fragmentSeconds =
      target.by === 'duration' ? target.seconds : AUDIO_FRAGMENT_SECONDS_FOR_SIZE_TARGET;
    args.push(
      '-movflags',
      'empty_moov+default_base_moof',
      '-frag_duration',
      String(Math.round(fragmentSeconds * 1_000_000)),
    );
  }
  args.push('-f', 'mp4', 'pipe:1');
  return args;
}
