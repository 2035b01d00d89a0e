import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { describe, expect, it } from 'vitest';
import { nodeConfigFromFlags } from '../../core/node/node-config.js';
import { NODE_READ_AHEAD } from '../../core/shared/read-ahead-policy.js';

const base = { name: 'n', port: '7000', store: '/tmp/store' };

describe('--peer-timeout', () => {
  it('is the fetcher’s wait for one peer, in milliseconds, and absent by default', () => {
    expect(nodeConfigFromFlags(base).peerTimeoutMs).toBeUndefined();
    expect(nodeConfigFromFlags({ ...base, 'peer-timeout': '5s' }).peerTimeoutMs).toBe(5_000);
    expect(nodeConfigFromFlags({ ...base, 'peer-timeout': '250ms' }).peerTimeoutMs).toBe(250);
    expect(nodeConfigFromFlags({ ...base, 'peer-timeout': '2m' }).peerTimeoutMs).toBe(120_000);
  });

  it.each(['soon', '0', '50ms', '3m'])('refuses %s, naming the flag', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'peer-timeout': value })).toThrow(/--peer-timeout/);
  });
});

describe('--max-children', () => {
  it('is the most children the node takes, and no limit by default', () => {
    expect(nodeConfigFromFlags(base).maxChildren).toBeUndefined();
    expect(nodeConfigFromFlags({ ...base, 'max-children': '4' }).maxChildren).toBe(4);
  });

  it.each(['0', '-1', '2.5', 'many', '100001'])('refuses %s, naming the flag and the range', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'max-children': value })).toThrow(
      /--max-children.*whole number from 1 to 100000/,
    );
  });
});

describe('--child-timeout', () => {
  it('is how long a master keeps a silent child, in milliseconds, and absent by default', () => {
    expect(nodeConfigFromFlags(base).childTimeoutMs).toBeUndefined();
    expect(nodeConfigFromFlags({ ...base, 'child-timeout': '10s' }).childTimeoutMs).toBe(10_000);
    expect(nodeConfigFromFlags({ ...base, 'child-timeout': '1500ms' }).childTimeoutMs).toBe(1_500);
  });

  it.each(['later', '0'])('refuses %s, naming the flag', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'child-timeout': value })).toThrow(/--child-timeout/);
  });

  it.each(['500ms', '6m'])('refuses %s, naming the flag and the range', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'child-timeout': value })).toThrow(
      /--child-timeout.*from 1s to 5m/,
    );
  });
});

describe('--read-ahead and --fetch-concurrency', () => {
  it("default to the node's read-ahead policy", () => {
    expect(nodeConfigFromFlags(base).readAhead).toEqual(NODE_READ_AHEAD);
  });

  it('replace its seconds ahead (a time) and its fetches at once, keeping the rest', () => {
    const { readAhead } = nodeConfigFromFlags({ ...base, 'read-ahead': '45s', 'fetch-concurrency': '2' });
    expect(readAhead).toEqual({ ...NODE_READ_AHEAD, aheadSeconds: 45, fetchesAtOnce: 2 });
    expect(nodeConfigFromFlags({ ...base, 'read-ahead': '2m' }).readAhead.aheadSeconds).toBe(120);
    // A bare number is seconds, as for every time flag.
    expect(nodeConfigFromFlags({ ...base, 'read-ahead': '10' }).readAhead.aheadSeconds).toBe(10);
  });

  it.each(['far', '0', '500ms', '31m'])('refuses --read-ahead %s, naming the flag', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'read-ahead': value })).toThrow(/--read-ahead/);
  });

  it.each(['0', 'four', '65'])('refuses --fetch-concurrency %s, naming the flag', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'fetch-concurrency': value })).toThrow(/--fetch-concurrency/);
  });
});

describe('--publisher', () => {
  const key = generatePublisherKeyPair().publicKey;
  const child = { ...base, master: 'tcp://127.0.0.1:7999' };

  it('is the key to trust, taken in either case, and absent by default', () => {
    expect(nodeConfigFromFlags(child).publisher).toBeUndefined();
    expect(nodeConfigFromFlags({ ...child, publisher: key }).publisher).toBe(key);
    expect(nodeConfigFromFlags({ ...child, publisher: ` ${key.toUpperCase()} ` }).publisher).toBe(key);
  });

  it.each([
    ['abc', /must be 52 characters long, not 3/],
    [`${key.slice(0, 51)}1`, /may hold only the letters a-z and the digits 2-7/],
    [`${key.slice(0, 51)}z`, /not a whole Ed25519 key/],
  ])('refuses %s, naming the flag, the problem and where to copy a key from', (value, problem) => {
    const attempt = (): unknown => nodeConfigFromFlags({ ...child, publisher: value });
    expect(attempt).toThrow(/--publisher ".*" is not valid: a publisher key/);
    expect(attempt).toThrow(problem);
    expect(attempt).toThrow(/copy it whole from the source's ready line/);
  });

  it('is refused on a source, which publishes under its own key', () => {
    expect(() => nodeConfigFromFlags({ ...base, publisher: key })).toThrow(/--publisher needs --master/);
  });
});

describe('--join', () => {
  const publisher = generatePublisherKeyPair().publicKey;
  const key = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
  const link = (peers: string[]) =>
    `peerstreamer://${publisher}/movie?${peers.map((peer) => `peer=${encodeURIComponent(peer)}`).join('&')}`;

  it('is --master, --supermaster and --publisher from the link, the further peers as fallbacks', () => {
    const config = nodeConfigFromFlags({
      ...base,
      join: link([`tcp://10.0.0.1:7000#${key}`, 'tcp://10.0.0.2:7001', 'tcp://10.0.0.3:7002']),
    });
    expect(config).toMatchObject({
      master: 'tcp://10.0.0.1:7000',
      masterKey: key,
      supermaster: 'tcp://10.0.0.2:7001',
      publisher,
      fallbacks: [{ dial: 'tcp://10.0.0.3:7002', key: undefined }],
      joined: true,
    });
    expect(config.supermasterKey).toBeUndefined();
  });

  it('with one peer, is a master alone', () => {
    const config = nodeConfigFromFlags({ ...base, join: link(['tcp://10.0.0.1:7000']) });
    expect(config.master).toBe('tcp://10.0.0.1:7000');
    expect(config.supermaster).toBeUndefined();
    expect(config.fallbacks).toBeUndefined();
  });

  it.each(['master', 'supermaster', 'publisher'])('refuses --%s beside it, saying to pick one', (flag) => {
    const value = flag === 'publisher' ? publisher : 'tcp://10.0.0.9:7000';
    expect(() =>
      nodeConfigFromFlags({ ...base, join: link(['tcp://10.0.0.1:7000']), [flag]: value }),
    ).toThrow(new RegExp(`--join and --${flag} both say .*pick one`));
  });

  it.each([
    ['not a link', /--join: The link "not a link" cannot be used: it is not a link/],
    ['https://example.com/movie', /--join: .*not "peerstreamer:\/\/"/],
    [`peerstreamer://${publisher}/movie`, /--join: .*names no node to start from/],
    ['peerstreamer://nokey/movie?peer=tcp://10.0.0.1:7000', /--join: .*publisher key/],
  ])('refuses %s with the parser’s message after the flag', (value, message) => {
    expect(() => nodeConfigFromFlags({ ...base, join: value })).toThrow(message);
  });
});

describe('--port-mapping', () => {
  it('is off unless asked for (a server has its address), and reads on and off', () => {
    expect(nodeConfigFromFlags(base).portMapping).toBe(false);
    expect(nodeConfigFromFlags({ ...base, 'port-mapping': 'on' }).portMapping).toBe(true);
    expect(nodeConfigFromFlags({ ...base, 'port-mapping': 'OFF' }).portMapping).toBe(false);
  });

  it.each(['yes', '1', '', 'true', 'on off'])('refuses %j, saying to give on or off', (value) => {
    expect(() => nodeConfigFromFlags({ ...base, 'port-mapping': value })).toThrow(
      `--port-mapping ${JSON.stringify(value)} is not valid: give on or off.`,
    );
  });
});
