/**
 * The remote commands (play, stats, topology, ls --from) against a real three-level swarm of
 * `peerstreamer node` processes, and against addresses where no node is: each failure is one line
 * that names the input and the way on.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoInfo } from '../../core/protocol/messages.js';
import { Swarm, freePort, type NodeProcess } from '../helpers/swarm.js';
import { expectOneLineError, literal, mustRun, runCli } from './cli-helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

let swarm: Swarm;
let work: string;
let source: NodeProcess;
let ben: NodeProcess;

beforeAll(async () => {
  work = tempDir('cli-remote');
  swarm = new Swarm();
  const store = swarm.dir('store-source');
  await mustRun([
    'add',
    (await smallClip()).path,
    '--store',
    store,
    '--name',
    'clip',
    '--chunk-duration',
    '1s',
  ]);
  source = await swarm.start({ name: 'source', store });
  const mit = await swarm.start({ name: 'mit', master: source });
  ben = await swarm.start({ name: 'ben', master: mit });
}, 120_000);

afterAll(async () => {
  await swarm?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(noFfmpeg)('a video no node has', () => {
  it('is one sentence naming the nodes asked, from ben up to the source, and where to list videos', async () => {
    const output = path.join(work, 'nope.mp4');
    const result = await runCli(['play', '--from', ben.address, 'nope', '-o', output]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `peerstreamer: error: No video "nope" in this swarm (asked ben -> mit -> source). See the list with: peerstreamer ls --from ${ben.address}\n`,
    );
    expect(existsSync(output), 'no partial output file').toBe(false);
  });

  it('asked of the source itself, names only the source', async () => {
    const result = await runCli(['play', '--from', source.address, 'nope', '-o', path.join(work, 'x.mp4')]);
    expectOneLineError(
      result,
      literal(
        `No video "nope" in this swarm (asked source). See the list with: peerstreamer ls --from ${source.address}`,
      ),
    );
    expect(result.stderr).not.toMatch(/refused|no master to ask/);
  });

  it('the list it points at is there: ls --from lists what the swarm offers through ben', async () => {
    const table = await mustRun(['ls', '--from', ben.address]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+PUBLISHER\s+KIND\s+DURATION\s+RESOLUTION\s+CHUNKS$/);
    expect(table.stdout).toMatch(/^clip\s+[a-z2-7]{8}\s+fmp4\s+0:06\s+320x180\s+6$/m);
    const json = JSON.parse((await mustRun(['ls', '--from', ben.address, '--json'])).stdout) as VideoInfo[];
    expect(json.map((video) => [video.name, video.kind, video.chunks])).toEqual([['clip', 'fmp4', 6]]);
  });
});

describe.skipIf(noFfmpeg)('play --start', () => {
  it('past the end is an error naming the video, its length and the range to use', async () => {
    const output = path.join(work, 'late.mp4');
    const result = await runCli(['play', '--from', ben.address, 'clip', '--start', '500', '-o', output]);
    expectOneLineError(
      result,
      literal('--start 500 is past the end of "clip" (0:06 long); use a value from 0 to 5'),
    );
    expect(result.code).toBe(2);
    expect(existsSync(output)).toBe(false);
  });

  it('just past the length is past the end too', async () => {
    const result = await runCli([
      'play',
      '--from',
      ben.address,
      'clip',
      '--start',
      '6.5s',
      '-o',
      path.join(work, 'x'),
    ]);
    expectOneLineError(result, /--start 6\.5 is past the end of "clip"/);
  });

  it.each(['0', '5.5'])('%s, within the video, plays from the chunk that holds it', async (start) => {
    const output = path.join(work, `from-${start}.mp4`);
    const result = await mustRun(['play', '--from', ben.address, 'clip', '--start', start, '-o', output]);
    expect(result.stderr).toMatch(new RegExp(`played clip: ${start === '0' ? 6 : 1} chunks`));
    // And where the node got them, as it said in each reply.
    expect(result.stderr).toMatch(/chunks from (local|peer|master|source) \d+/);
  });

  it.each<[string, RegExp]>([
    ['abc', /--start "abc" is not a duration/],
    ['-3', /--start "-3" is not a duration/],
  ])('refuses %s before asking any node', async (start, message) => {
    const result = await runCli([
      'play',
      '--from',
      'tcp://127.0.0.1:1',
      'clip',
      '--start',
      start,
      '-o',
      '/dev/null',
    ]);
    expectOneLineError(result, message);
    expect(result.code).toBe(2);
  });
});

describe.skipIf(noFfmpeg)('an address where nothing answers', () => {
  let silent: Server;
  let silentPort: number;
  const held: Socket[] = [];

  beforeAll(async () => {
    // Accepts TCP and never speaks: what a --from pointed at some other program's port looks like.
    silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  const commands: Array<[string, (address: string) => string[]]> = [
    ['play', (address) => ['play', '--from', address, 'clip', '-o', '/dev/null']],
    ['stats', (address) => ['stats', '--from', address]],
    ['topology', (address) => ['topology', '--from', address]],
    ['ls --from', (address) => ['ls', '--from', address]],
  ];

  it.each(commands)('%s: no listener at all fails soon, naming the address', async (_name, args) => {
    const address = `tcp://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const result = await runCli(args(address));
    // A behaviour bound, not a benchmark: the wait is 3 s, far below the 15 s play used to take.
    expect(Date.now() - started).toBeLessThan(10_000);
    expectOneLineError(
      result,
      literal(`nothing answered at ${address} within 3 s: is a node running there? check --from`),
    );
    expect(result.code).toBe(1);
  });

  it.each(commands)('%s: a port that is not a node fails the same way', async (_name, args) => {
    const address = `tcp://127.0.0.1:${silentPort}`;
    const result = await runCli(args(address));
    expectOneLineError(result, literal(`nothing answered at ${address} within 3 s`));
  });
});

describe.skipIf(noFfmpeg)('ls --from, bad input', () => {
  it.each<[string, string[], RegExp]>([
    [
      'an http address',
      ['ls', '--from', 'http://127.0.0.1:1'],
      /--from "http:\/\/127\.0\.0\.1:1" is not a node address/,
    ],
    ['no address', ['ls', '--from'], /ls: option '--from <addr>' argument missing/],
    [
      '--store as well',
      ['ls', '--from', 'tcp://127.0.0.1:1', '--store', 'x'],
      /give --store <dir> .* or --from .*, not both/,
    ],
    ['a stray argument', ['ls', '--from', 'tcp://127.0.0.1:1', 'extra'], /ls takes only flags, got "extra"/],
  ])('refuses %s with one line and exit 2', async (_what, args, message) => {
    const result = await runCli(args);
    expectOneLineError(result, message);
    expect(result.code).toBe(2);
  });
});
