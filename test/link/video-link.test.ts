import { describe, expect, it } from 'vitest';
import {
  formatVideoLink,
  MAX_LINK_PEERS,
  parseVideoLink,
  videoLinkProblem,
  type VideoLink,
} from '../../core/link/video-link.js';
import { newCurveKeyPair } from '../../core/net/curve-keys.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';

const publisher = generatePublisherKeyPair().publicKey;
const nodeKey = newCurveKeyPair().publicKey;

function refusal(text: string): string {
  try {
    parseVideoLink(text);
  } catch (error) {
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    return (error as Error).message;
  }
  throw new Error(`${text} was accepted`);
}

describe('video links', () => {
  it('round-trips a name with spaces and accents, a keyed IPv4 peer and a bare IPv6 one', () => {
    const link: VideoLink = {
      publisher,
      video: 'Mon film (2024) – été',
      peers: [`tcp://10.0.0.1:7000#${nodeKey}`, 'tcp://[fd00::2]:7001'],
    };
    const text = formatVideoLink(link);
    expect(text.startsWith(`peerstreamer://${publisher}/Mon%20film`)).toBe(true);
    // A key's "#", "&" or "?" never breaks the link: each peer is one query value.
    expect(text).not.toContain('#');
    expect(parseVideoLink(text)).toEqual(link);
  });

  it('reads a peer typed by hand without encoding, and ignores whitespace and angle brackets around it', () => {
    const text = `  <peerstreamer://${publisher}/movie?peer=tcp://seed.example.org:7000&peer=tcp://10.1.2.3:7001>\n`;
    expect(parseVideoLink(text)).toEqual({
      publisher,
      video: 'movie',
      peers: ['tcp://seed.example.org:7000', 'tcp://10.1.2.3:7001'],
    });
  });

  it('leaves query parts it does not know to later versions', () => {
    expect(parseVideoLink(`peerstreamer://${publisher}/movie?peer=tcp://h:7000&hint=x`).peers).toEqual([
      'tcp://h:7000',
    ]);
  });

  it.each([
    ['not a link at all', 'movie', /is not a link/],
    [
      'another scheme',
      `https://${publisher}/movie?peer=tcp://h:1`,
      /starts with "https:\/\/", not "peerstreamer:\/\/"/,
    ],
    [
      'a short publisher key',
      'peerstreamer://abc/movie?peer=tcp://h:1',
      /publisher key must be 52 characters long, not 3/,
    ],
    ['a port after the key', `peerstreamer://${publisher}:80/movie?peer=tcp://h:1`, /must stand alone/],
    ['no video', `peerstreamer://${publisher}/?peer=tcp://h:1`, /must name one video/],
    ['a path of two parts', `peerstreamer://${publisher}/a/b?peer=tcp://h:1`, /must name one video/],
    [
      'a bad escape in the name',
      `peerstreamer://${publisher}/%E0%A4%A?peer=tcp://h:1`,
      /not valid percent-encoding/,
    ],
    [
      'an unusable name',
      `peerstreamer://${publisher}/a%2Fb?peer=tcp://h:1`,
      /video name "a\/b" is not usable: it contains a path separator/,
    ],
    ['no peer', `peerstreamer://${publisher}/movie`, /names no node to start from/],
    [
      'a peer that is no address',
      `peerstreamer://${publisher}/movie?peer=h:7000`,
      /node 1 \("h:7000"\) is not an address/,
    ],
    ['a key left unencoded', `peerstreamer://${publisher}/movie?peer=tcp://h:7000#${nodeKey}`, /written %23/],
    ['a wildcard peer', `peerstreamer://${publisher}/movie?peer=tcp://0.0.0.0:7000`, /wildcard/],
  ])('refuses %s, saying which part and what to do', (_what, text, problem) => {
    const message = refusal(text);
    expect(message).toMatch(problem);
    expect(message).toContain('Copy the whole link again');
  });

  it('refuses too many peers and too long a link', () => {
    const peers = Array.from({ length: MAX_LINK_PEERS + 1 }, (_, i) => `tcp://10.0.0.${i + 1}:7000`);
    expect(videoLinkProblem({ publisher, video: 'movie', peers })).toMatch(/at most 8/);
    expect(refusal(`peerstreamer://${publisher}/movie?peer=tcp://h:1&x=${'a'.repeat(5000)}`)).toMatch(
      /longer than 4096/,
    );
  });
});
