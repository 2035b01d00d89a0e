import type { Command } from '../command.js';
import { optionalString, parseCommand } from '../args.js';
import { remoteAddress, withNode } from '../remote.js';
import type { LibraryPrefetchStats, NodeStats } from '../../shared/api-types.js';
import { describePlace, formatBytes, formatDuration, formatMilliseconds } from '../../shared/format.js';

const usage = 'peerstreamer stats --from <tcp://host:port> [--json]';

export const statsCommand: Command = {
  name: 'stats',
  summary: "print a node's counters: bytes served and fetched by origin, chunks held, peers",
  usage,
  help: `${usage}

Asks a running node for its counters: bytes it served to others; bytes its streams got from its own
store, from peers, from its master and from the source; chunks held; and each peer it has dealt with,
with its smoothed round-trip time (measured on heartbeats to the master and on chunks from peers)
and failures. The first line says where the node sits: source, master (of how many children) or
child (of which master).
  --from <addr>   the node to ask (tcp://host:port)
  --json          print the raw counters as JSON`,
  async run(argv) {
    const parsed = parseCommand('stats', argv, { from: { type: 'string' }, json: { type: 'boolean' } });
    const address = remoteAddress(optionalString(parsed, 'from'), 'stats');
    const { reply } = await withNode(address, (client) => client.request(address, { type: 'stats' }));
    const stats = reply.stats as unknown as NodeStats;
    if (parsed.values.json) {
      process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(renderStats(stats));
    return 0;
  },
};

export function renderStats(stats: NodeStats): string {
  const fetched = stats.bytesFetched;
  const lines = [
    `${stats.name} (${describePlace(stats)}) at ${stats.address}, up ${formatDuration(stats.uptimeSeconds)}${stats.seeding ? '' : ', seeding paused'}`,
    `master:         ${stats.currentMaster ?? '-'}`,
    `served:         ${formatBytes(stats.bytesServed)}`,
    `fetched:        local ${formatBytes(fetched.local)}, peers ${formatBytes(fetched.peer)}, master ${formatBytes(fetched.master)}, source ${formatBytes(fetched.source)}`,
    `held:           ${stats.chunksHeld} chunks, ${formatBytes(stats.bytesHeld)}${stats.capacityBytes ? ` of ${formatBytes(stats.capacityBytes)}` : ''}`,
    `streams:        ${stats.streamsActive}`,
    `library start:  ${describeLibraryPrefetch(stats.libraryPrefetch)}`,
    `invalid input:  ${stats.invalidMessages}`,
    '',
    'PEER            RELATION     ADDRESS                    RTT      UP         DOWN       FAILURES',
    ...stats.peers.map(
      (peer) =>
        `${peer.name.padEnd(15)} ${peer.relation.padEnd(12)} ${peer.address.padEnd(26)} ${formatMilliseconds(peer.rttMs).padEnd(8)} ${formatBytes(peer.bytesUp).padEnd(10)} ${formatBytes(peer.bytesDown).padEnd(10)} ${peer.failures}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** An older node sends no library prefetch figures (it has none): that is a dash, not a crash. */
function describeLibraryPrefetch(prefetch: LibraryPrefetchStats | undefined): string {
  if (prefetch === undefined) return '-';
  return `${prefetch.videos} videos prefetched, ${formatBytes(prefetch.bytes)}, ${prefetch.inFlight} in flight`;
}
