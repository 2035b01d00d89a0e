import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSourceNode, type SourceNode } from './fixtures/source-node.js';
import { rawRequest } from './http-client.js';
import { ffmpegPath } from '../../core/media/ffmpeg-binaries.js';
import { lacks, requires } from '../helpers/requirements.js';

const noFfmpeg = lacks(requires.ffmpeg);

const run = promisify(execFile);
let node: SourceNode;

beforeAll(async () => {
  node = await startSourceNode({ videos: [{ name: 'hls clip', seconds: 8 }] });
});

afterAll(async () => {
  await node?.close();
});

describe.skipIf(noFfmpeg)('GET /hls/:name.m3u8', () => {
  it('is a version-7 VOD playlist over the init and chunk routes, with the token in every URI', async () => {
    const manifest = node.manifests.get('hls clip')!;
    const response = await rawRequest(node.withToken('hls/hls%20clip.m3u8'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    const lines = response.text.trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines).toContain('#EXT-X-VERSION:7');
    expect(lines.at(-1)).toBe('#EXT-X-ENDLIST');
    const map = lines.find((line) => line.startsWith('#EXT-X-MAP:'))!;
    expect(map).toBe(`#EXT-X-MAP:URI="hls%20clip/init.mp4?token=${node.token}"`);
    const durations = lines
      .filter((line) => line.startsWith('#EXTINF:'))
      .map((line) => parseFloat(line.slice(8)));
    expect(durations).toHaveLength(manifest.chunks.length);
    durations.forEach((duration, index) =>
      expect(duration).toBeCloseTo(manifest.chunks[index]!.duration!, 3),
    );
    const uris = lines.filter((line) => !line.startsWith('#'));
    expect(uris).toEqual(manifest.chunks.map((chunk) => `hls%20clip/${chunk.index}.m4s?token=${node.token}`));
    const target = Number(lines.find((line) => line.startsWith('#EXT-X-TARGETDURATION:'))!.split(':')[1]);
    expect(Math.max(...durations)).toBeLessThanOrEqual(target);
  });

  it('decodes end to end in ffmpeg with no errors', async () => {
    const { stdout, stderr } = await run(ffmpegPath(), [
      ...['-nostdin', '-v', 'error', '-i', node.withToken('hls/hls%20clip.m3u8'), '-f', 'null', '-'],
    ]);
    expect(stdout).toBe('');
    expect(stderr).toBe('');
  });

  it('404s names that are not playlists and unknown videos', async () => {
    const auth = { Authorization: `Bearer ${node.token}` };
    expect((await rawRequest(`${node.url}hls/hls%20clip.mp4`, { headers: auth })).status).toBe(404);
    expect((await rawRequest(`${node.url}hls/missing.m3u8`, { headers: auth })).status).toBe(404);
    expect((await rawRequest(`${node.url}hls/hls%20clip/0.ts`, { headers: auth })).status).toBe(404);
    expect((await rawRequest(`${node.url}hls/hls%20clip/99.m4s`, { headers: auth })).status).toBe(404);
    expect((await rawRequest(`${node.url}hls/hls%20clip/x.m4s`, { headers: auth })).status).toBe(400);
  });
});
