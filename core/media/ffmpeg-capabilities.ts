/**
 * What the resolved ffmpeg can do, asked once per binary. Builds differ: the npm static build (2018)
 * has no SRT and predates `-export_side_data` (and with it the prft flags that say which moment a
 * prft's time stands for), Debian's 5.1 has both. Asking up front turns "Protocol not found" or
 * "Unrecognized option" from deep inside a run into a choice made before it, or an error that says
 * which ffmpeg lacks what.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffmpegPath } from './ffmpeg-binaries.js';

const run = promisify(execFile);

/** Answers per binary; a failed question is not kept, so the next call asks again. */
function cached<T>(ask: (binary: string) => Promise<T>): (binary: string) => Promise<T> {
  const answers = new Map<string, Promise<T>>();
  return (binary) => {
    let answer = answers.get(binary);
    if (answer === undefined) {
      answer = ask(binary);
      answers.set(binary, answer);
      answer.catch(() => answers.delete(binary));
    }
    return answer;
  };
}

const inputProtocols = cached(async (binary): Promise<ReadonlySet<string>> => {
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
});

const fullHelp = cached(async (binary): Promise<string> => {
  const { stdout } = await run(binary, ['-hide_banner', '-h', 'full'], {
    timeout: 10_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
});

/** True when the ffmpeg that runs the cut can read `protocol` (e.g. 'srt'). */
export async function ffmpegReadsProtocol(protocol: string): Promise<boolean> {
  return (await inputProtocols(ffmpegPath())).has(protocol);
}

/** True when the ffmpeg that runs the cut knows the option `-name` (any context: codec, format). */
export async function ffmpegKnowsOption(name: string): Promise<boolean> {
  return new RegExp(`^\\s*-${name}\\s`, 'm').test(await fullHelp(ffmpegPath()));
}
