/**
 * Where each platform's control channel lives, with the platform injected: Windows' named pipe (its
 * name, the case-insensitive key it is hashed from, the pointer file), and the Unix socket's bound,
 * which differs between Linux and macOS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planEndpoint } from '../../core/control/endpoint.js';
import {
  PIPE_POINTER_FILE,
  isNodePipeName,
  locatePipe,
  pipeKey,
  pipeNameFor,
} from '../../core/control/pipe-path.js';
import { maxSocketPathBytes, planSocket } from '../../core/control/socket-path.js';
import { WINDOWS_PIPE_NAMESPACE, transportFor } from '../../core/control/transport.js';
import { Fixture } from './helpers.js';

const fixture = new Fixture();
afterAll(() => fixture.cleanup());

describe('the transport each platform gets', () => {
  it('a named pipe on Windows only; a Unix socket on Linux, macOS and the BSDs', () => {
    expect(transportFor('win32')).toBe('pipe');
    for (const platform of ['linux', 'darwin', 'freebsd'] as const)
      expect(transportFor(platform)).toBe('unix');
  });

  it('planEndpoint: win32 names the pipe and its pointer in the store; others plan a socket', () => {
    const windows = planEndpoint('C:\\Users\\Me\\PeerStreamer\\store', { platform: 'win32' });
    expect(windows).toEqual({
      transport: 'pipe',
      path: pipeNameFor('C:\\Users\\Me\\PeerStreamer\\store'),
      pointer: path.join('C:\\Users\\Me\\PeerStreamer\\store', PIPE_POINTER_FILE),
    });
    expect(windows.path).toMatch(/^\\\\\.\\pipe\\peerstreamer-[0-9a-f]{32}$/);
    expect(planEndpoint('/srv/store', { platform: 'linux' })).toMatchObject({
      transport: 'unix',
      path: '/srv/store/control.sock',
      privateDir: null,
    });
  });

  it('the socket path bound: 107 bytes on Linux, 103 on macOS, so one store path plans differently', () => {
    expect(maxSocketPathBytes('linux')).toBe(107);
    expect(maxSocketPathBytes('darwin')).toBe(103);
    // A store whose socket path takes 105 bytes fits Linux's sun_path but not macOS's.
    const store = `/${'s'.repeat(105 - '/control.sock'.length - 1)}`;
    expect(Buffer.byteLength(path.join(store, 'control.sock'))).toBe(105);
    const runtime = fixture.dir('runtime');
    expect(planSocket(store, { XDG_RUNTIME_DIR: runtime }, 'linux').privateDir).toBeNull();
    const mac = planSocket(store, { XDG_RUNTIME_DIR: runtime }, 'darwin');
    expect(mac.privateDir?.startsWith(runtime)).toBe(true);
    expect(Buffer.byteLength(mac.socket)).toBeLessThanOrEqual(103);
  });
});

describe('the pipe name', () => {
  it('is the same for every spelling Windows treats as one directory', () => {
    const name = pipeNameFor('C:\\Users\\Me\\PeerStreamer\\store');
    const spellings = [
      'c:\\users\\me\\peerstreamer\\store',
      'C:\\USERS\\ME\\PEERSTREAMER\\STORE',
      'C:/Users/Me/PeerStreamer/store',
      'C:\\Users\\Me\\PeerStreamer\\store\\',
      'C:\\Users\\Me\\.\\PeerStreamer\\cache\\..\\store',
      '\\\\?\\C:\\Users\\Me\\PeerStreamer\\store',
    ];
    for (const spelling of spellings) expect(pipeNameFor(spelling), spelling).toBe(name);
  });

  it('differs between directories, and keeps UNC shares and drive roots apart', () => {
    const names = [
      'C:\\Users\\Me\\store',
      'C:\\Users\\Me\\store2',
      'D:\\Users\\Me\\store',
      '\\\\server\\share\\store',
      'C:\\',
    ].map((dir) => pipeNameFor(dir));
    expect(new Set(names).size).toBe(names.length);
    expect(pipeKey('\\\\?\\UNC\\server\\share\\store')).toBe(pipeKey('\\\\SERVER\\share\\store'));
    expect(pipeKey('C:\\')).toBe('c:\\');
  });

  it('lives in the namespace it is given', () => {
    const name = pipeNameFor('C:\\store', '/tmp/pipes/');
    expect(name).toMatch(/^\/tmp\/pipes\/peerstreamer-[0-9a-f]{32}$/);
    expect(isNodePipeName(name, '/tmp/pipes/')).toBe(true);
    expect(isNodePipeName(name)).toBe(false);
    expect(isNodePipeName(pipeNameFor('C:\\store'), WINDOWS_PIPE_NAMESPACE)).toBe(true);
  });

  it.each([
    ['another program’s pipe', '\\\\.\\pipe\\openssh-ssh-agent'],
    ['a short hash', '\\\\.\\pipe\\peerstreamer-abc'],
    ['upper-case hex', `\\\\.\\pipe\\peerstreamer-${'A'.repeat(32)}`],
    ['a path after the name', `\\\\.\\pipe\\peerstreamer-${'a'.repeat(32)}\\x`],
    ['a file', 'C:\\Users\\Me\\evil.exe'],
    ['a remote pipe', `\\\\server\\pipe\\peerstreamer-${'a'.repeat(32)}`],
  ])('is never %s', (_what, value) => {
    expect(isNodePipeName(value)).toBe(false);
  });
});

describe('locatePipe', () => {
  const namespace = '\\\\.\\pipe\\';

  function store(pointer?: string | Buffer): string {
    const dir = fixture.dir('store');
    if (pointer !== undefined) writeFileSync(path.join(dir, PIPE_POINTER_FILE), pointer);
    return dir;
  }

  it('prefers the pipe the pointer names (a node found by another path that canonicalises differently)', async () => {
    const named = pipeNameFor('\\\\server\\share\\store', namespace);
    expect(await locatePipe(store(`${named}\n`), namespace)).toBe(named);
  });

  it('without a pointer, names the pipe after the store', async () => {
    const dir = store();
    expect(await locatePipe(dir, namespace)).toBe(pipeNameFor(dir, namespace));
  });

  it.each([
    ['names another program’s pipe', '\\\\.\\pipe\\openssh-ssh-agent\n'],
    ['is empty', ''],
    ['is binary noise', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
    ['is far too long', `${pipeNameFor('C:\\a', namespace)}${' '.repeat(10_000)}\n`],
  ])('ignores a pointer that %s', async (_what, pointer) => {
    const dir = store(pointer);
    expect(await locatePipe(dir, namespace)).toBe(pipeNameFor(dir, namespace));
  });

  it('ignores a directory in the pointer’s place', async () => {
    const dir = store();
    mkdirSync(path.join(dir, PIPE_POINTER_FILE));
    expect(await locatePipe(dir, namespace)).toBe(pipeNameFor(dir, namespace));
  });
});
