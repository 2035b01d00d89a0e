import type * as zmq from 'zeromq';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { parseTcpAddress, tcpAddressProblem } from '../protocol/address.js';

/**
 * Binds a node's ROUTER to a tcp://ip:port endpoint and returns the address it got (the port
 * resolved when asked for port 0). Failures come back as coded errors that say what to change,
 * since the endpoint usually comes straight from a user's flag or setting.
 */
export async function bindRouter(router: zmq.Router, endpoint: string): Promise<string> {
  const problem = tcpAddressProblem(endpoint, { forBind: true });
  if (problem !== null) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `bind address ${JSON.stringify(endpoint)} is not usable: ${problem}. Use tcp://<ip>:<port>, e.g. tcp://0.0.0.0:7000.`,
      { address: endpoint },
    );
  }
  const normalized = endpoint.replace(/:0$/, ':*');
  try {
    await router.bind(normalized);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const { host, port } = parseTcpAddress(endpoint);
    if (code === 'EADDRINUSE') {
      throw new PeerStreamerError(
        'PORT_IN_USE',
        `port ${port} on ${host} is already in use (another node or program listens there). Stop it or choose another port.`,
        { address: endpoint, port },
        { cause: error },
      );
    }
    throw new PeerStreamerError(
      code === 'EADDRNOTAVAIL' ? 'INVALID_ARGUMENT' : 'UNREACHABLE',
      `could not bind ${endpoint}: ${errorMessage(error)}. Check that ${host} is an address of this machine.`,
      { address: endpoint, code },
      { cause: error },
    );
  }
  return router.lastEndpoint ?? endpoint;
}
