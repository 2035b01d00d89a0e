/**
 * Stopping a child whose master never answered: whoever waits for the master (a fetch, a poster
 * request) is woken at once and told there is none, instead of waiting out its own timeout.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/util/free-port.js';
import { startNode } from './in-process.js';
import { cleanupTempDirs } from '../helpers/temp-dirs.js';

afterAll(() => cleanupTempDirs());

describe('a child stopping before its master answered', () => {
  it('wakes what waits for the master, with none', { timeout: 10_000 }, async () => {
    // Nothing listens there: the child keeps retrying its registration.
    const child = await startNode({ name: 'orphan', master: `tcp://127.0.0.1:${await freePort()}` });
    const waiting = child.link!.waitForMaster(60_000);
    await child.stop();
    expect(await waiting).toBeNull();
  });
});
