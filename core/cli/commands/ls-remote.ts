import { withNode } from '../remote.js';
import type { VideoInfo } from '../../protocol/messages.js';
import { renderTable } from '../table.js';
import { formatDuration } from '../../shared/format.js';
import { publisherLabel } from '../../shared/publisher.js';

/**
 * `ls --from tcp://host:port`: the videos a swarm offers, as the node at that address sees them (its
 * own store plus what its masters list, up to the source). This is the list "No video X in this
 * swarm" points at.
 */
export async function listRemote(address: string, json: boolean): Promise<void> {
  const { reply } = await withNode(address, (client) => client.request(address, { type: 'list-videos' }));
  if (json) {
    process.stdout.write(`${JSON.stringify(reply.videos, null, 2)}\n`);
  } else if (reply.videos.length === 0) {
    process.stdout.write(
      `no videos in the swarm as ${address} sees it. Add one on the source: \`peerstreamer add <file> --store <its store>\`.\n`,
    );
  } else {
    process.stdout.write(renderVideos(reply.videos));
  }
}

function renderVideos(videos: readonly VideoInfo[]): string {
  const header = ['NAME', 'PUBLISHER', 'KIND', 'DURATION', 'RESOLUTION', 'CHUNKS'];
  const rows = videos.map((video) => [
    video.name,
    publisherLabel(video.publisher),
    video.kind,
    video.duration === null ? '-' : formatDuration(video.duration),
    video.width && video.height ? `${video.width}x${video.height}` : '-',
    String(video.chunks),
  ]);
  return renderTable(header, rows);
}
