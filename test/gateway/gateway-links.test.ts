/**
 * The gateway's link routes over an in-memory backend: a video's link (what the Copy link button
 * copies) and a pasted link read by the node's own parser (what Open link asks). The node-side
 * backends share core/link's parts with the CLI; this checks the HTTP contract the player relies on.
 */
import { describe, expect, it } from 'vitest';
import { createGateway } from '../../core/gateway/gateway.js';
import { formatVideoLink, parseVideoLink } from '../../core/link/video-link.js';
import type { ApiError, LinkCheck, VideoLinkReply } from '../../core/shared/api-types.js';
import { generatePublisherKeyPair } from '../../core/trust/publisher-key.js';
import { MemoryBackend } from './fixtures/memory-backend.js';
import { oneChunkVideo } from './fixtures/one-chunk-video.js';

const token = 'gateway-links-token-0123456789';
const publisher = generatePublisherKeyPair().publicKey;
const stranger = generatePublisherKeyPair().publicKey;

function signed(name: string, key: string) {
  const video = oneChunkVideo(name);
  return { ...video, manifest: { ...video.manifest, publisher: key } };
}

const backend = new MemoryBackend()
  .add(signed('Our Film', publisher))
  .add(signed('their film', stranger))
  .add(oneChunkVideo('unsigned clip'));
backend.trusted = publisher;
const gateway = createGateway({ backend, token, allowedHosts: ['127.0.0.1'] });

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await gateway.fetch(
    new Request(`http://127.0.0.1:9/${path}`, { headers: { Authorization: `Bearer ${token}` } }),
  );
  return { status: response.status, body: (await response.json()) as T };
}

describe('GET api/videos/<name>/link', () => {
  it("gives the video's link, naming its publisher, the video and the node", async () => {
    const { status, body } = await get<VideoLinkReply>(`api/videos/${encodeURIComponent('Our Film')}/link`);
    expect(status).toBe(200);
    expect(parseVideoLink(body.link)).toEqual({ publisher, video: 'Our Film', peers: [backend.address] });
  });

  it('refuses an unsigned video with words that say why and what to do', async () => {
    const { status, body } = await get<ApiError>(`api/videos/${encodeURIComponent('unsigned clip')}/link`);
    expect(status).toBe(409);
    expect(body.error.code).toBe('UNTRUSTED_MANIFEST');
    expect(body.error.message).toMatch(/unsigned.*Add the file again/);
  });

  it('answers 404 for a video the node does not have', async () => {
    const { status, body } = await get<ApiError>('api/videos/nothing/link');
    expect(status).toBe(404);
    expect(body.error.code).toBe('VIDEO_NOT_FOUND');
  });
});

describe('GET api/link?text=', () => {
  const ask = (text: string) => get<LinkCheck | ApiError>(`api/link?text=${encodeURIComponent(text)}`);
  const peers = ['tcp://192.0.2.10:7999'];

  it("says a link to the trusted publisher's video plays here", async () => {
    const { status, body } = await ask(formatVideoLink({ publisher, video: 'Our Film', peers }));
    expect(status).toBe(200);
    expect(body).toEqual({ publisher, video: 'Our Film', peers, here: true });
  });

  it("says a link to another publisher's unlisted video needs the swarm joined", async () => {
    const other = generatePublisherKeyPair().publicKey;
    const { body } = await ask(` <${formatVideoLink({ publisher: other, video: 'elsewhere', peers })}> `);
    expect(body).toMatchObject({ publisher: other, video: 'elsewhere', here: false });
  });

  it('plays a listed video signed by the link key even when that is not the trusted publisher', async () => {
    const { body } = await ask(formatVideoLink({ publisher: stranger, video: 'their film', peers }));
    expect(body).toMatchObject({ here: true });
  });

  it("refuses a bad link with the parser's words, naming the wrong part", async () => {
    const { status, body } = await ask(`peerstreamer://notakey/film?peer=${encodeURIComponent(peers[0]!)}`);
    expect(status).toBe(400);
    expect((body as ApiError).error.code).toBe('INVALID_ARGUMENT');
    expect((body as ApiError).error.message).toMatch(/publisher key must be 52 characters/);
  });

  it('refuses a request without a link', async () => {
    const { status, body } = await get<ApiError>('api/link');
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/No link given/);
  });
});
