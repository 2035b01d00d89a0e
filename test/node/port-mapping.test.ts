/**
 * The node's port mapping (core/node/port-mapping.ts) through the real NAT-PMP client against a real
 * NAT-PMP gateway on loopback (test/hosts/nat-pmp-gateway.ts): mapping, the outside address,
 * renewal within the granted lifetime, unmapping at stop, and what a refusing, garbling or silent
 * router does to it. The host bed (test/hosts/port-mapping.test.ts) runs the same against a NAT.
 *
 * The client talks from UDP port 5350 to port 5351 (RFC 6886 fixes both), so the gateway gets a
 * loopback address of its own, the tests in this file run one after another, and the file holds a
 * machine-wide lock while it runs: a second suite beside this one took the gateway's port
 * (EADDRINUSE) and could take its replies.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { natPmpFinder, natPmpReplyProblem } from '../../core/node/nat-pmp-router.js';
import { PortMapping, type ExternalAddress } from '../../core/node/port-mapping.js';
import { defaultGateway } from '../../core/node/router-address.js';
import { NatPmpGateway, type Behaviour } from '../hosts/nat-pmp-gateway.js';
import { waitFor } from '../helpers/wait.js';
import { holdMachineLock } from '../helpers/machine-lock.js';
import { tempDir } from '../helpers/temp-dirs.js';
import { startNode } from './in-process.js';
import type { PeerNode } from '../../core/node/peer-node.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const GATEWAY = '127.0.0.57';
const EXTERNAL = '203.0.113.57';
const PORT = 7057;

interface Record {
  level: number;
  msg: string;
}

function recordingLogger(): { logger: pino.Logger; records: Record[] } {
  const records: Record[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) records.push(JSON.parse(line) as Record);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), records };
}

const warnings = (records: Record[]): string[] =>
  records.filter((record) => record.level >= 40).map((record) => record.msg);

let releaseLock: (() => void) | undefined;
beforeAll(async () => {
  releaseLock = await holdMachineLock('nat-pmp-5350');
}, 330_000);
afterAll(() => releaseLock?.());

let gateway: NatPmpGateway | undefined;
let mapping: PortMapping | undefined;

afterEach(async () => {
  await mapping?.stop();
  await gateway?.close();
  mapping = undefined;
  gateway = undefined;
});

async function setUp(
  behaviour: Behaviour,
  options: { maxLifetimeSeconds?: number; lifetimeSeconds?: number; timeoutMs?: number } = {},
) {
  gateway = await NatPmpGateway.start({
    bind: GATEWAY,
    externalAddress: EXTERNAL,
    behaviour,
    ...(options.maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds: options.maxLifetimeSeconds } : {}),
  });
  const { logger, records } = recordingLogger();
  const changes: Array<ExternalAddress | null> = [];
  mapping = new PortMapping({
    port: PORT,
    logger,
    onChange: (external) => changes.push(external),
    finders: [natPmpFinder(GATEWAY)],
    lifetimeSeconds: options.lifetimeSeconds ?? 3_600,
    timeoutMs: options.timeoutMs ?? 1_000,
    retryMs: 60_000,
  });
  return { gateway, mapping, records, changes };
}

describe('port mapping over NAT-PMP', () => {
  it('maps the TCP port, learns the outside address, renews within the granted lifetime and unmaps at stop', async () => {
    // Asked for an hour, granted 2 s: the renewal must follow what the router granted.
    const { gateway, mapping, records, changes } = await setUp('normal', { maxLifetimeSeconds: 2 });
    mapping.start();
    await mapping.settled();
    expect(changes).toEqual([{ host: EXTERNAL, port: PORT }]);
    expect(mapping.state()).toMatchObject({
      state: 'mapped',
      protocol: 'NAT-PMP',
      gateway: GATEWAY,
      external: `${EXTERNAL}:${PORT}`,
    });
    expect(gateway.active()).toEqual([
      expect.objectContaining({
        protocol: 'tcp',
        internalPort: PORT,
        externalPort: PORT,
        lifetimeSeconds: 2,
      }),
    ]);
    const maps = () => gateway.requests.filter((request) => request.opcode === 2);
    expect(maps()[0]).toMatchObject({ internalPort: PORT, suggestedPort: PORT, lifetimeSeconds: 3_600 });

    // Renewed at half the granted lifetime, so the lease never lapses.
    await waitFor(() => maps().length >= 3, 'two renewals', 5_000);
    expect(gateway.active()).toHaveLength(1);
    expect(changes).toHaveLength(1); // the same address: nothing to advertise again

    await mapping.stop();
    expect(maps().at(-1)).toMatchObject({ internalPort: PORT, lifetimeSeconds: 0 });
    expect(gateway.active()).toEqual([]);
    expect(mapping.state()).toEqual({ state: 'off' });
    expect(warnings(records)).toEqual([]);
  });

  it('a router that refuses: one warning naming the result, no address, and the node goes on', async () => {
    const { mapping, records, changes } = await setUp('refuse');
    mapping.start();
    await mapping.settled();
    expect(changes).toEqual([]);
    expect(mapping.state()).toMatchObject({ state: 'failed' });
    expect(mapping.state().reason).toMatch(/NAT-PMP at 127\.0\.0\.57: it refused: Not Authorized\/Refused/);
    expect(warnings(records)).toHaveLength(1);
    expect(warnings(records)[0]).toMatch(/could not open port 7057 on the router/);
  });

  it('a router answering garbage: the reply is dropped before the library reads it, and the failure says what came', async () => {
    const { mapping, records, changes } = await setUp('garbage', { timeoutMs: 500 });
    mapping.start();
    await mapping.settled();
    expect(changes).toEqual([]);
    expect(mapping.state().reason).toMatch(/it answered with a 1-byte reply, shorter than any NAT-PMP reply/);
    expect(warnings(records)).toHaveLength(1);
  });

  it('no router answering: the attempt ends within its time bound', async () => {
    const { mapping } = await setUp('silent', { timeoutMs: 300 });
    const started = performance.now();
    mapping.start();
    await mapping.settled();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(mapping.state().reason).toMatch(/no answer in time/);
  });

  it('stop() cuts an attempt short: quitting never waits on a silent router', async () => {
    const { gateway, mapping } = await setUp('silent', { timeoutMs: 10_000 });
    mapping.start();
    await waitFor(() => gateway.requests.length > 0, 'the map request');
    const started = performance.now();
    await mapping.stop();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(mapping.state()).not.toMatchObject({ state: 'mapped' });
  });

  it('a lease the router stops renewing: the node is told to advertise its own address again', async () => {
    const { gateway, mapping, records, changes } = await setUp('normal', {
      maxLifetimeSeconds: 1,
      timeoutMs: 500,
    });
    mapping.start();
    await mapping.settled();
    expect(changes).toEqual([{ host: EXTERNAL, port: PORT }]);
    gateway.behaviour = 'refuse';
    await waitFor(() => changes.length === 2, 'the lost lease', 5_000);
    expect(changes[1]).toBeNull();
    expect(mapping.state()).toMatchObject({ state: 'failed' });
    expect(mapping.state().reason).toMatch(/renewing the lease on NAT-PMP at 127\.0\.0\.57: it refused/);
    expect(warnings(records)).toHaveLength(1);
  });
});

describe('a node that maps its port', () => {
  const nodes: PeerNode[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0).reverse()) await node.stop();
  });

  it('registers again at the router’s address, and its master dials it back there', async () => {
    // The router says the outside reaches this node at 127.0.0.1, where it listens; the address it
    // was configured with (TEST-NET-2) reaches nothing, as a private one would not from outside.
    gateway = await NatPmpGateway.start({ bind: GATEWAY, externalAddress: '127.0.0.1' });
    const source = await startNode({ name: 'source' });
    nodes.push(source);
    const child = await startNode({
      name: 'behind',
      master: source,
      config: { ip: '198.51.100.7', portMapping: true },
      options: { portMapping: { finders: [natPmpFinder(GATEWAY)], timeoutMs: 1_000 } },
    });
    nodes.push(child);
    const outside = `tcp://127.0.0.1:${child.config.port}`;
    await waitFor(() => child.stats().reachable === true, 'the master finding the child reachable', 15_000);
    expect(child.address).toBe(outside);
    expect(source.registry.child('behind')?.address).toBe(outside);
    expect(child.stats().portMapping).toMatchObject({
      state: 'mapped',
      external: `127.0.0.1:${child.config.port}`,
    });
    expect(gateway.active()).toHaveLength(1);
    await child.stop();
    expect(gateway.active()).toEqual([]);
  });
});

describe('NAT-PMP replies the library may read', () => {
  const from = (address: string, port = 5351) => ({ address, port, family: 'IPv4' as const, size: 0 });
  const reply = (opcode: number, result: number, size: number) => {
    const bytes = Buffer.alloc(size);
    bytes.writeUInt8(opcode, 1);
    bytes.writeUInt16BE(result, 2);
    return bytes;
  };

  it('refuses replies from anyone but the router, short ones and unknown opcodes', () => {
    expect(natPmpReplyProblem(reply(130, 0, 16), from('10.0.0.1'), '10.0.0.1')).toBeNull();
    expect(natPmpReplyProblem(reply(130, 2, 8), from('10.0.0.1'), '10.0.0.1')).toBeNull();
    expect(natPmpReplyProblem(reply(130, 0, 16), from('10.0.0.66'), '10.0.0.1')).toMatch(
      /not from the router at 10\.0\.0\.1:5351/,
    );
    expect(natPmpReplyProblem(reply(130, 0, 16), from('10.0.0.1', 9), '10.0.0.1')).toMatch(/not from/);
    expect(natPmpReplyProblem(reply(130, 0, 12), from('10.0.0.1'), '10.0.0.1')).toMatch(
      /12-byte reply to opcode 2, where 16 bytes are due/,
    );
    expect(natPmpReplyProblem(reply(128, 0, 8), from('10.0.0.1'), '10.0.0.1')).toMatch(/where 12 bytes/);
    expect(natPmpReplyProblem(Buffer.from([0, 130]), from('10.0.0.1'), '10.0.0.1')).toMatch(/2-byte reply/);
    expect(natPmpReplyProblem(reply(7, 0, 16), from('10.0.0.1'), '10.0.0.1')).toMatch(/opcode 7/);
  });
});

describe('defaultGateway', () => {
  it('reads the default route from a routing table, and null without one', async () => {
    const dir = tempDir('route');
    const table = path.join(dir, 'route');
    writeFileSync(
      table,
      [
        'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
        'eth0\t0000520A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
        'eth0\t00000000\t0100520A\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      ].join('\n'),
    );
    expect(await defaultGateway(table)).toBe('10.82.0.1');
    writeFileSync(table, 'Iface\tDestination\tGateway\n');
    expect(await defaultGateway(table)).toBeNull();
    expect(await defaultGateway(path.join(dir, 'missing'))).toBeNull();
  });
});
