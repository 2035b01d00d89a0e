import path from 'node:path';
import type { Command } from 'commander';
import { newCommand, requiredFlag } from '../command.js';
import { storeDirectory, withStoreOrNode } from '../open-store.js';
import type { IngestProgressEvent, NoticeEvent } from '../../control/messages.js';
import { ProgressReporter } from '../progress.js';
import { ingestName, ingestVideo } from '../../library/ingest.js';
import {
  MAX_CHUNK_DURATION,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_DURATION,
  MIN_CHUNK_SIZE,
  resolveChunkTarget,
} from '../../media/chunk-options.js';
import { probeMedia, type ProbeResult } from '../../media/probe.js';
import { PeerStreamerError, errorMessage, isPeerStreamerError } from '../../util/errors.js';
import { parseByteSize, parseDuration } from '../../util/units.js';
import { formatBytes, formatDuration } from '../../shared/format.js';

interface AddOptions {
  store: string;
  name?: string;
  chunkDuration?: number;
  chunkSize?: number;
  replace?: boolean;
  json?: boolean;
}

export function addCommand(): Command {
  return newCommand('add')
    .usage(
      '<file> --store <dir> [--name <name>] [--chunk-duration 2s | --chunk-size 1m] [--replace] [--json]',
    )
    .description(
      'Cuts the file into fragmented-MP4 chunks a browser can start playing from any chunk, and stores them. ' +
        'H.264/AAC, VP9, AV1 and Opus are remuxed as they are; other codecs are transcoded to H.264/AAC. ' +
        'When a node runs on the store, the node ingests the file (it must be able to read it) and announces the video to its children at once; the node keeps serving meanwhile. ' +
        'Ctrl-C cancels either way.',
    )
    .argument('<file>', 'the video file to add')
    .addOption(requiredFlag('--store <dir>', 'the store directory (created if missing)', storeDirectory))
    .option('--name <name>', "the video's name (default: the file name without extension)")
    .option(
      '--chunk-duration <time>',
      'target media time per chunk, 0.5s to 60s (default 1s)',
      chunkDurationFlag,
    )
    .option(
      '--chunk-size <size>',
      "or a target byte size per chunk, 64k to 64m, as the original's -c 1m",
      chunkSizeFlag,
    )
    .option('--replace', 'replace a video of the same name')
    .option('--json', 'print the manifest as JSON on stdout')
    .action(add);
}

async function add(file: string, options: AddOptions): Promise<void> {
  const { store: dir, chunkDuration, chunkSize } = options;
  // Everything about the input is checked before the store is opened (and perhaps created), so bad
  // input leaves no trace in the store: not even an empty directory.
  resolveChunkTarget({ chunkDuration, chunkSize });
  const name = ingestName(file, options.name);
  // The file is probed only when this command ingests it (no node runs on the store), and then
  // before the store is opened: a missing, unreadable or non-media file fails with its one-line
  // error and leaves no store directory behind. A running node probes what it ingests itself.
  let probe: ProbeResult | undefined;
  const progress = new ProgressReporter(`adding ${file}`);
  // Said after the summary line, so the progress bar never overwrites them.
  const notices: NoticeEvent[] = [];
  const chunking = {
    ...(chunkDuration !== undefined ? { chunkDuration } : {}),
    ...(chunkSize !== undefined ? { chunkSize } : {}),
  };
  const replace = options.replace === true;
  const onProgress = ({ mediaSeconds, totalSeconds, bytesOut }: IngestProgressEvent): void =>
    progress.update({ done: mediaSeconds, total: totalSeconds ?? 0, bytes: bytesOut });
  let viaNode = false;
  const manifest = await withStoreOrNode(dir, {
    // A running node ingests it itself and announces it to its children; the path is made absolute
    // because the node's working directory is not ours.
    node: (node) => {
      viaNode = true;
      return node.add({ file: path.resolve(file), name, ...chunking, replace }, onProgress, (notice) =>
        notices.push(notice),
      );
    },
    beforeStore: async () => {
      probe = await probeMedia(file);
    },
    store: (store) =>
      ingestVideo(store, file, {
        name,
        ...(probe !== undefined ? { probe } : {}),
        ...chunking,
        replace,
        onProgress,
        onNote: (text) => notices.push({ level: 'note', text }),
        onWarning: (text) => notices.push({ level: 'warning', text }),
      }),
  }).catch((error: unknown) => {
    progress.abandon();
    throw explainAddFailure(error, file, dir, name);
  });
  const bytes = manifest.chunks.reduce((sum, chunk) => sum + chunk.size, manifest.init.size);
  progress.finish(
    `added ${manifest.name}: ${formatDuration(manifest.duration)}, ${manifest.width ?? '-'}x${manifest.height ?? '-'}, ` +
      `${manifest.chunks.length} chunks, ${formatBytes(bytes)} (${manifest.ingest.mode})` +
      (viaNode ? '; the running node announced it to its children' : ''),
  );
  for (const { level, text } of notices) process.stderr.write(`${level}: ${text}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}

/** A number with an optional unit, possibly negative: shaped like a value, so only its range is wrong. */
const NUMBER_WITH_UNIT = /^\s*(-?)\s*(\d+(?:\.\d+)?)\s*[a-z]*\s*$/i;

function chunkDurationFlag(text: string): number {
  const outOfRange = (): PeerStreamerError =>
    new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--chunk-duration ${JSON.stringify(text)} is out of range; use ${MIN_CHUNK_DURATION}s to ${MAX_CHUNK_DURATION}s, e.g. 2s.`,
      { flag: '--chunk-duration', value: text },
    );
  const shape = NUMBER_WITH_UNIT.exec(text);
  if (shape && (shape[1] === '-' || Number(shape[2]) === 0)) throw outOfRange();
  const seconds = parseDuration(text, '--chunk-duration');
  if (seconds < MIN_CHUNK_DURATION || seconds > MAX_CHUNK_DURATION) throw outOfRange();
  return seconds;
}

function chunkSizeFlag(text: string): number {
  const outOfRange = (): PeerStreamerError =>
    new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--chunk-size ${JSON.stringify(text)} is out of range; use ${MIN_CHUNK_SIZE / 1024}k to ${MAX_CHUNK_SIZE / 1024 ** 2}m, e.g. 1m.`,
      { flag: '--chunk-size', value: text },
    );
  const shape = NUMBER_WITH_UNIT.exec(text);
  if (shape && (shape[1] === '-' || Number(shape[2]) === 0)) throw outOfRange();
  const bytes = parseByteSize(text, '--chunk-size');
  if (bytes < MIN_CHUNK_SIZE || bytes > MAX_CHUNK_SIZE) throw outOfRange();
  return bytes;
}

/**
 * The store words its errors for every caller; here they are said in the CLI's terms, naming the file
 * being added and the flag that would help.
 */
function explainAddFailure(error: unknown, file: string, dir: string, name: string): unknown {
  if (isPeerStreamerError(error, 'VIDEO_EXISTS') && !/in progress/.test(error.message)) {
    return new PeerStreamerError(
      'VIDEO_EXISTS',
      `cannot add ${file}: the store ${dir} already has a video named ${JSON.stringify(name)}. Pass --replace to overwrite it, or --name <other> to keep both.`,
      { ...error.context, file },
      { cause: error },
    );
  }
  if (isPeerStreamerError(error, 'DISK_FULL')) {
    const cause = error.cause === undefined ? '' : ` (${errorMessage(error.cause)})`;
    return new PeerStreamerError(
      'DISK_FULL',
      `cannot add ${file}: the disk holding the store ${dir} is full${cause}. Nothing of ${JSON.stringify(name)} was kept; free space on that disk, or choose another --store, then add it again.`,
      { ...error.context, file },
      { cause: error },
    );
  }
  if (isPeerStreamerError(error, 'STORE_NOT_WRITABLE')) {
    return new PeerStreamerError(error.code, `cannot add ${file}: ${lowerFirst(errorMessage(error))}`, {
      ...error.context,
      file,
    });
  }
  return error;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
