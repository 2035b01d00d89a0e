import { PeerClient } from '../net/client.js';
import { peerAddressProblem } from '../protocol/peer-key.js';
import { PeerStreamerError, isPeerStreamerError } from '../util/errors.js';

/**
 * How long a command waits for a node's first answer before it says nothing is there. A node on a
 * loopback or LAN answers a ping in milliseconds; this only bounds how long a typo in --from costs.
 */
export const FIRST_ANSWER_MS = 3_000;

/** `--from`'s validator: a node's address, the original's tcp://0.0.0.0:port read as "this machine". */
export function nodeAddress(value: string): string {
  const address = value.replace(/^tcp:\/\/(0\.0\.0\.0|\*)(?=:)/, 'tcp://127.0.0.1');
  const problem = peerAddressProblem(address);
  if (problem !== null) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--from ${JSON.stringify(value)} is not a node address: ${problem}. Give tcp://host:port, or tcp://host:port#<key> with the key the node prints.`,
    );
  }
  return address;
}

/** A client for one command's requests, closed afterwards so the process can exit. */
export async function withClient<T>(work: (client: PeerClient) => Promise<T>): Promise<T> {
  const client = new PeerClient({ timeoutMs: 5_000 });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/**
 * Like withClient, but first makes sure a node answers at `address`. ZeroMQ connects lazily and
 * queues requests until a peer appears, so without this a wrong --from would only show as the real
 * request's (much longer) timeout, worded as that request's failure.
 */
export async function withNode<T>(address: string, work: (client: PeerClient) => Promise<T>): Promise<T> {
  return withClient(async (client) => {
    await expectAnswer(client, address);
    return work(client);
  });
}

/**
 * Like withNode for a list of nodes to start from (a link's peers): the first that answers, in
 * order, is the one `work` talks to. Each silent one costs FIRST_ANSWER_MS; none answering is one
 * UNREACHABLE error naming them all. A single --from (`fromLink` false) keeps withNode's message,
 * which names the flag to check.
 */
export async function withFirstNode<T>(
  addresses: readonly string[],
  fromLink: boolean,
  work: (client: PeerClient, address: string) => Promise<T>,
): Promise<T> {
  return withClient(async (client) => {
    for (const address of addresses) {
      try {
        await expectAnswer(client, address);
      } catch (error) {
        if (isPeerStreamerError(error, 'UNREACHABLE') && fromLink) continue;
        throw error;
      }
      return work(client, address);
    }
    throw new PeerStreamerError(
      'UNREACHABLE',
      `none of the link's ${addresses.length === 1 ? 'one node' : `${addresses.length} nodes`} answered within ${FIRST_ANSWER_MS / 1000} s${addresses.length === 1 ? '' : ' each'} (${addresses.map((address) => address.replace(/#.*/, '')).join(', ')}): the swarm may be down, or the link old; ask whoever shared it for a fresh one`,
      { addresses: [...addresses], timeoutMs: FIRST_ANSWER_MS },
    );
  });
}

async function expectAnswer(client: PeerClient, address: string): Promise<void> {
  try {
    // A ping without a name is a plain "are you there" that every node answers, child or source.
    await client.request(address, { type: 'ping' }, { timeoutMs: FIRST_ANSWER_MS });
  } catch (error) {
    if (isSilence(error)) {
      throw new PeerStreamerError(
        'UNREACHABLE',
        `nothing answered at ${address} within ${FIRST_ANSWER_MS / 1000} s: is a node running there? check --from`,
        { address, timeoutMs: FIRST_ANSWER_MS },
        { cause: error },
      );
    }
    // An error reply is still an answer: something there speaks our protocol, so go on.
    if (isPeerStreamerError(error) && error.context.remoteCode !== undefined) return;
    throw error;
  }
}

/** No connection or no reply, as opposed to a reply that says no. */
function isSilence(error: unknown): boolean {
  return (
    isPeerStreamerError(error) &&
    error.context.remoteCode === undefined &&
    (error.code === 'UNREACHABLE' || error.code === 'TIMEOUT')
  );
}
