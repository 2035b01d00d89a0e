/**
 * Media ingest speed: how many seconds of video the cutter turns into hashed chunks per wall-clock
 * second. Remux (stream copy) is what most uploads take, so it carries the target; transcode is reported
 * for information, since it is bound by libx264 on however many cores the machine has.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cutVideo, type CutOptions } from '../core/media/cutter.js';
import { ffmpegPath } from '../core/media/ffmpeg-binaries.js';
import { ManifestBuilder } from '../core/media/manifest-builder.js';
import { median, timeRuns, type BenchRow, type BenchSuite } from './harness.js';

const run = promisify(execFile);
const REMUX_SECONDS = 60;
const TRANSCODE_SECONDS = 10;
const RUNS = 3;
const REMUX_TARGET = 20;

async function makeClip(dir: string, seconds: number): Promise<string> {
  const file = path.join(dir, `clip-${seconds}s.mp4`);
  await run(ffmpegPath(), [
    ...['-nostdin', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '60', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '128k', '-shortest', '-movflags', '+faststart', file],
  ]);
  return file;
}

/** A full ingest as the CLI does it, minus the store: cut, and hash every piece into a manifest. */
async function ingest(file: string, options: CutOptions): Promise<{ mode: string; bytes: number }> {
  const builder = new ManifestBuilder('bench');
  for await (const event of cutVideo(file, options)) builder.add(event);
  const manifest = builder.build();
  return { mode: manifest.ingest.mode, bytes: manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0) };
}

export const suite: BenchSuite = {
  name: 'media',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peerstreamer-media-bench-'));
    try {
      const long = await makeClip(dir, REMUX_SECONDS);
      const short = await makeClip(dir, TRANSCODE_SECONDS);
      let remux = { mode: '', bytes: 0 };
      const remuxMs = await timeRuns(RUNS, async () => {
        remux = await ingest(long, {});
      });
      let transcode = { mode: '', bytes: 0 };
      const transcodeMs = await timeRuns(RUNS, async () => {
        transcode = await ingest(short, { forceTranscode: true });
      });
      const remuxSpeed = REMUX_SECONDS / (median(remuxMs) / 1000);
      const transcodeSpeed = TRANSCODE_SECONDS / (median(transcodeMs) / 1000);
      const runs = (samples: number[]): string => samples.map((ms) => `${Math.round(ms)} ms`).join(', ');
      return [
        {
          suite: 'media',
          what: `remux ingest, ${REMUX_SECONDS} s 720p H.264/AAC`,
          value: remuxSpeed,
          unit: 'x real time',
          target: `>= ${REMUX_TARGET}x`,
          pass: remux.mode === 'remux' && remuxSpeed >= REMUX_TARGET,
          detail: `median of ${RUNS} (${runs(remuxMs)}); ${(remux.bytes / 1e6).toFixed(1)} MB; ${ffmpegPath()}`,
        },
        {
          suite: 'media',
          what: `transcode ingest, ${TRANSCODE_SECONDS} s 720p to H.264/AAC`,
          value: transcodeSpeed,
          unit: 'x real time',
          target: 'info only',
          pass: transcode.mode === 'transcode',
          detail: `median of ${RUNS} (${runs(transcodeMs)}); libx264 veryfast on ${os.cpus().length} cores`,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
