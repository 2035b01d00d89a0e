import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTcpAddress } from '../protocol/address.js';

/**
 * Waits until the TCP port a closed ZeroMQ socket was bound to can be bound again, or `timeoutMs`
 * passes. libzmq closes the listening socket later, on its I/O thread, so a node restarted on its
 * own port at once (a Settings save that keeps the port) could otherwise meet PORT_IN_USE. Unbinding
 * before close() would wait for the port too, but racing it with close() trips assertions inside
 * libzmq 4.3.5 that abort the whole process; a probe bind cannot.
 */
export async function waitForPortRelease(address: string, timeoutMs = 2_000): Promise<boolean> {
  const { host, port } = parseTcpAddress(address);
  const deadline = performance.now() + timeoutMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    if (await canBind(host, port)) return true;
    if (performance.now() >= deadline) return false;
    await sleep(pause);
  }
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
