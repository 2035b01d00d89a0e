import type { Command } from 'commander';
import { newCommand, requiredFlag } from '../command.js';
import { nodeAddress, withNode } from '../remote.js';
import type { LibraryPrefetchStats, LimitHits, NodeStats, TrustStats } from '../../shared/api-types.js';
import {
  describePlace,
  describePortMapping,
  describeReachability,
  formatBytes,
  formatDuration,
  formatMilliseconds,
} from '../../shared/format.js';

export function statsCommand(): Command {
  return newCommand('stats')
    .usage('--from <tcp://host:port> [--json]')
    .description(
      'Asks a running node for its counters: bytes it served to others; bytes its streams got from its own store, from peers, from its master and from the source; chunks held; ' +
        'and each peer it has dealt with, with its smoothed round-trip time (measured on heartbeats to the master and on chunks from peers) and failures. ' +
        'The first line says where the node sits: source, master (of how many children) or child (of which master).',
    )
    .addOption(requiredFlag('--from <addr>', 'the node to ask (tcp://host:port)', nodeAddress))
    .option('--json', 'print the raw counters as JSON')
    .action(stats);
}

async function stats(options: { from: string; json?: boolean }): Promise<void> {
  const address = options.from;
  const { reply } = await withNode(address, (client) => client.request(address, { type: 'stats' }));
  const counters = reply.stats as unknown as NodeStats;
  process.stdout.write(options.json ? `${JSON.stringify(counters, null, 2)}\n` : renderStats(counters));
}

export function renderStats(stats: NodeStats): string {
  const fetched = stats.bytesFetched;
  const lines = [
    `${stats.name} (${describePlace(stats)}) at ${stats.address}, up ${formatDuration(stats.uptimeSeconds)}${stats.seeding ? '' : ', seeding paused'}`,
    `master:         ${stats.currentMaster ?? '-'}`,
    `reachability:   ${describeReachability(stats.reachable) ?? '-'}`,
    `port mapping:   ${describePortMapping(stats.portMapping) ?? 'off'}`,
    `served:         ${formatBytes(stats.bytesServed)}`,
    `fetched:        local ${formatBytes(fetched.local)}, peers ${formatBytes(fetched.peer)}, master ${formatBytes(fetched.master)}, source ${formatBytes(fetched.source)}`,
    `held:           ${stats.chunksHeld} chunks, ${formatBytes(stats.bytesHeld)}${stats.capacityBytes ? ` of ${formatBytes(stats.capacityBytes)}` : ''}`,
    `streams:        ${stats.streamsActive}`,
    `library start:  ${describeLibraryPrefetch(stats.libraryPrefetch)}`,
    `invalid input:  ${stats.invalidMessages}`,
    `limits hit:     ${describeLimitHits(stats.limitHits)}`,
    `publisher:      ${describeTrust(stats.trust)}`,
    `node key:       ${describeNodeKey(stats)}`,
    '',
    'PEER            RELATION     ADDRESS                    RTT      UP         DOWN       FAILURES',
    ...stats.peers.map(
      (peer) =>
        `${peer.name.padEnd(15)} ${peer.relation.padEnd(12)} ${peer.address.padEnd(26)} ${formatMilliseconds(peer.rttMs).padEnd(8)} ${formatBytes(peer.bytesUp).padEnd(10)} ${formatBytes(peer.bytesDown).padEnd(10)} ${peer.failures}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The node's CURVE key, whole (what `--master tcp://host:port#<key>` and `--allow` files take), its
 * fingerprint, and the handshakes its allow list refused. An older node sends nothing: a dash.
 */
function describeNodeKey(stats: NodeStats): string {
  if (stats.key === undefined) return '-';
  const refused = stats.handshakesRefused ? `; ${stats.handshakesRefused} handshakes refused` : '';
  return `${stats.key} (fingerprint ${stats.keyFingerprint ?? '-'})${refused}`;
}

/**
 * Whose videos the node trusts, whole: the key to give a node's --publisher. What it refused follows,
 * when anything was. An older node sends nothing: a dash.
 */
function describeTrust(trust: TrustStats | undefined): string {
  if (trust === undefined) return '-';
  const trusted =
    trust.publisher === null
      ? 'none learned yet'
      : `${trust.publisher} (${trust.publisherFrom ?? 'unknown'})`;
  const refused = [
    trust.refusedManifests > 0 ? `${trust.refusedManifests} manifests refused` : '',
    trust.publisherMismatches > 0 ? `${trust.publisherMismatches} masters vouched for another publisher` : '',
  ].filter((part) => part !== '');
  return refused.length === 0 ? trusted : `${trusted}; ${refused.join(', ')}`;
}

/** An older node sends no library prefetch figures (it has none): that is a dash, not a crash. */
function describeLibraryPrefetch(prefetch: LibraryPrefetchStats | undefined): string {
  if (prefetch === undefined) return '-';
  return `${prefetch.videos} videos prefetched, ${formatBytes(prefetch.bytes)}, ${prefetch.inFlight} in flight`;
}

/**
 * The bounds that refused something (docs/SECURITY.md, Bounded resources), by their stats key:
 * `none` when no bound was hit, a dash for an older node that sends no figures.
 */
function describeLimitHits(hits: LimitHits | undefined): string {
  if (hits === undefined) return '-';
  const hit = Object.entries(hits).filter(([, count]) => count > 0);
  return hit.length === 0 ? 'none' : hit.map(([key, count]) => `${key} ${count}`).join(', ');
}
