/** Independent checks of cut output, done with ffmpeg/ffprobe themselves rather than our own parser. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath, ffprobePath } from '../../core/media/ffmpeg-binaries.js';
import { cutVideo, type CutEvent, type CutOptions, type CutResult } from '../../core/media/cutter.js';

const run = promisify(execFile);

export interface CutOutput {
  init: Buffer;
  chunks: Array<{ index: number; start: number; duration: number; bytes: Buffer }>;
  result: CutResult;
  progress: number;
  events: CutEvent[];
}

export async function cutAll(file: string, options: CutOptions = {}): Promise<CutOutput> {
  let init: Buffer | null = null;
  let result: CutResult | null = null;
  let progress = 0;
  const chunks: CutOutput['chunks'] = [];
  const events: CutEvent[] = [];
  for await (const event of cutVideo(file, options)) {
    events.push(event);
    if (event.type === 'init') init = Buffer.from(event.bytes);
    else if (event.type === 'chunk') chunks.push({ ...event, bytes: Buffer.from(event.bytes) });
    else if (event.type === 'progress') progress += 1;
    else result = event.result;
  }
  if (init === null || result === null) throw new Error('cut ended without init or result');
  return { init, chunks, result, progress, events };
}

/** Writes init + the given chunks as one playable file, as a player would append them. */
export function joinSegments(dir: string, name: string, init: Buffer, chunks: Buffer[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.concat([init, ...chunks]));
  return file;
}

export async function probeDuration(file: string): Promise<number> {
  const { stdout } = await run(ffprobePath(), [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    file,
  ]);
  return Number(stdout.trim());
}

/** What ffmpeg prints at level error while decoding the whole file: '' means it decoded cleanly. */
export async function decodeErrors(file: string): Promise<string> {
  try {
    const { stderr } = await run(ffmpegPath(), ['-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stderr.trim();
  } catch (error) {
    return `ffmpeg failed: ${String((error as { stderr?: string }).stderr ?? error)}`;
  }
}

/** key_frame and pict_type of the first video frame ffprobe decodes from `file`. */
export async function firstVideoFrame(file: string): Promise<{ keyFrame: boolean; pictType: string }> {
  const { stdout } = await run(ffprobePath(), [
    ...['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1'],
    ...['-show_entries', 'frame=key_frame,pict_type', '-of', 'json', file],
  ]);
  const frame = (JSON.parse(stdout) as { frames?: Array<{ key_frame?: number; pict_type?: string }> })
    .frames?.[0];
  return { keyFrame: frame?.key_frame === 1, pictType: frame?.pict_type ?? '?' };
}
