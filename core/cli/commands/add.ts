import type { Command } from '../command.js';
import { exactlyPositionals, optionalString, parseCommand, requireString } from '../args.js';
import { withStore } from '../open-store.js';
import { ProgressReporter } from '../progress.js';
import { ingestVideo } from '../../library/ingest.js';
import { parseByteSize, parseDuration, formatBytes, formatDuration } from '../../util/units.js';

const usage =
  'peerstreamer add <file> --store <dir> [--name <name>] [--chunk-duration 2s | --chunk-size 1m] [--replace] [--json]';

export const addCommand: Command = {
  name: 'add',
  summary: 'ingest a video file into a store (the successor of bin/split_video)',
  usage,
  help: `${usage}

Cuts the file into fragmented-MP4 chunks a browser can start playing from any chunk, and stores them.
H.264/AAC, VP9, AV1 and Opus are remuxed as they are; other codecs are transcoded to H.264/AAC.
  --store <dir>            the store directory (created if missing)
  --name <name>            the video's name (default: the file name without extension)
  --chunk-duration <time>  target media time per chunk, 0.5s to 60s (default 2s)
  --chunk-size <size>      or a target byte size per chunk, 64k to 64m, as the original's -c 1m
  --replace                replace a video of the same name
  --json                   print the manifest as JSON on stdout`,
  async run(argv) {
    const parsed = parseCommand('add', argv, {
      store: { type: 'string' },
      name: { type: 'string' },
      'chunk-duration': { type: 'string' },
      'chunk-size': { type: 'string' },
      replace: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [file] = exactlyPositionals(parsed, 1, 'add', '<file>');
    const dir = requireString(parsed, 'store', 'add');
    const durationText = optionalString(parsed, 'chunk-duration');
    const sizeText = optionalString(parsed, 'chunk-size');
    const name = optionalString(parsed, 'name');
    const progress = new ProgressReporter(`adding ${file}`);
    const manifest = await withStore(dir, (store) =>
      ingestVideo(store, file!, {
        ...(name !== undefined ? { name } : {}),
        ...(durationText !== undefined
          ? { chunkDuration: parseDuration(durationText, '--chunk-duration') }
          : {}),
        ...(sizeText !== undefined ? { chunkSize: parseByteSize(sizeText, '--chunk-size') } : {}),
        replace: parsed.values.replace === true,
        onProgress: ({ mediaSeconds, totalSeconds, bytesOut }) =>
          progress.update({ done: mediaSeconds, total: totalSeconds ?? 0, bytes: bytesOut }),
      }),
    );
    const bytes = manifest.chunks.reduce((sum, chunk) => sum + chunk.size, manifest.init.size);
    progress.finish(
      `added ${manifest.name}: ${formatDuration(manifest.duration)}, ${manifest.width ?? '-'}x${manifest.height ?? '-'}, ` +
        `${manifest.chunks.length} chunks, ${formatBytes(bytes)} (${manifest.ingest.mode})`,
    );
    if (parsed.values.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    return 0;
  },
};
