/**
 * The control channel on a named pipe (the Windows transport, injected here; on Windows real pipes):
 * a real node and the real client, the token every request must carry, the bad and stale tokens it
 * must refuse, and what a pipe in the way or a killed node's leftovers do to the node and the CLI.
 */
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectToNode } from '../../core/control/client.js';
import { PIPE_POINTER_FILE, pipeNameFor } from '../../core/control/pipe-path.js';
import { canonicalStoreDir } from '../../core/control/socket-path.js';
import { TOKEN_FILE, createToken } from '../../core/control/token.js';
import { withStoreOrNode } from '../../core/cli/open-store.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { buildNodeEntry } from '../electron/fixtures/build-entry.js';
import { Fixture, answersPeers, exchange, recordingLogger, request } from './helpers.js';

const fixture = new Fixture();
afterEach(() => fixture.cleanup());

const tokenOf = (store: string): string => readFileSync(path.join(store, TOKEN_FILE), 'utf8').trim();
const parsed = (lines: string[]): Array<Record<string, unknown>> =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>);

/** Work that must go through the running node: opening the store would be a bug. */
const throughNodeOnly = {
  node: (client: { ls: () => Promise<unknown[]> }) => client.ls(),
  store: (): Promise<unknown[]> => Promise.reject(new Error('opened the store although its node runs')),
};

/** Something else listening on `name` before the node, or after it died: it counts who connects. */
async function squat(name: string): Promise<{ connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.on('error', () => undefined);
  });
  server.listen(name);
  await once(server, 'listening');
  return {
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('a node on a named pipe', () => {
  it('listens on the pipe named after its store, leaves a fresh token and a pointer, and serves the CLI', async () => {
    const store = fixture.dir('store');
    const transport = fixture.windowsTransport();
    const node = await fixture.node('piped', store, undefined, { control: transport });
    const pipe = pipeNameFor(await canonicalStoreDir(store), transport.pipeNamespace);
    expect(node.control!.transport).toBe('pipe');
    expect(node.control!.socketPath).toBe(pipe);
    expect(readFileSync(path.join(store, TOKEN_FILE), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(readFileSync(path.join(store, PIPE_POINTER_FILE), 'utf8')).toBe(`${pipe}\n`);
    expect(existsSync(path.join(store, 'control.sock'))).toBe(false);

    const client = (await connectToNode(store, transport))!;
    expect(client.socketPath).toBe(pipe);
    expect(await client.ls()).toEqual([]);
    expect((await (await connectToNode(store, transport))!.verify()).problems).toEqual([]);
    expect(await withStoreOrNode(store, throughNodeOnly, { control: transport })).toEqual([]);
    expect(node.control!.counters()).toMatchObject({ commands: { ls: 2, verify: 1 }, errors: {} });

    await node.stop();
    expect(existsSync(path.join(store, TOKEN_FILE))).toBe(false);
    expect(existsSync(path.join(store, PIPE_POINTER_FILE))).toBe(false);
    expect(await connectToNode(store, transport)).toBeNull();
  });

  it('a client finds the pipe by the store’s name when the pointer is gone or names something else', async () => {
    const store = fixture.dir('store');
    const transport = fixture.windowsTransport();
    await fixture.node('piped', store, undefined, { control: transport });
    rmSync(path.join(store, PIPE_POINTER_FILE));
    expect(await (await connectToNode(store, transport))!.ls()).toEqual([]);
    writeFileSync(path.join(store, PIPE_POINTER_FILE), '\\\\.\\pipe\\openssh-ssh-agent\n');
    expect(await (await connectToNode(store, transport))!.ls()).toEqual([]);
  });
});

describe('requests on the pipe', () => {
  const cases: Array<[string, (token: string) => string, string, RegExp]> = [
    ['no token', () => request({ v: 1, type: 'ls' }), 'UNAUTHORIZED', /needs the token/],
    ['a null token', () => request({ v: 1, type: 'ls', token: null }), 'UNAUTHORIZED', /needs the token/],
    [
      'a wrong token',
      () => request({ v: 1, type: 'ls', token: createToken() }),
      'UNAUTHORIZED',
      /not this node’s/,
    ],
    [
      'the token in upper case',
      (token) => request({ v: 1, type: 'ls', token: token.toUpperCase() }),
      'UNAUTHORIZED',
      /not this node’s/,
    ],
    [
      'the token with a byte more',
      (token) => request({ v: 1, type: 'ls', token: `${token}0` }),
      'UNAUTHORIZED',
      /not this node’s/,
    ],
    [
      'an oversize token',
      () => request({ v: 1, type: 'ls', token: 'f'.repeat(60_000) }),
      'UNAUTHORIZED',
      /not this node’s/,
    ],
    ['a token that is a number', () => request({ v: 1, type: 'ls', token: 7 }), 'UNAUTHORIZED', /not this/],
    [
      'an unknown command without the token (who asks is checked first)',
      () => request({ v: 1, type: 'rm', name: 'movie' }),
      'UNAUTHORIZED',
      /needs the token/,
    ],
    [
      'a bad argument without the token',
      () => request({ v: 1, type: 'export', name: 'x', fromChunk: 'all' }),
      'UNAUTHORIZED',
      /needs the token/,
    ],
    [
      'a token past the request bound',
      () => `{"v":1,"type":"ls","token":"${'f'.repeat(70 * 1024)}`,
      'REQUEST_TOO_LARGE',
      /longer than 65536 bytes/,
    ],
    ['garbage', () => 'GET / HTTP/1.1\r\n\r\n', 'BAD_REQUEST', /not JSON/],
    ['an unknown version', (token) => request({ v: 9, type: 'ls', token }), 'UNSUPPORTED_VERSION', /9/],
  ];

  let store: string;
  let node: PeerNode;
  let transport: ReturnType<Fixture['windowsTransport']>;
  const shared = new Fixture();
  beforeAll(async () => {
    store = shared.dir('store');
    transport = shared.windowsTransport();
    node = await shared.node('guarded', store, undefined, { control: transport });
  });
  afterAll(() => shared.cleanup());

  it.each(cases)('%s: %s, counted, connection closed', async (_what, payload, code, message) => {
    const before = node.control!.counters().errors[code] ?? 0;
    const lines = parsed(await exchange(node.control!.socketPath, payload(tokenOf(store))));
    expect(lines).toEqual([{ v: 1, type: 'error', code, message: expect.stringMatching(message) }]);
    expect(node.control!.counters().errors[code]).toBe(before + 1);
    // Nothing ran, and the node serves its peers and its CLI as before.
    expect(node.control!.counters().commands).toEqual({});
    expect(await answersPeers(node)).toBe(true);
  });

  it('the same raw request with the token is answered; the CLI’s requests carry it', async () => {
    const lines = parsed(
      await exchange(node.control!.socketPath, request({ v: 1, type: 'ls', token: tokenOf(store) })),
    );
    expect(lines).toEqual([{ v: 1, type: 'ls-ok', count: 0 }]);
    expect(await (await connectToNode(store, transport))!.ls()).toEqual([]);
  });
});

describe('a token from an old run', () => {
  it('is refused once the node has restarted, and the refusal is logged as a warning', async () => {
    const store = fixture.dir('store');
    const transport = fixture.windowsTransport();
    const first = await fixture.node('first', store, undefined, { control: transport });
    const old = tokenOf(store);
    await first.stop();
    const { logger, said } = recordingLogger();
    const second = await fixture.node('second', store, undefined, { control: transport, logger });
    expect(tokenOf(store)).not.toBe(old);
    const lines = parsed(
      await exchange(second.control!.socketPath, request({ v: 1, type: 'ls', token: old })),
    );
    expect(lines).toMatchObject([{ type: 'error', code: 'UNAUTHORIZED' }]);
    expect(second.control!.counters().errors).toEqual({ UNAUTHORIZED: 1 });
    expect(said(/control request refused/)).toMatchObject([{ level: 40 }]);
    expect(await (await connectToNode(store, transport))!.ls()).toEqual([]);
  });
});

describe('a pipe already taken', () => {
  it('the node serves without a control channel, leaves no token, and the CLI says the store is in use', async () => {
    const store = fixture.dir('store');
    const transport = fixture.windowsTransport();
    const squatter = await squat(pipeNameFor(await canonicalStoreDir(store), transport.pipeNamespace));
    try {
      const { logger, said } = recordingLogger();
      const node = await fixture.node('crowded', store, undefined, { control: transport, logger });
      expect(node.control).toBeNull();
      expect(said(/no control channel: another process already serves the control pipe/)).toHaveLength(1);
      expect(existsSync(path.join(store, TOKEN_FILE))).toBe(false);
      expect(existsSync(path.join(store, PIPE_POINTER_FILE))).toBe(false);
      expect(await answersPeers(node)).toBe(true);
      const refused = await withStoreOrNode(store, throughNodeOnly, { control: transport }).catch(
        (error: unknown) => error,
      );
      expect(isPeerStreamerError(refused, 'STORE_LOCKED')).toBe(true);
      expect((refused as Error).message).toMatch(/does not answer on a control channel/);
      // Without a token in the store the CLI never even connects to whoever holds the name.
      expect(squatter.connections()).toBe(0);
    } finally {
      await squatter.close();
    }
  });
});

describe('a node that was killed', () => {
  let entry: string;
  beforeAll(async () => {
    entry = (await buildNodeEntry('test/control/fixtures/pipe-node-entry.ts')).file;
  }, 120_000);
  afterAll(() => rmSync(path.dirname(entry), { recursive: true, force: true }));

  /** Runs a pipe-mode node on `store` in a child process and kills it with SIGKILL once it serves. */
  async function killNode(
    store: string,
    transport: ReturnType<Fixture['windowsTransport']>,
  ): Promise<string> {
    const args = [entry, store, ...(transport.pipeNamespace !== undefined ? [transport.pipeNamespace] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const { pipe } = JSON.parse(line) as { pipe: string };
    expect(pipe).toBe(pipeNameFor(await canonicalStoreDir(store), transport.pipeNamespace));
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Windows removes a pipe with its process; the Unix socket standing in for it here stays as a
    // file, so it is removed as the kernel would remove the pipe.
    if (process.platform !== 'win32') rmSync(pipe, { force: true });
    expect(existsSync(path.join(store, TOKEN_FILE))).toBe(true);
    expect(existsSync(path.join(store, PIPE_POINTER_FILE))).toBe(true);
    return pipe;
  }

  it('the CLI finds no node, opens the store itself and removes the leftovers under its lock', async () => {
    const store = fixture.dir('store');
    const transport = fixture.windowsTransport();
    await killNode(store, transport);
    expect(await connectToNode(store, transport)).toBeNull();
    const videos = await withStoreOrNode(
      store,
      {
        node: () => Promise.reject(new Error('reached a node')),
        store: async (opened) => opened.listVideos(),
      },
      { control: transport },
    );
    expect(videos).toEqual([]);
    expect(existsSync(path.join(store, TOKEN_FILE))).toBe(false);
    expect(existsSync(path.join(store, PIPE_POINTER_FILE))).toBe(false);
  });

  it('whoever takes the dead node’s pipe name is never sent its token or a request', async () => {
    const store = fixture.dir('store');
    const transport = fixture.windowsTransport();
    const squatter = await squat(await killNode(store, transport));
    try {
      expect(await connectToNode(store, transport)).toBeNull();
      await withStoreOrNode(
        store,
        { node: () => Promise.reject(new Error('reached the squatter')), store: async () => [] },
        { control: transport },
      );
      expect(squatter.connections()).toBe(0);
    } finally {
      await squatter.close();
    }
  });

  it('the next node replaces the leftovers, says so, and refuses the dead node’s token', async () => {
    const store = fixture.dir('store');
    const transport = fixture.windowsTransport();
    await killNode(store, transport);
    const old = tokenOf(store);
    const { logger, said } = recordingLogger();
    const node = await fixture.node('restarted', store, undefined, { control: transport, logger });
    expect(said(/replacing the control token of a node that did not stop cleanly/)).toHaveLength(1);
    expect(tokenOf(store)).not.toBe(old);
    const lines = parsed(await exchange(node.control!.socketPath, request({ v: 1, type: 'ls', token: old })));
    expect(lines).toMatchObject([{ type: 'error', code: 'UNAUTHORIZED' }]);
    expect(await (await connectToNode(store, transport))!.ls()).toEqual([]);
  });
});
