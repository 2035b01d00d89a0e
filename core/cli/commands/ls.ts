import type { Command } from 'commander';
import { newCommand } from '../command.js';
import { storeDirectory, withStoreOrNode } from '../open-store.js';
import { nodeAddress } from '../remote.js';
import { listRemote } from './ls-remote.js';
import { PeerStreamerError } from '../../util/errors.js';
import { renderTable } from '../table.js';
import { formatBytes, formatDuration } from '../../shared/format.js';
import type { VideoSummary } from '../../store/types.js';
import { publisherLabel } from '../../shared/publisher.js';

export function lsCommand(): Command {
  return newCommand('ls')
    .usage('--store <dir> [--json]  |  peerstreamer ls --from <tcp://host:port> [--json]')
    .description(
      'Lists every video in the store: kind, duration, resolution, chunks held of the total, bytes held. ' +
        'When a node runs on the store, the list comes from that node. ' +
        'With --from instead: the videos a running swarm offers, as the node at that address sees them (its own store plus what its masters list, up to the source).',
    )
    .option(
      '--store <dir>',
      "the node's store directory (the original --chunkdirectory / --videodatabase)",
      storeDirectory,
    )
    .option(
      '--from <addr>',
      'instead: the videos a running swarm offers, through the node at tcp://host:port',
      nodeAddress,
    )
    .option('--json', 'print the list as JSON (with full manifests)')
    .action(ls);
}

async function ls(options: { store?: string; from?: string; json?: boolean }): Promise<void> {
  const { store: dir, from, json = false } = options;
  if (from !== undefined) {
    if (dir !== undefined) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        'ls: give --store <dir> (a store on this disk) or --from <tcp://host:port> (a running swarm), not both.',
      );
    }
    return listRemote(from, json);
  }
  if (dir === undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      'ls: --store is required: the store to list (or --from <tcp://host:port> for a running swarm). Run `peerstreamer ls --help` for an example.',
      { flag: '--store' },
    );
  }
  const videos = await withStoreOrNode(
    dir,
    { node: (node) => node.ls(), store: async (store) => store.listVideos() },
    { mustExist: { command: 'ls' } },
  );
  if (json) {
    process.stdout.write(`${JSON.stringify(videos, null, 2)}\n`);
  } else if (videos.length === 0) {
    process.stdout.write(`no videos in ${dir}. Add one with \`peerstreamer add <file> --store ${dir}\`.\n`);
  } else {
    process.stdout.write(renderVideos(videos));
  }
}

function renderVideos(videos: VideoSummary[]): string {
  const header = ['NAME', 'PUBLISHER', 'KIND', 'DURATION', 'SIZE', 'CHUNKS', 'HELD', 'PINNED'];
  const rows = videos.map((video) => {
    const manifest = video.manifest;
    const resolution = manifest.width && manifest.height ? `${manifest.width}x${manifest.height}` : '-';
    return [
      video.name,
      publisherLabel(manifest.publisher),
      manifest.kind === 'fmp4'
        ? `${manifest.kind} ${resolution}${manifest.live ? ` live${manifest.live.state === 'live' ? '' : ` (${manifest.live.state})`}` : ''}`
        : 'legacy',
      manifest.duration === null ? '-' : formatDuration(manifest.duration),
      formatBytes(manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0)),
      `${video.chunksHeld}/${manifest.chunks.length}`,
      formatBytes(video.bytesHeld),
      video.pinned ? 'yes' : 'no',
    ];
  });
  return renderTable(header, rows);
}
