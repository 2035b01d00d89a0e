/**
 * The two files of keys a node reads: `--allow` (a bad line stops the start, naming file and line)
 * and the store's known-hosts (a bad line is skipped and reported). A pinned key that a server no
 * longer has is refused, naming both fingerprints and how to accept the new one; real servers and
 * real key asks over UDP.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllowList, readAllowList } from '../../core/node/allow-list.js';
import { KNOWN_HOSTS_FILE, KnownHosts } from '../../core/node/known-hosts.js';
import { ServerKeys } from '../../core/net/server-keys.js';
import { PeerClient } from '../../core/net/client.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { keyFingerprint } from '../../core/protocol/peer-key.js';
import type { PeerServer } from '../../core/net/server.js';
import { startServer, startServerOn } from '../net/helpers.js';
import { tempDir } from '../helpers/temp-dirs.js';

const unexpected = (): never => {
  throw new Error('expected a failure');
};

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('--allow files', () => {
  const key = newCurveKeyPair().publicKey;

  it('reads one key a line, with # comments on their own lines and after keys', () => {
    const other = newCurveKeyPair().publicKey;
    const keys = parseAllowList('/a', `# members\n\n${key}\n  ${other}   # bob\n#\n`);
    expect([...keys]).toEqual([key, other]);
  });

  it("reads a key holding '#' whole", () => {
    const hashKey = `${key.slice(0, 39)}#`;
    expect([...parseAllowList('/a', `${hashKey} # comment\n`)]).toEqual([hashKey]);
  });

  it('stops at a bad line, naming the file, the line and the problem', () => {
    // A key cut short by its first character; the cut one starts with a letter, never '#' (a random
    // key's second character is '#' one run in 85, and a line starting with '#' is a comment).
    const short = `a${key.slice(2)}`;
    expect(() => parseAllowList('/etc/allowed', `${key}\n${short}\n`)).toThrow(
      /--allow \/etc\/allowed line 2: a key is 40 Z85 characters; this one has 39/,
    );
    expect(() => parseAllowList('/etc/allowed', `x#comment\n`)).toThrow(/line 1: .*start comments with #/);
    expect(() => parseAllowList('/etc/allowed', `${key} extra\n`)).toThrow(/line 1/);
    expect(() => parseAllowList('/etc/allowed', '# nobody\n')).toThrow(/lists no keys/);
  });

  it('names a file it cannot read', async () => {
    await expect(readAllowList('/nonexistent/allowed')).rejects.toThrow(
      /--allow \/nonexistent\/allowed: the file cannot be read/,
    );
  });
});

describe('pinned keys (known-hosts)', () => {
  async function served(keys = newCurveKeyPair()): Promise<PeerServer> {
    const server = await startServer({ keys });
    cleanup.push(() => server.close());
    return server;
  }

  function clientWith(hosts: KnownHosts): PeerClient {
    const client = new PeerClient({ timeoutMs: 2_000, serverKeys: new ServerKeys({ pins: hosts }) });
    cleanup.push(() => client.close());
    return client;
  }

  it("pins a named master's key on first contact, and refuses another key there later", async () => {
    const store = tempDir('pins');
    const first = await served();
    const address = first.address;
    const { hosts } = await KnownHosts.open(store, [address]);
    await clientWith(hosts).request(address, { type: 'ping' });
    const file = path.join(store, KNOWN_HOSTS_FILE);
    expect(readFileSync(file, 'utf8')).toContain(`${address} ${first.keys.publicKey}`);

    // Another node (another store, another key) now on the same port.
    const pinnedKey = first.keys.publicKey;
    await first.close();
    const impostor = await startServerOn(address);
    cleanup.push(() => impostor.close());
    const reopened = (await KnownHosts.open(store, [address])).hosts;
    const error = await clientWith(reopened)
      .request(address, { type: 'ping' })
      .then(unexpected, (caught: unknown) => caught as Error);
    expect(error).toMatchObject({ code: 'KEY_MISMATCH' });
    expect(error.message).toContain(keyFingerprint(pinnedKey));
    expect(error.message).toContain(keyFingerprint(impostor.keys.publicKey));
    expect(error.message).toContain(`delete the line of ${address} from ${file}`);
  });

  it('learns but never pins addresses the user did not name (siblings, from the wire)', async () => {
    const store = tempDir('pins');
    const peer = await served();
    const { hosts } = await KnownHosts.open(store, []);
    await clientWith(hosts).request(peer.address, { type: 'ping' });
    expect(hosts.pinFor(peer.address)).toEqual({ pinned: false, key: undefined });
  });

  it('asks an unpinned address again once its connection closed: a sibling with a new store', async () => {
    const { hosts } = await KnownHosts.open(tempDir('pins'), []);
    const client = clientWith(hosts);
    const first = await served();
    const address = first.address;
    await client.request(address, { type: 'ping' });
    await first.close();
    const again = await startServerOn(address);
    cleanup.push(() => again.close());
    await client.disconnect(address);
    await expect(client.request(address, { type: 'ping' })).resolves.toBeDefined();
  });

  it('skips and reports bad lines, naming the file and line', async () => {
    const store = tempDir('pins');
    const key = newCurveKeyPair().publicKey;
    writeFileSync(
      path.join(store, KNOWN_HOSTS_FILE),
      `# pins\ntcp://127.0.0.1:7999 ${key}\ngarbage\ntcp://127.0.0.1:8000 short\n`,
    );
    const { hosts, problems } = await KnownHosts.open(store, ['tcp://127.0.0.1:7999']);
    expect(hosts.pinFor('tcp://127.0.0.1:7999')).toEqual({ pinned: true, key });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/known-hosts line 3 was skipped/);
    expect(problems[1]).toMatch(/known-hosts line 4 was skipped: a key is 40 Z85 characters/);
  });
});
