/**
 * A peer that is gone is known at once where libzmq reports it (core/net/connection.ts, watchLink):
 * a refused connection fails what waits to be sent, and a peer process that dies (its kernel closes
 * its sockets) fails what was sent to it. Each request here has a deadline far beyond the test's
 * own timeout, and the error's words tell the early failure from the deadline's ("no connection …
 * within", "did not answer … within").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import { startServer, startServerOn } from './helpers.js';

const silentServer = fileURLToPath(new URL('./silent-server.mjs', import.meta.url));
const FAR_DEADLINE_MS = 60_000;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function newClient(): PeerClient {
  const client = new PeerClient();
  cleanup.push(() => client.close());
  return client;
}

/** A port that was just free: a server bound it, and closed. */
async function freedAddress(): Promise<{ address: string; key: string }> {
  const server = await startServer();
  const found = { address: server.address, key: server.keys.publicKey };
  await server.close();
  return found;
}

/** Starts silent-server.mjs; resolves its address and a reader of its lines. */
async function startSilentServer(): Promise<{
  child: ChildProcess;
  address: string;
  lines: AsyncIterator<string>;
}> {
  const child = spawn(process.execPath, [silentServer], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done === true) throw new Error('silent-server.mjs exited before it printed its address');
  return { child, address: first.value, lines };
}

describe('a peer that is gone', () => {
  it('fails a request at once when nothing listens at the address (refused)', async () => {
    const { address, key } = await freedAddress();
    const client = newClient();
    await expect(
      client.request(`${address}#${key}`, { type: 'ping' }, { timeoutMs: FAR_DEADLINE_MS }),
    ).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(/refused the connection for ping/),
    });
    expect(client.counters().unreachable).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('answers again as soon as a node listens there once more', async () => {
    const { address, key } = await freedAddress();
    const client = newClient();
    await expect(
      client.request(`${address}#${key}`, { type: 'ping' }, { timeoutMs: FAR_DEADLINE_MS }),
    ).rejects.toMatchObject({ code: 'UNREACHABLE' });
    // The same connection: libzmq went on reconnecting in the background.
    const server = await startServerOn(address, { name: 'back' });
    cleanup.push(() => server.close());
    const answer = await client.request(server.address, { type: 'ping' }, { timeoutMs: FAR_DEADLINE_MS });
    expect(answer.reply).toMatchObject({ type: 'ping-ok', name: 'back' });
  }, 20_000);

  it('fails a request in flight as soon as the peer process is SIGKILLed', async () => {
    const { child, address, lines } = await startSilentServer();
    const client = newClient();
    const pending = client.request(address, { type: 'stats' }, { timeoutMs: FAR_DEADLINE_MS });
    pending.catch(() => undefined);
    const got = await lines.next();
    expect(got.value).toBe('got');
    child.kill('SIGKILL');
    await once(child, 'exit');
    await expect(pending).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(/closed the connection before answering stats/),
    });
  }, 20_000);

  it('fails a request in flight when the server closes (a node stopping)', async () => {
    const server = await startServer();
    server.handle('stats', () => new Promise(() => {}));
    const client = newClient();
    const pending = client.request(`${server.address}`, { type: 'stats' }, { timeoutMs: FAR_DEADLINE_MS });
    pending.catch(() => undefined);
    await expect.poll(() => server.counters().messagesReceived).toBeGreaterThan(0);
    await server.close();
    await expect(pending).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(/closed the connection before answering stats/),
    });
  }, 20_000);
});
