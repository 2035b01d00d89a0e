/**
 * The CLI's side against a node that answers wrongly: every line it reads is validated, and a bad
 * one fails the command with PROTOCOL (or UNREACHABLE when the node just goes away), never with a
 * half-done result. The "node" here is a raw server scripted by each test.
 */
import net from 'node:net';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { connectToNode } from '../../core/control/client.js';
import { planEndpoint } from '../../core/control/endpoint.js';
import { canonicalStoreDir } from '../../core/control/socket-path.js';
import { createToken, readTokenFile, writeTokenFile } from '../../core/control/token.js';
import type { ControlTransportOptions } from '../../core/control/transport.js';
import { writeLockFile } from '../../core/store/lock-file.js';
import { isPeerStreamerError } from '../../core/util/errors.js';
import { manifest } from '../protocol/fixtures.js';
import { Fixture, linesOf } from './helpers.js';

const fixture = new Fixture();
let server: net.Server | null = null;
let transport: ControlTransportOptions = {};
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
  await fixture.cleanup();
});

/**
 * A store whose "node" answers every request with `reply`, then closes. It listens where a node of
 * the Windows transport would (injected: a named pipe on Windows, a stand-in socket elsewhere), and
 * the store holds what such a node's store holds while it runs: its token, and the lock file naming
 * the process serving it.
 */
async function scriptedNode(reply: (request: string) => Buffer | string): Promise<string> {
  const store = fixture.dir('fake');
  transport = fixture.windowsTransport();
  await writeTokenFile(store, createToken());
  writeLockFile(store);
  server = net.createServer((socket) => {
    let received = '';
    socket.on('data', (data: Buffer) => {
      received += data.toString();
      if (!received.includes('\n')) return;
      socket.end(reply(linesOf(Buffer.from(received))[0]!));
    });
    socket.on('error', () => undefined);
  });
  // The store as the client will name it: its real path (on Windows, short 8.3 names expanded).
  server.listen(planEndpoint(await canonicalStoreDir(store), transport).path);
  await once(server, 'listening');
  return store;
}

const line = (value: unknown): string => `${JSON.stringify({ v: 1, ...(value as object) })}\n`;

async function failure(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (isPeerStreamerError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the command to fail');
}

describe('ControlClient against a node that answers wrongly', () => {
  it('sends one validated request line and reads a good answer', async () => {
    let asked = '';
    const store = await scriptedNode((request) => {
      asked = request;
      return line({ type: 'ls-ok', count: 0 });
    });
    expect(await (await connectToNode(store, transport))!.ls()).toEqual([]);
    expect(JSON.parse(asked)).toEqual({ v: 1, type: 'ls', token: await readTokenFile(store) });
  });

  const cases: Array<[string, string | Buffer, 'ls' | 'export', RegExp, string]> = [
    ['a line that is not JSON', 'oops\n', 'ls', /not JSON/, 'PROTOCOL'],
    ['a newer version', line({ v: 2, type: 'ls-ok', count: 0 }), 'ls', /version 2/, 'PROTOCOL'],
    [
      'another command’s event',
      line({ type: 'progress', mediaSeconds: 1, totalSeconds: 2, bytesOut: 3 }),
      'ls',
      /got type "progress"/,
      'PROTOCOL',
    ],
    [
      'a video with a broken manifest',
      line({
        type: 'video',
        video: {
          name: 'x',
          manifest: { ...manifest, chunks: 'many' },
          pinned: true,
          chunksHeld: 0,
          bytesHeld: 0,
          hasInit: false,
          addedAt: 'now',
        },
      }),
      'ls',
      /video.manifest.chunks/,
      'PROTOCOL',
    ],
    [
      'a count that does not match',
      line({ type: 'ls-ok', count: 3 }),
      'ls',
      /counts 3 videos; 0 were sent/,
      'PROTOCOL',
    ],
    [
      'more after the final line',
      line({ type: 'ls-ok', count: 0 }) + line({ type: 'ls-ok', count: 0 }),
      'ls',
      /more after its final line/,
      'PROTOCOL',
    ],
    ['no final line', '', 'ls', /closed its control connection .* before ls finished/, 'UNREACHABLE'],
    [
      'an error line keeps the node’s code',
      line({ type: 'error', code: 'VIDEO_NOT_FOUND', message: 'no "x" here' }),
      'export',
      /no "x" here/,
      'VIDEO_NOT_FOUND',
    ],
    [
      'a channel error becomes PROTOCOL',
      line({ type: 'error', code: 'BUSY', message: 'try again' }),
      'ls',
      /\(BUSY\): try again/,
      'PROTOCOL',
    ],
    [
      'export bytes that do not add up',
      Buffer.concat([
        Buffer.from(line({ type: 'data', size: 4 })),
        Buffer.from('abcd'),
        Buffer.from(line({ type: 'export-ok', bytes: 5, chunks: 1 })),
      ]),
      'export',
      /export-ok says 5 bytes; 4 were sent/,
      'PROTOCOL',
    ],
    [
      'raw bytes cut short',
      Buffer.concat([Buffer.from(line({ type: 'data', size: 10 })), Buffer.from('abcd')]),
      'export',
      /before export finished/,
      'UNREACHABLE',
    ],
  ];

  it.each(cases)('%s', async (_what, reply, command, message, code) => {
    const store = await scriptedNode(() => reply);
    const client = (await connectToNode(store, transport))!;
    const out = new PassThrough();
    out.resume();
    const result = await failure(() =>
      command === 'ls' ? client.ls() : client.export({ name: 'x', fromChunk: 0 }, out),
    );
    expect(result.code).toBe(code);
    expect(result.message).toMatch(message);
  });

  it('export writes the raw bytes as they come, however the reads cut them', async () => {
    const payload = Buffer.from('\n\n{"v":1}\nraw bytes, newlines and all\n');
    const store = await scriptedNode(() =>
      Buffer.concat([
        Buffer.from(line({ type: 'data', size: payload.length })),
        payload,
        Buffer.from(line({ type: 'export-ok', bytes: payload.length, chunks: 1 })),
      ]),
    );
    const out = new PassThrough();
    const received: Buffer[] = [];
    out.on('data', (data: Buffer) => received.push(data));
    const result = await (await connectToNode(store, transport))!.export({ name: 'x', fromChunk: 0 }, out);
    expect(result).toEqual({ bytes: payload.length, chunks: 1 });
    expect(Buffer.concat(received)).toEqual(payload);
  });
});
