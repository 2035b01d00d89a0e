/**
 * Issue 11 §1, with real processes on 127.0.0.1: `link` prints a video's link from a running swarm,
 * `play <link>` plays it byte for byte through the link's first node that answers, and
 * `node --join <link>` places a node in that swarm with no --master typed, trusting the link's
 * publisher alone. A link naming another publisher plays nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVideoLink, formatVideoLink, type VideoLink } from '../../core/link/video-link.js';
import { publisherFingerprint } from '../../core/shared/publisher.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { expectOneLineError } from '../cli/cli-helpers.js';
import { smallClip } from '../helpers/media-fixtures.js';
import { lacks, requires } from '../helpers/requirements.js';
import { sourceStore, type SourceStore } from '../helpers/source-store.js';
import {
  SWARM_TIMEOUT_MS,
  Swarm,
  assertBuilt,
  freePort,
  playThrough,
  runCli,
  statsOf,
  type NodeProcess,
} from '../helpers/swarm.js';
import { waitFor } from '../helpers/wait.js';

const noFfmpeg = lacks(requires.ffmpeg);
const swarm = new Swarm();
let source: SourceStore;
let root: NodeProcess;
let mit: NodeProcess;
let publisher: string;
/** `peerstreamer link movie --from mit`, as printed. */
let linkText: string;
let link: VideoLink;

async function keyedAddressOf(node: NodeProcess): Promise<string> {
  return `${node.address}#${(await statsOf(node)).key!}`;
}

/** A port nothing listens on: a link peer that never answers. */
async function deadAddress(): Promise<string> {
  return `tcp://127.0.0.1:${await freePort()}`;
}

beforeAll(async () => {
  if (noFfmpeg) return;
  assertBuilt();
  source = await sourceStore(swarm, 'movie', 6);
  // Room for one child: mit. Whoever joins through the source is then sent on with MASTER_FULL.
  root = await swarm.start({ name: 'source', store: source.store, extra: ['--max-children', '1'] });
  mit = await swarm.start({ name: 'mit', master: root });
  publisher = (await statsOf(root)).trust!.publisher!;
  const printed = await runCli(['link', 'movie', '--from', mit.address]);
  expect(printed.code, printed.stderr).toBe(0);
  linkText = printed.stdout.trim();
  link = parseVideoLink(linkText);
}, SWARM_TIMEOUT_MS);
afterAll(() => swarm.stop());

describe.skipIf(noFfmpeg)('sharing a video by link', { timeout: SWARM_TIMEOUT_MS }, () => {
  it("link prints one line: the source's publisher, the video, the asked node then the source, keyed", async () => {
    expect(linkText.split('\n')).toHaveLength(1);
    expect(link).toEqual({
      publisher,
      video: 'movie',
      peers: [await keyedAddressOf(mit), await keyedAddressOf(root)],
    });
  });

  it("link to a master's own video says it is not the swarm publisher's, and names its key", async () => {
    const added = await runCli(['add', (await smallClip(2)).path, '--store', mit.store, '--name', 'mine']);
    expect(added.code, added.stderr).toBe(0);
    const printed = await runCli(['link', 'mine', '--from', mit.address]);
    expect(printed.code, printed.stderr).toBe(0);
    const own = parseVideoLink(printed.stdout).publisher;
    expect(own).not.toBe(publisher);
    expect(printed.stderr).toContain(
      `signed by publisher ${publisherFingerprint(own)}, not by ${publisherFingerprint(publisher)}, the publisher mit trusts`,
    );
  });

  it('link from the source names the source alone', async () => {
    const printed = await runCli(['link', 'movie', '--from', root.address]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(parseVideoLink(printed.stdout).peers).toEqual([await keyedAddressOf(root)]);
  });

  it('play <link> writes the video byte for byte', async () => {
    const output = path.join(swarm.dir('play-link'), 'movie.mp4');
    const played = await runCli(['play', linkText, '-o', output]);
    expect(played.code, played.stderr).toBe(0);
    expect(readFileSync(output).equals(source.exported)).toBe(true);
    expect(played.stderr).toContain(`as ${mit.address} got them`);
  });

  it('play <link> passes over a first peer that does not answer and plays through the next', async () => {
    const output = path.join(swarm.dir('play-fallback'), 'movie.mp4');
    const text = formatVideoLink({ ...link, peers: [await deadAddress(), ...link.peers] });
    const played = await runCli(['play', text, '-o', output]);
    expect(played.code, played.stderr).toBe(0);
    expect(readFileSync(output).equals(source.exported)).toBe(true);
  });

  it('refuses a link whose publisher is another key: UNTRUSTED_MANIFEST, both fingerprints, nothing written', async () => {
    const other = generatePublisherKeyPair().publicKey;
    const forged = formatVideoLink({ ...link, publisher: other });
    const output = path.join(swarm.dir('play-forged'), 'movie.mp4');
    const played = await runCli(['play', forged, '-o', output]);
    expectOneLineError(
      played,
      /The manifest of "movie" from tcp:\/\/127\.0\.0\.1:\d+ was refused/,
      new RegExp(`signed by publisher ${publisherFingerprint(publisher)}`),
      new RegExp(`trusts only publisher ${publisherFingerprint(other)}`),
    );
    expect(played.code).toBe(1);
    expect(() => readFileSync(output)).toThrow(/ENOENT/);
    // The error's code, which the one-line message leaves out, shows in the debug output.
    const debug = await runCli(['play', forged, '-o', output], { env: { PEERSTREAMER_DEBUG: '1' } });
    expect(debug.stderr).toContain("code: 'UNTRUSTED_MANIFEST'");
  });

  it('node --join <link> registers under the first peer, trusts the link’s publisher and plays byte for byte', async () => {
    const ben = await swarm.start({ name: 'ben', extra: ['--join', linkText], until: 'ready' });
    await waitFor(async () => (await statsOf(ben)).currentMaster === mit.address, 'ben registered with mit');
    const stats = await statsOf(ben);
    expect(stats.trust).toMatchObject({ publisher, publisherFrom: '--join' });
    expect((await playThrough(ben, 'movie')).bytes.equals(source.exported)).toBe(true);
    // Two levels down, link still names the node asked and then the source, found through mit.
    const printed = await runCli(['link', 'movie', '--from', ben.address]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(parseVideoLink(printed.stdout).peers).toEqual([
      await keyedAddressOf(ben),
      await keyedAddressOf(root),
    ]);
  });

  it('node --join with a link to a full source follows MASTER_FULL down to a master with room', async () => {
    const printed = await runCli(['link', 'movie', '--from', root.address]);
    expect(printed.code, printed.stderr).toBe(0);
    const kim = await swarm.start({ name: 'kim', extra: ['--join', printed.stdout.trim()], until: 'ready' });
    await waitFor(
      async () => (await statsOf(kim)).currentMaster === mit.address,
      'kim sent on from the full source to mit',
    );
    expect((await playThrough(kim, 'movie')).bytes.equals(source.exported)).toBe(true);
  });

  it('node --join takes the next peer when the first does not answer', async () => {
    const text = formatVideoLink({ ...link, peers: [await deadAddress(), ...link.peers] });
    const tom = await swarm.start({ name: 'tom', extra: ['--join', text], until: 'ready' });
    await waitFor(
      async () => (await statsOf(tom)).currentMaster === mit.address,
      'tom registered with mit, the second peer',
    );
    expect((await playThrough(tom, 'movie')).bytes.equals(source.exported)).toBe(true);
  });
});

describe.skipIf(noFfmpeg)('link, play and --join refuse bad input', { timeout: SWARM_TIMEOUT_MS }, () => {
  it('link: an unknown video is VIDEO_NOT_FOUND naming it, the node and the list', async () => {
    const result = await runCli(['link', 'nope', '--from', mit.address]);
    expectOneLineError(result, /No video "nope" at tcp:\/\/127\.0\.0\.1:\d+/, /peerstreamer ls --from/);
    expect(result.code).toBe(1);
  });

  it('link: a node that does not answer is named', async () => {
    const dead = await deadAddress();
    const result = await runCli(['link', 'movie', '--from', dead]);
    expectOneLineError(result, new RegExp(`nothing answered at ${dead}`));
    expect(result.code).toBe(1);
  });

  it('play: a link none of whose nodes answers names them and says to ask for a fresh one', async () => {
    const dead = [await deadAddress(), await deadAddress()];
    const result = await runCli(['play', formatVideoLink({ ...link, peers: dead }), '-o', '/dev/null']);
    expectOneLineError(
      result,
      new RegExp(`none of the link's 2 nodes answered .*\\(${dead.join(', ')}\\)`),
      /ask whoever shared it for a fresh one/,
    );
    expect(result.code).toBe(1);
  });

  it.each([
    [['link', 'movie'], /link: --from is required/],
    [['link', 'movie', '--from', 'http://x:1'], /--from "http:\/\/x:1" is not a node address/],
    [['link', 'a/b', '--from', 'tcp://127.0.0.1:1'], /"a\/b" is not a video name/],
    [
      ['play', 'peerstreamer://nokey/movie?peer=tcp://127.0.0.1:1'],
      /The link .* cannot be used: the publisher key/,
    ],
    [['play', 'peerstreamer://x'], /cannot be used/],
    [['play', 'movie'], /play: --from is required with a video name/],
    [
      ['node', '--name', 'n', '--port', '0', '--store', '/tmp/x', '--join', 'nope'],
      /--join: The link "nope" cannot be used: it is not a link/,
    ],
  ])('%j exits 2 with one line', async (args, message) => {
    const result = await runCli(args);
    expectOneLineError(result, message);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('play: a link and --from together, and --join with --master, say to pick one', async () => {
    const both = await runCli(['play', linkText, '--from', mit.address, '-o', '/dev/null']);
    expectOneLineError(both, /give a link or --from .* not both/);
    expect(both.code).toBe(2);
    const joined = await runCli([
      'node',
      '--name',
      'n',
      '--port',
      '0',
      '--store',
      swarm.dir('join-and-master'),
      '--join',
      linkText,
      '--master',
      mit.address,
    ]);
    expectOneLineError(joined, /--join and --master both say where to register: pick one/);
    expect(joined.code).toBe(2);
  });
});
