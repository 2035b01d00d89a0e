/**
 * Which input protocols the resolved ffmpeg was built with. Builds differ (the npm static build has
 * no SRT, Debian's has), and asking once up front turns "Protocol not found" from deep inside a run
 * into an error that says which ffmpeg lacks what.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffmpegPath } from './ffmpeg-binaries.js';

const run = promisify(execFile);
const cache = new Map<string, Promise<ReadonlySet<string>>>();

async function listInputProtocols(binary: string): Promise<ReadonlySet<string>> {
  const { stdout } = await run(binary, ['-hide_banner', '-protocols'], { timeout: 10_000 });
  // "Supported file protocols:\nInput:\n  file\n  ...\nOutput:\n  ..."
  const input = stdout.split(/^Output:$/m)[0] ?? '';
  const names = input.split(/^Input:$/m)[1] ?? '';
  return new Set(
    names
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  );
}

/** True when the ffmpeg that runs the cut can read `protocol` (e.g. 'srt'). */
export async function ffmpegReadsProtocol(protocol: string): Promise<boolean> {
  const binary = ffmpegPath();
  let protocols = cache.get(binary);
  if (protocols === undefined) {
    protocols = listInputProtocols(binary);
    cache.set(binary, protocols);
    // A failed listing is not kept: the next call asks again rather than repeat a stale failure.
    protocols.catch(() => cache.delete(binary));
  }
  return (await protocols).has(protocol);
}
