import { describe, expect, it } from 'vitest';
import { parseTcpAddress, tcpAddressProblem } from '../../core/protocol/address.js';

describe('tcp addresses', () => {
  it.each([
    'tcp://127.0.0.1:7000',
    'tcp://node-1.example.org:1',
    'tcp://[::1]:65535',
    'tcp://localhost:7000',
  ])('accepts %s', (address) => expect(tcpAddressProblem(address)).toBeNull());

  it.each([
    'tcp://127.0.0.1',
    'tcp://127.0.0.1:0',
    'tcp://127.0.0.1:65536',
    'tcp://127.0.0.1:-1',
    'tcp://127.0.0.1:7000/x',
    'udp://127.0.0.1:7000',
    'tcp://0.0.0.0:7000',
    'tcp://*:7000',
    'tcp://[::]:7000',
    'tcp://127.0.0.1:*',
    'tcp://-bad-:1',
    'tcp://a b:1',
    ' tcp://127.0.0.1:7000',
  ])('refuses %s as a peer address', (address) => expect(tcpAddressProblem(address)).not.toBeNull());

  it('allows wildcards and port 0 only for binding', () => {
    for (const address of ['tcp://0.0.0.0:7000', 'tcp://*:7000', 'tcp://127.0.0.1:0', 'tcp://127.0.0.1:*']) {
      expect(tcpAddressProblem(address, { forBind: true })).toBeNull();
    }
  });

  it('parses host and port', () => {
    expect(parseTcpAddress('tcp://[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(parseTcpAddress('tcp://a.b:1')).toEqual({ host: 'a.b', port: 1 });
  });
});
