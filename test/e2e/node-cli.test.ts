/** `peerstreamer node`: its flags, its start-up errors, and its clean shutdown. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Swarm, assertBuilt, freePort, runCli, topologyOf, waitFor } from '../helpers/swarm.js';
import { lacks, requires } from '../helpers/requirements.js';

const noSignals = lacks(requires.posixSignals);

let swarm: Swarm;
beforeAll(() => assertBuilt());
afterEach(() => swarm?.stop());

describe('peerstreamer node flags', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no --name', ['--port', '7000', '--store', '/tmp/x'], /--name is required/],
    [
      'a name with a slash',
      ['--name', 'a/b', '--port', '7000', '--store', '/tmp/x'],
      /--name "a\/b" is not valid/,
    ],
    [
      'port 0',
      ['--name', 'n', '--port', '0', '--store', '/tmp/x'],
      /--port "0" is not valid: give a port number from 1 to 65535/,
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
      'an unknown flag',
      ['--name', 'n', '--port', '7000', '--store', '/a', '--colour', 'red'],
      /Unknown option '--colour'/,
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
    const port = await freePort();
    const store = swarm.dir('mit');
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../helpers/swarm.js');
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--name',
        'mit',
        '--port',
        String(port),
        '--ip',
        '0.0.0.0',
        '--chunkdirectory',
        store,
        '--master',
        `tcp://0.0.0.0:${source.port}`,
      ],
      { stdio: 'ignore' },
    );
    try {
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
});

describe('peerstreamer node start-up and shutdown', () => {
  it('keeps retrying an unreachable master, says so, and registers once it appears', async () => {
    swarm = new Swarm();
    const masterPort = await freePort();
    const child = await swarm.start({
      name: 'child',
      master: `tcp://127.0.0.1:${masterPort}`,
      readyLog: 'still retrying',
    });
    expect(child.alive).toBe(true);
    await swarm.start({ name: 'source', port: masterPort });
    await child.waitForLog('registered with the master');
  });

  it('shuts down cleanly on SIGTERM: goodbye to the master, exit code 0', async ({ skip }) => {
    skip(noSignals);
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const child = await swarm.start({ name: 'child', master: source });
    expect(await child.kill('SIGTERM')).toBe(0);
    await source.waitForLog('child said goodbye');
    expect(child.logs.join('\n')).toContain('node stopped');
  });

  it('names the port when it is already in use', async () => {
    swarm = new Swarm();
    const source = await swarm.start({ name: 'source' });
    const clash = await swarm.start({ name: 'other', port: source.port, readyLog: null });
    expect(await clash.waitForExit()).toBe(1);
    expect(clash.logs.join('\n')).toMatch(new RegExp(`${source.port}`));
  });
});
