import { PeerClient } from '../net/client.js';
import { tcpAddressProblem } from '../protocol/address.js';
import { PeerStreamerError } from '../util/errors.js';

/** Reads `--from`, accepting the original's tcp://0.0.0.0:port as "this machine". */
export function remoteAddress(value: string | undefined, command: string): string {
  if (value === undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${command}: --from is required: the node to ask, e.g. --from tcp://127.0.0.1:7999.`,
    );
  }
  const address = value.replace(/^tcp:\/\/(0\.0\.0\.0|\*)(?=:)/, 'tcp://127.0.0.1');
  const problem = tcpAddressProblem(address);
  if (problem !== null) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--from ${JSON.stringify(value)} is not a node address: ${problem}.`,
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
