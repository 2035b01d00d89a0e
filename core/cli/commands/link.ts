import type { Command } from 'commander';
import { newCommand, requiredFlag } from '../command.js';
import { FIRST_ANSWER_MS, nodeAddress, withNode } from '../remote.js';
import { linkPeers } from '../../link/link-peers.js';
import { formatVideoLink } from '../../link/video-link.js';
import { listedPublisher } from '../../link/listed-publisher.js';
import type { NodeStats } from '../../shared/api-types.js';
import { videoNameProblem } from '../../shared/video-name.js';
import { publisherFingerprint } from '../../shared/publisher.js';
import { PeerStreamerError } from '../../util/errors.js';

export function linkCommand(): Command {
  return newCommand('link')
    .usage('<name> --from <tcp://host:port>')
    .description(
      'Prints a link to a video (peerstreamer://<publisher key>/<name>?peer=...) that anyone can play with `peerstreamer play <link>` or join with `peerstreamer node --join <link>`. ' +
        "It asks the node at --from for the video's publisher key and the node's own keyed address, then names the source at the root of its tree too when that answers.",
    )
    .argument('<name>', 'the video to link to')
    .addOption(requiredFlag('--from <addr>', 'a node of the swarm (tcp://host:port)', nodeAddress))
    .action(link);
}

async function link(name: string, options: { from: string }): Promise<void> {
  const problem = videoNameProblem(name);
  if (problem !== null) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `link: ${JSON.stringify(name)} is not a video name: ${problem}. See the names with: peerstreamer ls --from ${options.from}`,
    );
  }
  const address = options.from;
  const text = await withNode(address, async (client) => {
    const { reply: listed } = await client.request(address, { type: 'list-videos' });
    const publisher = listedPublisher(name, listed.videos, address);
    const { reply } = await client.request(address, { type: 'stats' });
    const stats = reply.stats as unknown as NodeStats;
    const swarmPublisher = stats.trust?.publisher ?? null;
    if (swarmPublisher !== null && swarmPublisher !== publisher) {
      // Not refused: a node may publish videos of its own. But whoever follows this link trusts
      // that key and no other, so the swarm's own videos would be refused; the user should know.
      process.stderr.write(
        `note: ${JSON.stringify(name)} at ${address} is signed by publisher ${publisherFingerprint(publisher)}, not by ${publisherFingerprint(swarmPublisher)}, the publisher ${stats.name} trusts; nodes that join by this link will trust only ${publisherFingerprint(publisher)}\n`,
      );
    }
    const askStats = async (above: string): Promise<NodeStats> => {
      const { reply: answer } = await client.request(
        above,
        { type: 'stats' },
        { timeoutMs: FIRST_ANSWER_MS },
      );
      return answer.stats as unknown as NodeStats;
    };
    const peers = await linkPeers(stats, askStats, (why) =>
      process.stderr.write(`note: the link names only ${stats.address}: ${why}\n`),
    );
    return formatVideoLink({ publisher, video: name, peers });
  });
  process.stdout.write(`${text}\n`);
}
