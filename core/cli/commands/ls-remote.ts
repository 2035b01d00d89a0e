import { optionalString, parseCommand } from '../args.js';
import { remoteAddress, withNode } from '../remote.js';
import type { VideoInfo } from '../../protocol/messages.js';
import { PeerStreamerError } from '../../util/errors.js';
import { renderTable } from '../table.js';
import { formatDuration } from '../../shared/format.js';

/** True when `ls` was asked about a running swarm rather than a store on disk. */
export function wantsRemoteList(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--from' || arg.startsWith('--from='));
}

/**
 * `ls --from tcp://host:port`: the videos a swarm offers, as the node at that address sees them (its
 * own store plus what its masters list, up to the source). This is the list "No video X in this
 * swarm" points at.
 */
export async function listRemote(argv: string[]): Promise<number> {
  const parsed = parseCommand('ls', argv, {
    from: { type: 'string' },
    json: { type: 'boolean' },
    store: { type: 'string' },
  });
  if (parsed.values.store !== undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      'ls: give --store <dir> (a store on this disk) or --from <tcp://host:port> (a running swarm), not both.',
    );
  }
  if (parsed.positionals.length > 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `ls takes only flags, got ${JSON.stringify(parsed.positionals.join(' '))}. Run \`peerstreamer ls --help\`.`,
    );
  }
  const address = remoteAddress(optionalString(parsed, 'from'), 'ls');
  const { reply } = await withNode(address, (client) => client.request(address, { type: 'list-videos' }));
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify(reply.videos, null, 2)}\n`);
    return 0;
  }
  if (reply.videos.length === 0) {
    process.stdout.write(
      `no videos in the swarm as ${address} sees it. Add one on the source: \`peerstreamer add <file> --store <its store>\`.\n`,
    );
    return 0;
  }
  process.stdout.write(renderVideos(reply.videos));
  return 0;
}

function renderVideos(videos: readonly VideoInfo[]): string {
  const header = ['NAME', 'KIND', 'DURATION', 'RESOLUTION', 'CHUNKS'];
  const rows = videos.map((video) => [
    video.name,
    video.kind,
    video.duration === null ? '-' : formatDuration(video.duration),
    video.width && video.height ? `${video.width}x${video.height}` : '-',
    String(video.chunks),
  ]);
  return renderTable(header, rows);
}
