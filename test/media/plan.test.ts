import { describe, expect, it } from 'vitest';
import { planIngest } from '../../core/media/plan.js';
import { buildFfmpegArgs } from '../../core/media/ffmpeg-args.js';
import type { ProbeResult, StreamInfo } from '../../core/media/probe.js';

let nextIndex = 0;
function stream(type: StreamInfo['type'], codec: string, extra: Partial<StreamInfo> = {}): StreamInfo {
  return {
    index: nextIndex++,
    type,
    codec,
    profile: null,
    pixFmt: null,
    width: null,
    height: null,
    channels: null,
    sampleRate: null,
    attachedPicture: false,
    duration: 10,
    ...extra,
  };
}
const h264 = (profile = 'High', pixFmt = 'yuv420p') =>
  stream('video', 'h264', { profile, pixFmt, width: 640, height: 360 });
const aac = (profile = 'LC') => stream('audio', 'aac', { profile });
const probe = (...streams: StreamInfo[]): ProbeResult => ({
  file: '/v/in.mkv',
  formatName: 'matroska',
  duration: 10,
  size: 1,
  streams,
});

describe('planIngest', () => {
  it.each([
    ['H.264 High + AAC', [h264(), aac()], 'remux'],
    ['H.264 Main + Opus', [h264('Main'), stream('audio', 'opus')], 'remux'],
    ['VP9 + Opus', [stream('video', 'vp9', { pixFmt: 'yuv420p' }), stream('audio', 'opus')], 'remux'],
    ['AV1 10-bit + AAC', [stream('video', 'av1', { pixFmt: 'yuv420p10le' }), aac()], 'remux'],
    ['H.264 + MP3', [h264(), stream('audio', 'mp3')], 'partial-transcode'],
    ['H.264 + AC-3', [h264(), stream('audio', 'ac3')], 'partial-transcode'],
    ['H.264 High 10', [h264('High 10', 'yuv420p10le'), aac()], 'transcode'],
    ['H.264 4:4:4', [h264('High 4:4:4 Predictive', 'yuv444p'), aac()], 'transcode'],
    ['H.264 High but 4:2:2 pixels', [h264('High', 'yuv422p'), aac()], 'transcode'],
    ['HEVC + AAC', [stream('video', 'hevc', { pixFmt: 'yuv420p' }), aac()], 'transcode'],
    ['MPEG-2 + PCM', [stream('video', 'mpeg2video'), stream('audio', 'pcm_s16le')], 'transcode'],
    ['AAC Main profile only', [aac('Main')], 'transcode'],
    ['AAC only', [aac()], 'remux'],
  ] as const)('%s -> %s', (_name, streams, mode) => {
    expect(planIngest(probe(...streams)).mode).toBe(mode);
  });

  it.each([
    ['mpegts', 'partial-transcode'],
    ['aac', 'transcode'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'remux'],
    ['matroska,webm', 'remux'],
  ] as const)('AAC in %s (ADTS only in MPEG-TS and raw AAC) -> %s', (formatName, mode) => {
    const streams = formatName === 'aac' ? [aac()] : [h264(), aac()];
    const plan = planIngest({ ...probe(...streams), formatName });
    expect(plan.mode).toBe(mode);
    if (mode !== 'remux') expect(plan.reasons.join()).toMatch(/framed as ADTS/);
  });

  it('takes the first real video and audio stream, skipping cover art and dropping the rest', () => {
    const cover = stream('video', 'mjpeg', { attachedPicture: true });
    const video = h264();
    const audio1 = aac();
    const plan = planIngest(probe(cover, stream('subtitle', 'subrip'), audio1, video, aac()));
    expect(plan.video?.stream).toBe(video);
    expect(plan.audio?.stream).toBe(audio1);
    expect(plan.sourceCodecs).toEqual(['h264', 'aac']);
    const args = buildFfmpegArgs('/v/in.mkv', plan, { by: 'duration', seconds: 2 });
    expect(args.filter((arg, i) => args[i - 1] === '-map')).toEqual([
      `0:${video.index}`,
      `0:${audio1.index}`,
    ]);
    expect(args).toContain('-sn');
  });

  it('transcodes to H.264/AAC with a keyframe forced at every chunk duration', () => {
    const plan = planIngest(probe(stream('video', 'mpeg4'), stream('audio', 'mp3')));
    const args = buildFfmpegArgs('/v/in.avi', plan, { by: 'duration', seconds: 3 }).join(' ');
    expect(args).toContain('-c:v libx264 -preset veryfast');
    expect(args).toContain('-pix_fmt yuv420p');
    expect(args).toContain('-force_key_frames expr:gte(t,n_forced*3)');
    expect(args).toContain('-c:a aac');
    expect(args).toContain('-movflags frag_keyframe+empty_moov+default_base_moof');
    expect(args).toMatch(/-f mp4 pipe:1$/);
  });

  it('fragments audio-only sources by time, since every audio packet is a keyframe', () => {
    const args = buildFfmpegArgs('/v/a.m4a', planIngest(probe(aac())), { by: 'duration', seconds: 2 }).join(
      ' ',
    );
    expect(args).toContain('-movflags empty_moov+default_base_moof -frag_duration 2000000');
    expect(args).not.toContain('frag_keyframe');
  });

  it('forceTranscode re-encodes even playable streams', () => {
    expect(planIngest(probe(h264(), aac()), { forceTranscode: true }).mode).toBe('transcode');
  });
});
