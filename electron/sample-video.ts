/**
 * First run: a node with no master and an empty store would greet the user with an empty library.
 * It gets a short sample video instead, so playback works at once; Settings then points it at a
 * real swarm. The sample is added once per store (deleting it does not bring it back).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ChunkStore } from '../core/store/chunk-store.js';
import { SettingsFile } from '../core/store/settings-file.js';
import { ingestVideo } from '../core/library/ingest.js';
import { ffmpegPath } from '../core/media/ffmpeg-binaries.js';
import type { Logger } from '../core/util/logger.js';
import { PeerStreamerError } from '../core/util/errors.js';

export const SAMPLE_NAME = 'sample';
const SAMPLE_ADDED_KEY = 'app.sampleAdded';

/** Adds the sample if this store never had it and holds no video; returns whether it did. */
export async function addSampleOnFirstRun(
  store: ChunkStore,
  shippedSample: string,
  logger: Logger,
): Promise<boolean> {
  const settings = new SettingsFile(store.dir);
  // An unreadable settings file reads as "never added": the empty-library check below still holds.
  if ((await settings.read()).values[SAMPLE_ADDED_KEY] === true || store.listVideos().length > 0)
    return false;
  const temp = await mkdtemp(path.join(os.tmpdir(), 'peerstreamer-sample-'));
  try {
    // The packaged app ships one (assets/sample.mp4); a dev checkout without it makes one.
    const source = existsSync(shippedSample)
      ? shippedSample
      : await generateSample(path.join(temp, 'sample.mp4'));
    await ingestVideo(store, source, { name: SAMPLE_NAME, chunkDuration: 1, logger });
    await settings.update({ [SAMPLE_ADDED_KEY]: true });
    logger.info({ video: SAMPLE_NAME }, 'first run: sample video added');
    return true;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Eight seconds of test pattern and tone, H.264/AAC with a keyframe a second (one chunk each). */
export async function generateSample(out: string): Promise<string> {
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=8'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=8'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-pix_fmt', 'yuv420p'],
    ...[
      '-g',
      '25',
      '-keyint_min',
      '25',
      '-sc_threshold',
      '0',
      '-c:a',
      'aac',
      '-b:a',
      '48k',
      '-shortest',
      out,
    ],
  ];
  const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) {
    throw new PeerStreamerError(
      'FFMPEG_FAILED',
      `ffmpeg could not make the sample video (exit ${code}): ${stderr.trim()}`,
      {
        out,
      },
    );
  }
  return out;
}
