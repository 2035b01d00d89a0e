import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PeerClient } from '../../core/net/client.js';
import type { PeerServer } from '../../core/net/server.js';
import { peerIdFor, startServer } from './helpers.js';

const script = fileURLToPath(new URL('./hostile-client.mjs', import.meta.url));
const run = promisify(execFile);

let server: PeerServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

describe('a hostile peer in a separate process', () => {
  it('is refused and counted, gets its answer when it behaves, and others are still served', async () => {
    const { stdout } = await run(
      process.execPath,
      [script, server.address, 'other-process', server.keys.publicKey],
      {
        timeout: 20_000,
      },
    );
    const result = JSON.parse(stdout) as { sent: number; replies: number; pong: Record<string, unknown> };
    expect(result.replies).toBe(result.sent);
    expect(result.pong).toMatchObject({ id: 6, type: 'ping-ok', name: 'server' });

    const peer = server.peer(peerIdFor('other-process'))!;
    expect(peer.invalidTotal).toBe(8);
    expect(peer.invalid).toMatchObject({
      'bad-field': 3,
      'bad-version': 1,
      'unknown-type': 1,
      'not-object': 1,
    });
    expect(peer.declaredName).toBe('hostile');

    const client = new PeerClient();
    try {
      await expect(client.request(server.address, { type: 'ping' })).resolves.toMatchObject({
        reply: { type: 'ping-ok' },
      });
    } finally {
      await client.close();
    }
  });
});
