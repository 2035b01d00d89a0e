/**
 * The non-peer-to-peer reference for live latency (issue 12 §4): ffmpeg's own HLS output of the same
 * test pattern with the same encoder settings (libx264 zerolatency, a keyframe and a segment a
 * second, fMP4), served as plain files over loopback HTTP and played in the same Chromium by hls.js.
 * ffmpeg writes each segment's EXT-X-PROGRAM-DATE-TIME (to the millisecond: the wall clock its first
 * frame was read), and the page maps the frame it shows to that date through hls.js's fragment list:
 * the same capture-to-display measure as the swarm's capture times.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ffmpegPath } from '../core/media/ffmpeg-binaries.js';

export interface HlsReference {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.js': 'text/javascript',
  '.html': 'text/html',
};

/**
 * The page: hls.js on a muted, autoplaying <video>, starting `syncSeconds` behind the playlist's
 * end (hls.js's own default is 3 segments). Each presented frame's capture date is recorded.
 */
function page(syncSeconds: number | null): string {
  const config = syncSeconds === null ? '{}' : `{ liveSyncDuration: ${syncSeconds} }`;
  return `<!doctype html><html><body style="margin:0;background:#000">
<video muted autoplay playsinline style="width:640px"></video>
<script src="hls.min.js"></script>
<script>
const video = document.querySelector('video');
const hls = new Hls(${config});
hls.loadSource('live.m3u8');
hls.attachMedia(video);
window.__captureSamples = [];
window.__hlsErrors = [];
hls.on(Hls.Events.ERROR, (_event, data) => { if (data.fatal) window.__hlsErrors.push(data.details); });
let last = 0;
function captured(mediaTime) {
  const details = hls.levels[hls.currentLevel < 0 ? 0 : hls.currentLevel]?.details;
  for (const frag of details?.fragments ?? []) {
    if (frag.start <= mediaTime && mediaTime < frag.start + frag.duration && frag.programDateTime)
      return frag.programDateTime + (mediaTime - frag.start) * 1000;
  }
  return null;
}
function onFrame(_now, frame) {
  if (frame.expectedDisplayTime - last >= 250) {
    last = frame.expectedDisplayTime;
    const at = captured(frame.mediaTime);
    if (at !== null) window.__captureSamples.push([performance.timeOrigin + frame.expectedDisplayTime, at]);
  }
  video.requestVideoFrameCallback(onFrame);
}
video.requestVideoFrameCallback(onFrame);
</script></body></html>`;
}

/** ffmpeg writing HLS of the test pattern into a temp dir, served with the page over HTTP. */
export async function startHlsReference(
  size: { width: number; height: number; fps: number },
  syncSeconds: number | null,
): Promise<HlsReference> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peerstreamer-bench-hls-'));
  const graph = `testsrc2=size=${size.width}x${size.height}:rate=${size.fps}[out0];sine=frequency=440:sample_rate=48000[out1]`;
  const ffmpeg: ChildProcess = spawn(
    ffmpegPath(),
    [
      ...['-nostdin', '-v', 'error', '-re', '-f', 'lavfi', '-i', graph],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
      ...['-force_key_frames', 'expr:gte(t,n_forced*1)', '-sc_threshold', '0'],
      ...['-c:a', 'aac', '-b:a', '128k'],
      ...['-f', 'hls', '-hls_time', '1', '-hls_list_size', '20', '-hls_segment_type', 'fmp4'],
      ...['-hls_flags', 'program_date_time+independent_segments+temp_file+delete_segments'],
      path.join(dir, 'live.m3u8'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const hlsJs = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
  const server: Server = createServer((request, response) => {
    const name = path.basename(new URL(request.url ?? '/', 'http://x').pathname);
    const file = name === 'hls.min.js' ? hlsJs : path.join(dir, name);
    if (name === '' || name === 'page') {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(page(syncSeconds));
      return;
    }
    if (!existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/page`,
    async close() {
      ffmpeg.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Capture-to-display latencies (s) the HLS page recorded since the last drain, and its fatal errors. */
export async function drainHlsLatency(page: Page): Promise<{ latencies: number[]; errors: string[] }> {
  const { samples, errors } = await page.evaluate(() => {
    const win = globalThis as unknown as {
      __captureSamples?: Array<[number, number]>;
      __hlsErrors?: string[];
    };
    return { samples: (win.__captureSamples ?? []).splice(0), errors: [...(win.__hlsErrors ?? [])] };
  });
  return { latencies: samples.map(([shownAt, captured]) => (shownAt - captured) / 1000), errors };
}
