/** `peerstreamer node`: its flags, its start-up errors, and its clean shutdown. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  CLI,
  SWARM_TIMEOUT_MS,
  Swarm,
  assertBuilt,
  parseReadyLine,
  runCli,
  statsOf,
  topologyOf,
} from '../helpers/swarm.js';
import { NODE_FLAGS } from '../../core/node/node-config.js';
import { lacks, requires } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

const noSignals = lacks(requires.posixSignals);

let swarm: Swarm;
beforeAll(() => assertBuilt());
afterEach(() => swarm?.stop());

describe('peerstreamer node flags', { timeout: SWARM_TIMEOUT_MS }, () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no --name', ['--port', '7000', '--store', '/tmp/x'], /--name is required/],
    [
      'a name with a slash',
      ['--name', 'a/b', '--port', '7000', '--store', '/tmp/x'],
      /--name "a\/b" is not valid/,
    ],
    [
      'a negative port',
      ['--name', 'n', '--port=-1', '--store', '/tmp/x'],
      /--port "-1" is not valid: give a port number from 0 to 65535/,
    ],
    ['port 70000', ['--name', 'n', '--port', '70000', '--store', '/tmp/x'], /--port "70000"/],
    ['a word for a port', ['--name', 'n', '--port', 'http', '--store', '/tmp/x'], /--port "http"/],
    ['no store', ['--name', 'n', '--port', '7000'], /--store is required/],
    [
      'two store flags',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--chunkdirectory', '/b'],
      /--store and --chunkdirectory both name a store/,
    ],
    [
      'an http master',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--master', 'http://x:1'],
      /--master "http:\/\/x:1" is not valid: it must look like tcp:\/\/host:port/,
    ],
    [
      'a master without a port',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--master', 'tcp://host'],
      /--master "tcp:\/\/host" is not valid/,
    ],
    [
      'a supermaster without a master',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--supermaster', 'tcp://127.0.0.1:1'],
      /--supermaster needs --master/,
    ],
    [
      'a bad cache size',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--cache-size', 'lots'],
      /--cache-size "lots" is not a size/,
    ],
    [
      'a peer timeout that is not a time',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--peer-timeout', 'soon'],
      /--peer-timeout "soon" is not a duration/,
    ],
    [
      'a peer timeout too short to reach any peer',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--peer-timeout', '10ms'],
      /--peer-timeout "10ms" is not valid: give a time from 100ms to 2m/,
    ],
    [
      'a port-mapping switch that is neither on nor off',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--port-mapping', 'yes'],
      /--port-mapping "yes" is not valid: give on or off/,
    ],
    [
      'a port-mapping switch without its word',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--port-mapping'],
      /option '--port-mapping <on\|off>' argument missing/,
    ],
    [
      'an unknown flag',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--colour', 'red'],
      /unknown option '--colour'/,
    ],
    ['a stray argument', ['--name', 'n', '--port', '7000', '--store', '/a', 'extra'], /takes only flags/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what} with a one-line error and exit code 2`, async () => {
      const result = await runCli(['node', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('accepts the original’s invocation: flags first, --chunkdirectory, tcp://0.0.0.0 addresses', async () => {
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const result = await runCli(['--help']);
    expect(result.stdout).toContain('node');
    const store = swarm.dir('mit');
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--name',
        'mit',
        '--port',
        '0',
        '--ip',
        '0.0.0.0',
        '--chunkdirectory',
        store,
        '--master',
        `tcp://0.0.0.0:${source.port}`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const port = (await readyLineOf(child)).port;
      await waitFor(
        async () => (await topologyOf(source)).children.some((node) => node.name === 'mit'),
        'mit registered with the source',
      );
      const mit = await runCli(['stats', '--from', `tcp://0.0.0.0:${port}`, '--json']);
      expect(JSON.parse(mit.stdout)).toMatchObject({ name: 'mit', address: `tcp://127.0.0.1:${port}` });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('lists every flag it accepts in its usage line', async () => {
    const help = await runCli(['node', '--help']);
    expect(help.code).toBe(0);
    const usage = help.stdout.split('\n')[0]!;
    for (const { flag } of NODE_FLAGS) expect(usage).toMatch(new RegExp(`--${flag}(?![\\w-])`));
  });
});

/** The ready line of a node spawned outside the harness (the first JSON line with event "ready"). */
async function readyLineOf(child: ReturnType<typeof spawn>): Promise<{ port: number }> {
  for await (const line of createInterface({ input: child.stdout! })) {
    const event = parseReadyLine(line);
    if (event) return event;
  }
  throw new Error('the node ended without a ready line');
}

describe('the ready line', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('on --port 0 names the port the node bound, which answers stats; printed once, alone on stdout', async ({
    skip,
  }) => {
    skip(noSignals);
    swarm = new Swarm();
    const store = path.join(swarm.dir('ready'), 'source-store');
    const source = await swarm.start({ name: 'source', store, port: 0 });
    const ready = await source.ready;
    expect(ready).toEqual({
      event: 'ready',
      name: 'source',
      role: 'source',
      address: `tcp://127.0.0.1:${ready.port}`,
      port: ready.port,
      key: expect.stringMatching(/^.{40}$/),
      fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/),
      store,
      pid: source.child.pid,
      publisher: expect.stringMatching(/^[a-z2-7]{52}$/),
    });
    const stats = await runCli(['stats', '--from', ready.address, '--json']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      name: 'source',
      address: ready.address,
      // The key the source made on its first start, the one it signs with and vouches for.
      trust: { publisher: ready.publisher, ownKey: ready.publisher, publisherFrom: 'own key' },
    });
    // The whole key, for a node's --publisher, where a person reads stats.
    const readable = await runCli(['stats', '--from', ready.address]);
    expect(readable.stdout).toContain(`publisher:      ${ready.publisher} (own key)`);

    const child = await swarm.start({ name: 'child', master: source, port: 0, until: 'ready' });
    expect((await child.ready).role).toBe('child');
    expect(child.port).not.toBe(source.port);
    // The child registers after its ready line; the harness waits for that on stats, not logs.
    await waitFor(async () => (await statsOf(child)).currentMaster === source.address, 'child registered');
    expect(await source.kill('SIGTERM')).toBe(0);
    expect(source.stdout).toEqual([JSON.stringify(ready)]);
  });

  it('means the node can be stopped cleanly: SIGTERM sent the moment the line arrives exits 0', async ({
    skip,
  }) => {
    skip(noSignals);
    swarm = new Swarm();
    // A supervisor that stops the node as soon as it is up; before the fix about half of these
    // runs died of the signal itself, so five in a row leave a regression little room.
    for (let run = 0; run < 5; run++) {
      const node = await swarm.start({ name: `quick-${run}` });
      expect(await node.kill('SIGTERM'), node.output()).toBe(0);
      expect(node.output()).toContain('node stopped');
    }
  });
});

describe('peerstreamer node start-up and shutdown', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('keeps retrying an unreachable master, says so, and registers once it appears', async () => {
    swarm = new Swarm();
    // The child must be told the master's address before the master exists: hold a port that
    // refuses ZeroMQ (every connection is dropped), then hand it to the master.
    const holder = await holdPort();
    const masterPort = (holder.address() as { port: number }).port;
    const child = await swarm.start({
      name: 'child',
      master: `tcp://127.0.0.1:${masterPort}`,
      until: 'ready',
    });
    await child.waitForLog('still retrying');
    expect(child.alive).toBe(true);
    await new Promise((resolve) => holder.close(resolve));
    const source = await swarm.start({ name: 'source', port: masterPort });
    await waitFor(async () => (await statsOf(child)).currentMaster === source.address, 'child registered');
  });

  it('shuts down cleanly on SIGTERM: goodbye to the master, exit code 0', async ({ skip }) => {
    skip(noSignals);
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const child = await swarm.start({ name: 'child', master: source });
    expect(await child.kill('SIGTERM')).toBe(0);
    // The goodbye is something only the master's log reports.
    await source.waitForLog('child said goodbye');
    expect(child.output()).toContain('node stopped');
  });
});

describe('a port already in use', { timeout: SWARM_TIMEOUT_MS }, () => {
  /** Runs a node on `port` and `store`, which must fail; returns its output lines. */
  async function clash(port: number, store: string): Promise<string[]> {
    const result = await runCli(['node', '--name', 'other', '--port', String(port), '--store', store]);
    expect(result.code).toBe(1);
    return (result.stdout + result.stderr).split('\n').filter((line) => line !== '');
  }

  it('is one error line naming the port and what to do, and leaves no store directory it created', async () => {
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const parent = path.join(swarm.dir('clash'), 'not-yet');
    const store = path.join(parent, 'deeper', 'store');
    const lines = await clash(source.port, store);
    expect(lines).toEqual([
      `peerstreamer: error: --port ${source.port}: port ${source.port} on 0.0.0.0 is already in use (another node or program listens there). Stop it, choose another --port, or give --port 0 for any free port.`,
    ]);
    expect(existsSync(parent)).toBe(false);
    expect(source.alive).toBe(true);
  });

  it('leaves an existing store as it was', async ({ skip }) => {
    skip(noSignals);
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    // A store a node used and closed, with a file of the owner's beside it.
    const store = swarm.dir('existing');
    const earlier = await swarm.start({ name: 'earlier', store });
    expect(await earlier.kill('SIGTERM'), earlier.output()).toBe(0);
    writeFileSync(path.join(store, 'notes.txt'), 'mine');
    const before = listing(store);
    expect(before).toContain('index.sqlite');
    expect(await clash(source.port, store)).toHaveLength(1);
    expect(listing(store)).toEqual(before);
    expect(readFileSync(path.join(store, 'notes.txt'), 'utf8')).toBe('mine');
    // An existing empty directory stays too.
    const empty = path.join(swarm.dir('empty'), 'store');
    mkdirSync(empty);
    expect(await clash(source.port, empty)).toHaveLength(1);
    expect(existsSync(empty)).toBe(true);
  });
});

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** A loopback port that accepts TCP and drops every connection at once: nobody's node, and taken. */
async function holdPort(): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}
