/**
 * `peerstreamer node --ui` hands its player link, token and all, to the person at the terminal (the
 * `player:` line) and to scripts (the ready line), both on stdout. Its log, on stderr, never holds the
 * token: not when it says the player is ready, not when it logs the requests the link brings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWARM_TIMEOUT_MS, Swarm, assertBuilt, type NodeProcess } from '../helpers/swarm.js';
import { waitFor } from '../helpers/wait.js';
import { rawRequest } from '../gateway/http-client.js';

const swarm = new Swarm();
let node: NodeProcess;
let link: URL;
let token: string;

beforeAll(async () => {
  assertBuilt();
  // Debug: the gateway's line per request is in the log too.
  node = await swarm.start({ name: 'viewer', extra: ['--ui'], env: { PEERSTREAMER_LOG_LEVEL: 'debug' } });
  const { ui } = await node.ready;
  if (ui === undefined) throw new Error('a node started with --ui printed no player URL in its ready line');
  link = new URL(ui);
  token = link.searchParams.get('token') ?? '';
}, SWARM_TIMEOUT_MS);

afterAll(() => swarm.stop());

/** stderr: every line the node wrote that is not on stdout. */
const logLines = (): string[] => node.logs.filter((line) => !node.stdout.includes(line));

describe('peerstreamer node --ui', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('prints the link with its token on stdout, for the person and for scripts', () => {
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(node.stdout).toContain(`player: ${link.href}`);
  });

  it('keeps the token out of its log', async () => {
    const api = new URL(`api/videos?token=${token}`, link);
    expect((await rawRequest(api.href)).status).toBe(200);
    expect(
      (await rawRequest(new URL('api/stats', link).href, { headers: { Authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
    await waitFor(
      () => logLines().filter((line) => line.includes('"gateway request"')).length >= 2,
      'the gateway to log both requests',
    );
    const log = logLines();
    const ready = log.find((line) => line.includes('"player ready"'));
    expect(ready).toContain(`${link.origin}/`);
    expect(log.some((line) => line.includes('token=<redacted>'))).toBe(true);
    expect(log.filter((line) => line.includes(token))).toEqual([]);
  });
});
