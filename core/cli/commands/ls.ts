import type { Command } from '../command.js';
import { parseCommand, requireString } from '../args.js';
import { withStoreOrNode } from '../open-store.js';
import { listRemote, wantsRemoteList } from './ls-remote.js';
import { renderTable } from '../table.js';
import { formatBytes, formatDuration } from '../../shared/format.js';
import type { VideoSummary } from '../../store/types.js';

const usage = 'peerstreamer ls --store <dir> [--json]  |  peerstreamer ls --from <tcp://host:port> [--json]';

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the videos in a store, or (--from) the videos a running swarm offers',
  usage,
  help: `${usage}

Lists every video in the store: kind, duration, resolution, chunks held of the total, bytes held.
When a node runs on the store, the list comes from that node.
  --store <dir>   the node's store directory (the original --chunkdirectory / --videodatabase)
  --from <addr>   instead: the videos a running swarm offers, through the node at tcp://host:port
  --json          print the list as JSON (with full manifests)`,
  async run(argv) {
    if (wantsRemoteList(argv)) return listRemote(argv);
    const parsed = parseCommand('ls', argv, { store: { type: 'string' }, json: { type: 'boolean' } });
    const dir = requireString(parsed, 'store', 'ls');
    const videos = await withStoreOrNode(
      dir,
      { node: (node) => node.ls(), store: async (store) => store.listVideos() },
      { mustExist: { command: 'ls' } },
    );
    if (parsed.values.json) {
      process.stdout.write(`${JSON.stringify(videos, null, 2)}\n`);
      return 0;
    }
    if (videos.length === 0) {
      process.stdout.write(`no videos in ${dir}. Add one with \`peerstreamer add <file> --store ${dir}\`.\n`);
      return 0;
    }
    process.stdout.write(renderVideos(videos));
    return 0;
  },
};

function renderVideos(videos: VideoSummary[]): string {
  const header = ['NAME', 'KIND', 'DURATION', 'SIZE', 'CHUNKS', 'HELD', 'PINNED'];
  const rows = videos.map((video) => {
    const manifest = video.manifest;
    const resolution = manifest.width && manifest.height ? `${manifest.width}x${manifest.height}` : '-';
    return [
      video.name,
      manifest.kind === 'fmp4' ? `${manifest.kind} ${resolution}` : 'legacy',
      manifest.duration === null ? '-' : formatDuration(manifest.duration),
      formatBytes(manifest.chunks.reduce((sum, chunk) => sum + chunk.size, 0)),
      `${video.chunksHeld}/${manifest.chunks.length}`,
      formatBytes(video.bytesHeld),
      video.pinned ? 'yes' : 'no',
    ];
  });
  return renderTable(header, rows);
}
