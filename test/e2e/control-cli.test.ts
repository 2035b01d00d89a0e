/**
 * `peerstreamer ls`, `verify`, `export` and `add` against a store whose node is running: they go
 * through the node's control channel and say what they say on a closed store. A node killed with
 * SIGKILL leaves a dead socket (and its token), which neither the CLI nor the next node is fooled by.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Swarm, assertBuilt, runCli } from '../helpers/swarm.js';
import { sourceStore } from '../helpers/source-store.js';
import { slowClip, smallClip } from '../helpers/media-fixtures.js';
import type { VideoSummary } from '../../core/store/types.js';
import type { StoreCheck } from '../../core/library/check-store.js';
import { TOKEN_FILE } from '../../core/control/token.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

let swarm = new Swarm();
beforeAll(() => assertBuilt());
afterEach(async () => {
  await swarm.stop();
  swarm = new Swarm();
});

const noFfmpeg = lacks(requires.ffmpeg);
const noSignals = lacks(requires.posixSignals);
const noUnixSockets = lacks(requires.unixSockets);
const noOtherUsers = lacks(requires.otherUsers);

function digest(bytes: Buffer): string {
  return `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`;
}

describe.skipIf(noFfmpeg)('through a running node', () => {
  it('ls, verify and export answer as on the closed store, while the node holds it', async () => {
    const source = await sourceStore(swarm);
    const closed = await runCli(['ls', '--store', source.store, '--json']);
    expect(closed.code, closed.stderr).toBe(0);
    const src = await swarm.start({ name: 'source', store: source.store });

    const ls = await runCli(['ls', '--store', source.store, '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual(JSON.parse(closed.stdout));
    const table = await runCli(['ls', '--store', source.store]);
    expect(table.stdout).toMatch(/^movie\s+[a-z2-7]{8}\s+fmp4 320x180\s+0:20\s+.*\s20\/20\s+.*\syes\s*$/m);

    const verify = await runCli(['verify', '--store', source.store, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout) as StoreCheck;
    expect(report).toMatchObject({
      problems: [],
      notHeld: [],
      checkedChunks: source.manifest.chunks.length + 1,
    });

    const outDir = swarm.dir('out');
    const whole = path.join(outDir, 'movie.mp4');
    const exported = await runCli(['export', 'movie', '--store', source.store, '-o', whole]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/exported movie \(20 chunks, /);
    expect(digest(readFileSync(whole))).toBe(digest(source.exported));
    // From chunk 5 to stdout: the init segment, then chunks 5.. of the whole export.
    const tail = await runCli(['export', 'movie', '--store', source.store, '--from-chunk', '5']);
    expect(tail.code, tail.stderr).toBe(0);
    const skipped = source.manifest.chunks.slice(0, 5).reduce((sum, chunk) => sum + chunk.size, 0);
    const init = source.exported.subarray(0, source.manifest.init.size);
    const expected = Buffer.concat([init, source.exported.subarray(init.length + skipped)]);
    expect(digest(Buffer.from(tail.stdout, 'latin1'))).toBe(digest(expected));

    // A wrong name is named, and leaves no file (not even a partial one) behind.
    const missing = await runCli([
      'export',
      'nope',
      '--store',
      source.store,
      '-o',
      path.join(outDir, 'nope.mp4'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/video "nope" is not in the store .*Run `peerstreamer ls/);
    expect(readdirSync(outDir)).toEqual(['movie.mp4']);

    // A reader that quits early ends the export quietly; the node serves on.
    const head = spawn('sh', [
      '-c',
      `"${process.execPath}" "${CLI}" export movie --store "${source.store}" | head -c 1000 | wc -c`,
    ]);
    let counted = '';
    head.stdout.on('data', (data: Buffer) => (counted += data.toString()));
    const [code] = (await once(head, 'exit')) as [number];
    expect(code).toBe(0);
    expect(counted.trim()).toBe('1000');

    // add through the node: the same refusal as on a closed store, the same --json on success.
    const clip = (await smallClip(20)).path;
    const again = await runCli(['add', clip, '--store', source.store, '--name', 'movie']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /already has a video named "movie"\. Pass --replace to overwrite it, or --name <other>/,
    );
    const second = await runCli([
      'add',
      clip,
      '--store',
      source.store,
      '--name',
      'second',
      '--chunk-duration',
      '1s',
      '--json',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      name: 'second',
      chunks: source.manifest.chunks.map((c) => ({ sha256: c.sha256 })),
    });
    expect(src.alive, src.logs.join('\n')).toBe(true);
  }, 120_000);

  it('verify through the node drops a damaged chunk as on a closed store; add --replace through it restores the video', async () => {
    const source = await sourceStore(swarm);
    const src = await swarm.start({ name: 'source', store: source.store });
    const alice = await swarm.start({ name: 'alice', master: src });
    const damaged = source.manifest.chunks[3]!.sha256;
    const blob = path.join(source.store, 'blobs', damaged.slice(0, 2), damaged);
    const bytes = readFileSync(blob);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0xff;
    writeFileSync(blob, bytes);

    const verify = await runCli(['verify', '--store', source.store]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/1 bad, dropped from the store/);
    expect(verify.stdout).toMatch(/movie chunk 3: its file's sha256 does not match the manifest/);
    const held = JSON.parse(
      (await runCli(['ls', '--store', source.store, '--json'])).stdout,
    ) as VideoSummary[];
    expect(held[0]!.chunksHeld).toBe(source.manifest.chunks.length - 1);

    const replaced = await runCli([
      'add',
      (await smallClip(20)).path,
      '--store',
      source.store,
      '--name',
      'movie',
      '--chunk-duration',
      '1s',
      '--replace',
    ]);
    expect(replaced.code, replaced.stderr).toBe(0);
    const after = await runCli(['verify', '--store', source.store]);
    expect(after.code, after.stdout).toBe(0);
    const out = path.join(swarm.dir('out'), 'movie.mp4');
    const played = await runCli(['play', '--from', alice.address, 'movie', '-o', out]);
    expect(played.code, played.stderr).toBe(0);
    expect(digest(readFileSync(out))).toBe(digest(source.exported));
  }, 120_000);

  it('a node stopped during an add: the CLI says so and the store keeps nothing of the video', async ({
    skip,
  }) => {
    skip(noSignals);
    const source = await sourceStore(swarm);
    const src = await swarm.start({ name: 'source', store: source.store });
    const adding = spawn(
      process.execPath,
      [CLI, 'add', (await slowClip()).path, '--store', source.store, '--name', 'half'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    adding.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = once(adding, 'exit') as Promise<[number]>;
    await waitFor(() => stderr.includes('adding '), 'the add to be under way', 30_000);
    await src.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/NODE_STOPPING.*the node is stopping; run the command again once it is back/);
    expect(await src.waitForExit()).toBe(0);
    const ls = JSON.parse((await runCli(['ls', '--store', source.store, '--json'])).stdout) as VideoSummary[];
    expect(ls.map((video) => video.name)).toEqual(['movie']);
    expect((await runCli(['verify', '--store', source.store])).code).toBe(0);
  }, 120_000);
});

describe.skipIf(noUnixSockets || noFfmpeg)('stale and missing sockets', () => {
  it('after SIGKILL the CLI opens the store itself and removes the dead socket; the next node replaces one too', async () => {
    const source = await sourceStore(swarm);
    const socketPath = path.join(source.store, 'control.sock');
    const first = await swarm.start({ name: 'source', store: source.store });
    await first.kill('SIGKILL');
    expect(existsSync(socketPath)).toBe(true);
    const ls = await runCli(['ls', '--store', source.store]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^movie\s/m);
    expect(existsSync(socketPath)).toBe(false);
    expect(existsSync(path.join(source.store, TOKEN_FILE))).toBe(false);

    const second = await swarm.restart(first);
    await second.kill('SIGKILL');
    expect(existsSync(socketPath)).toBe(true);
    const third = await swarm.restart(second);
    await third.waitForLog('removed a control socket left by a node that did not stop cleanly');
    // The store is locked by the running node, so this can only have gone through its socket.
    const through = await runCli(['verify', '--store', source.store]);
    expect(through.code, through.stderr).toBe(0);
    expect(third.alive).toBe(true);
  }, 120_000);

  it('a running node without a control socket: the CLI says the store is in use, and why', async () => {
    const source = await sourceStore(swarm);
    chmodSync(source.store, 0o777);
    const src = await swarm.start({ name: 'source', store: source.store });
    await src.waitForLog(/no control channel: .*writable by every user/);
    const ls = await runCli(['ls', '--store', source.store]);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toMatch(/in use by process \d+.*does not answer on a control channel/);
  }, 60_000);

  it.skipIf(noOtherUsers)(
    'another user’s CLI is told the node is not theirs to control',
    async () => {
      const source = await sourceStore(swarm);
      chmodSync(source.store, 0o755);
      await swarm.start({ name: 'source', store: source.store });
      const result = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          CLI,
          'ls',
          '--store',
          source.store,
        ],
        { encoding: 'utf8' },
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /served by a node this user may not control: .*belongs to uid 0, not to this user \(uid 65534\)/,
      );
    },
    60_000,
  );
});
