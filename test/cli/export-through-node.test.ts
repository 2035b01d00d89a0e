/**
 * `export -o` through a running node when the output's disk fills up: the failure is the output's
 * (DISK_FULL naming -o, as on a closed store), not a broken control connection, nothing is left on
 * that disk, and the node goes on serving. The node runs here; the CLI is its own process.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerNode } from '../../core/node/peer-node.js';
import { lacks, requires } from '../helpers/requirements.js';
import { Fixture, answersPeers, storeWith } from '../control/helpers.js';
import { assertBuilt } from '../helpers/swarm.js';
import { bulkyClip, expectOneLineError, literal, mountTmpfs, runCli, unmount } from './cli-helpers.js';

const noFfmpeg = lacks(requires.ffmpeg);
const noMounts = lacks(requires.tmpfsMounts);
const noUnixSockets = lacks(requires.unixSockets);

const fixture = new Fixture();
let node: PeerNode;
let store: string;
let small: string;

beforeAll(async () => {
  assertBuilt();
  store = fixture.dir('store');
  await storeWith(store, 'noise', (await bulkyClip()).path);
  node = await fixture.node('source', store);
  small = path.join(fixture.dir('disk'), 'small');
  mkdirSync(small);
}, 60_000);
afterAll(async () => {
  await unmount(small);
  await fixture.cleanup();
});

describe.skipIf(noFfmpeg || noMounts || noUnixSockets)('export through a running node', () => {
  it('to a full disk fails DISK_FULL naming -o, leaves nothing there, and the node serves on', async () => {
    // Smaller than the video (about 3.3 MB): the disk fills in the middle of the stream.
    await mountTmpfs(small, 'size=2m');
    const output = path.join(small, 'noise.mp4');
    const result = await runCli(['export', 'noise', '--store', store, '-o', output]);
    expectOneLineError(result, literal(`-o ${output}: the disk is full`), /nothing was written/);
    expect(node.control!.counters().commands).toMatchObject({ export: 1 });
    expect(readdirSync(small)).toEqual([]);
    expect(await answersPeers(node)).toBe(true);
  });
});
