/**
 * The control socket's file: where it lives, who may open it, and what a node and a client make of
 * one left behind by a node that was killed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectToNode } from '../../core/control/client.js';
import { TOKEN_FILE, createToken } from '../../core/control/token.js';
import { MAX_SOCKET_PATH_BYTES, planSocket } from '../../core/control/socket-path.js';
import { lacks, requires } from '../helpers/requirements.js';
import { Fixture, answersPeers, exchange, request, storeWith } from './helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';

const fixture = new Fixture();
afterEach(() => fixture.cleanup());

const noUnixSockets = lacks(requires.unixSockets);
const noFfmpeg = lacks(requires.ffmpeg);
const noOtherUsers = lacks(requires.otherUsers);

/** A socket file nobody listens on, as a SIGKILLed node leaves it: made by a process that is then killed. */
async function leaveDeadSocket(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  await once(child, 'exit');
  expect(lstatSync(socketPath).isSocket()).toBe(true);
}

describe.skipIf(noUnixSockets)('where the socket lives', () => {
  it('in the store when the path fits sun_path, else in a private per-user directory named by a hash', () => {
    const short = '/srv/store';
    expect(planSocket(short, {})).toMatchObject({ socket: '/srv/store/control.sock', privateDir: null });
    const exact = `/${'s'.repeat(MAX_SOCKET_PATH_BYTES - '/control.sock'.length - 1)}`;
    expect(Buffer.byteLength(path.join(exact, 'control.sock'))).toBe(MAX_SOCKET_PATH_BYTES);
    expect(planSocket(exact, {}).privateDir).toBeNull();
    const long = `${exact}x`;
    const runtime = fixture.dir('runtime');
    const plan = planSocket(long, { XDG_RUNTIME_DIR: runtime });
    expect(plan.privateDir).toBe(path.join(runtime, `peerstreamer-${process.getuid?.()}`));
    expect(path.dirname(plan.socket)).toBe(plan.privateDir);
    expect(plan.pointer).toBe(path.join(long, 'control.sock.path'));
    // Another long store gets another socket; a relative XDG_RUNTIME_DIR is not trusted.
    expect(planSocket(`${long}y`, { XDG_RUNTIME_DIR: runtime }).socket).not.toBe(plan.socket);
    expect(planSocket(long, { XDG_RUNTIME_DIR: 'run/user' }).privateDir?.startsWith('run/')).toBe(false);
  });

  it.skipIf(noFfmpeg)(
    'a node on a store too deep for sun_path listens in the private directory and leaves a pointer',
    async () => {
      const runtime = fixture.dir('runtime');
      const previous = process.env.XDG_RUNTIME_DIR;
      process.env.XDG_RUNTIME_DIR = runtime;
      try {
        let store = fixture.dir('deep');
        while (Buffer.byteLength(path.join(store, 'control.sock')) <= MAX_SOCKET_PATH_BYTES)
          store = path.join(store, 'a-rather-long-directory-name');
        mkdirSync(store, { recursive: true });
        await storeWith(store, 'movie', (await smallClip()).path);
        const node = await fixture.node('deep', store);
        const socketPath = node.control!.socketPath;
        expect(socketPath.startsWith(path.join(runtime, 'peerstreamer-'))).toBe(true);
        expect(readFileSync(path.join(store, 'control.sock.path'), 'utf8')).toBe(`${socketPath}\n`);
        expect(lstatSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
        expect(lstatSync(socketPath).mode & 0o777).toBe(0o600);
        const videos = await (await connectToNode(store))!.ls();
        expect(videos.map((video) => video.name)).toEqual(['movie']);
        await node.stop();
        expect(existsSync(socketPath)).toBe(false);
        expect(existsSync(path.join(store, 'control.sock.path'))).toBe(false);
      } finally {
        if (previous === undefined) delete process.env.XDG_RUNTIME_DIR;
        else process.env.XDG_RUNTIME_DIR = previous;
      }
    },
  );

  it.skipIf(noFfmpeg)(
    'a client that reaches the store through a symlink, long or short, finds the node',
    async () => {
      const store = fixture.dir('store');
      await storeWith(store, 'movie', (await smallClip()).path);
      await fixture.node('linked', store);
      let longLink = fixture.dir('links');
      while (Buffer.byteLength(path.join(longLink, 'control.sock')) <= MAX_SOCKET_PATH_BYTES)
        longLink = path.join(longLink, 'an-even-longer-directory-name');
      mkdirSync(path.dirname(longLink), { recursive: true });
      symlinkSync(store, longLink);
      const videos = await (await connectToNode(longLink))!.ls();
      expect(videos.map((video) => video.name)).toEqual(['movie']);
    },
  );
});

describe.skipIf(noUnixSockets)('who may open it', () => {
  it('the socket is mode 0600 and this user’s; it is removed when the node stops', async () => {
    const store = fixture.dir('store');
    const node = await fixture.node('owner', store);
    const info = lstatSync(path.join(store, 'control.sock'));
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.uid).toBe(process.getuid?.());
    await node.stop();
    expect(existsSync(path.join(store, 'control.sock'))).toBe(false);
  });

  it.skipIf(noOtherUsers)('another user cannot connect, even where the directory lets them in', async () => {
    const store = fixture.dir('store');
    chmodSync(store, 0o755);
    const node = await fixture.node('private', store);
    const tryConnect = (uid: number): string =>
      spawnSync(
        'setpriv',
        [
          `--reuid=${uid}`,
          `--regid=${uid}`,
          '--clear-groups',
          process.execPath,
          '-e',
          `require('node:net').connect(${JSON.stringify(node.control!.socketPath)})
             .on('connect', () => { console.log('CONNECTED'); process.exit(0); })
             .on('error', (error) => { console.log(error.code); process.exit(0); });`,
        ],
        { encoding: 'utf8' },
      ).stdout.trim();
    expect(tryConnect(65534)).toBe('EACCES');
    // The same command as the node's own user connects: the refusal is the socket's mode.
    expect(tryConnect(0)).toBe('CONNECTED');
    expect(await answersPeers(node)).toBe(true);
  });

  it('a store writable by everyone gets no control socket (anyone could swap it); the node serves on', async () => {
    const store = fixture.dir('store');
    chmodSync(store, 0o777);
    const node = await fixture.node('open', store);
    expect(node.control).toBeNull();
    expect(existsSync(path.join(store, 'control.sock'))).toBe(false);
    expect(await answersPeers(node)).toBe(true);
  });

  it.skipIf(noOtherUsers)('a private directory another user made first is not used', async () => {
    const runtime = fixture.dir('runtime');
    chmodSync(runtime, 0o755);
    const hijacked = path.join(runtime, `peerstreamer-${process.getuid?.()}`);
    mkdirSync(hijacked, { mode: 0o777 });
    chownSync(hijacked, 65534, 65534);
    const previous = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = runtime;
    try {
      let store = fixture.dir('deep');
      while (Buffer.byteLength(path.join(store, 'control.sock')) <= MAX_SOCKET_PATH_BYTES)
        store = path.join(store, 'another-long-directory-name');
      mkdirSync(store, { recursive: true });
      const node = await fixture.node('careful', store);
      expect(node.control).toBeNull();
      expect(existsSync(path.join(store, 'control.sock.path'))).toBe(false);
      expect(await answersPeers(node)).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = previous;
    }
  });
});

describe.skipIf(noUnixSockets)('a socket left behind', () => {
  it.skipIf(noFfmpeg)(
    'a node killed with SIGKILL leaves a dead socket: a client sees no node, the next node replaces it',
    async () => {
      const store = fixture.dir('store');
      await storeWith(store, 'movie', (await smallClip()).path);
      const socketPath = path.join(store, 'control.sock');
      await leaveDeadSocket(socketPath);
      expect(await connectToNode(store)).toBeNull();
      const node = await fixture.node('restarted', store);
      expect(node.control!.socketPath).toBe(socketPath);
      const videos = await (await connectToNode(store))!.ls();
      expect(videos.map((video) => video.name)).toEqual(['movie']);
    },
  );

  it('a file in the socket’s place that is not a socket is left alone; the node serves without control', async () => {
    const store = fixture.dir('store');
    const squatter = path.join(store, 'control.sock');
    writeFileSync(squatter, 'my notes');
    const node = await fixture.node('squatted', store);
    expect(node.control).toBeNull();
    expect(readFileSync(squatter, 'utf8')).toBe('my notes');
    expect(await answersPeers(node)).toBe(true);
  });
});

describe.skipIf(noUnixSockets)('the token on a Unix socket', () => {
  it('is written 0600 beside the socket, and every request must carry it, as on a named pipe', async () => {
    const store = fixture.dir('store');
    const node = await fixture.node('tokened', store);
    const file = path.join(store, TOKEN_FILE);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8').trim();
    const socketPath = node.control!.socketPath;
    const ask = async (extra: object): Promise<unknown[]> =>
      (await exchange(socketPath, request({ v: 1, type: 'ls', ...extra }))).map((line) => JSON.parse(line));
    // The socket's mode already admits only this user, but one rule on both transports leaves no
    // unchecked path: a request without the token is refused as on a pipe.
    expect(await ask({})).toMatchObject([
      { type: 'error', code: 'UNAUTHORIZED', message: expect.stringMatching(/needs the token/) },
    ]);
    expect(await ask({ token: null })).toMatchObject([{ type: 'error', code: 'UNAUTHORIZED' }]);
    expect(await ask({ token })).toEqual([{ v: 1, type: 'ls-ok', count: 0 }]);
    expect(await ask({ token: createToken() })).toMatchObject([{ type: 'error', code: 'UNAUTHORIZED' }]);
    expect(await ask({ token: 12 })).toMatchObject([{ type: 'error', code: 'UNAUTHORIZED' }]);
    expect(node.control!.counters()).toMatchObject({ commands: { ls: 1 }, errors: { UNAUTHORIZED: 4 } });
    await node.stop();
    expect(existsSync(file)).toBe(false);
  });
});
