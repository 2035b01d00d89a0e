/** One valid example of every request and every ok reply, shared by the codec and transport tests. */
import { createHash } from 'node:crypto';
import type { Manifest } from '../../core/shared/manifest.js';
import type { ReplyFields, RequestFields, RequestType } from '../../core/protocol/messages.js';
import { WireProblem } from '../../core/protocol/problems.js';

export const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

export const manifest: Manifest = {
  version: 1,
  name: 'big buck bunny',
  kind: 'fmp4',
  mimeType: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
  duration: 8,
  width: 1280,
  height: 720,
  init: { size: 800, sha256: sha('init') },
  ingest: { mode: 'remux', sourceCodecs: ['h264', 'aac'] },
  poster: { size: 4, sha256: sha('\u0000\u0001\u0002\u0003'), mimeType: 'image/webp' },
  createdAt: '2024-01-01T00:00:00.000Z',
  chunks: [
    { index: 0, start: 0, duration: 4, size: 1000, sha256: sha('0') },
    { index: 1, start: 4, duration: 4, size: 900, sha256: sha('1') },
  ],
};

/** A live stream's manifest as `announce-live` carries it: its header and newest chunks. */
export const liveManifest: Manifest = {
  ...manifest,
  name: 'all hands',
  duration: 42,
  live: {
    stream: sha('stream').slice(0, 32),
    state: 'live',
    startedAt: '2026-12-03T09:00:00.000Z',
    window: 30,
  },
  chunks: [
    { index: 40, start: 40, duration: 1, size: 1000, sha256: sha('40'), captureTime: 1_796_000_040_000 },
    { index: 41, start: 41, duration: 1, size: 900, sha256: sha('41'), captureTime: 1_796_000_041_000 },
  ],
};

/** A manifest digest (manifestDigest): the content a node holds under a video's name. */
export const digest = sha('the manifest of big buck bunny');

export const legacyManifest: Manifest = {
  version: 1,
  name: 'old.avi',
  kind: 'legacy',
  mimeType: 'application/octet-stream',
  duration: null,
  width: null,
  height: null,
  init: null,
  createdAt: '2024-01-01T00:00:00.000Z',
  chunks: [{ index: 0, start: null, duration: null, size: 1048576, sha256: sha('legacy') }],
};

export const requests: { [K in RequestType]: RequestFields[K] } = {
  register: {
    name: 'alice',
    nodeId: '0123456789abcdef0123456789abcdef',
    address: 'tcp://10.0.0.2:7001',
    role: 'child',
    seeding: true,
    chunks: [
      { video: 'big buck bunny', digest, indexes: [-1, 0, 1, 2] },
      // As an older node sends it, and a node holding chunks without their manifest.
      { video: 'old.avi', indexes: [5] },
    ],
    capacity: { maxInFlight: 16, uploadBytesPerSecond: 0, storeBytes: 10_000_000_000 },
    // Drifting up: room of the master's own only.
    moveUp: true,
  },
  report: {
    name: 'alice',
    nodeId: '0123456789abcdef0123456789abcdef',
    added: [{ video: 'big buck bunny', digest, indexes: [3, 4] }],
    removed: [{ video: 'old.avi', digest: sha('the manifest of old.avi'), indexes: [5] }],
    liveViewers: { 'all hands': 3 },
  },
  query: { name: 'alice', video: 'big buck bunny', digest, from: 0, count: 3 },
  get: { video: 'big buck bunny', index: 0, fetchUpstream: true, streamId: 's-1', name: 'alice' },
  ping: {
    name: 'alice',
    nodeId: '0123456789abcdef0123456789abcdef',
    rttMs: 0.42,
    liveViewers: { 'all hands': 2, 'town hall': 1 },
  },
  bye: { name: 'alice', nodeId: '0123456789abcdef0123456789abcdef' },
  'end-stream': { streamId: 's-1' },
  'list-videos': {},
  'get-manifest': { video: 'big buck bunny' },
  stats: {},
  topology: {},
  'announce-videos': {
    name: 'master-1',
    videos: [
      {
        name: 'big buck bunny',
        kind: 'fmp4',
        duration: 8,
        width: 1280,
        height: 720,
        chunks: 2,
        mimeType: manifest.mimeType,
      },
    ],
  },
  'announce-live': { name: 'master-1', manifest: liveManifest, viewers: 5 },
  'get-poster': { video: 'big buck bunny', name: 'alice' },
};

export const replies: { [K in RequestType]: ReplyFields[K] } = {
  register: {
    masterName: 'master-1',
    level: 2,
    supermaster: { name: 'source', address: 'tcp://10.0.0.1:7000' },
    uptimeMs: 3_600_000,
    maxChildren: 8,
  },
  report: {},
  query: {
    video: 'big buck bunny',
    digest,
    from: 0,
    holders: [
      [{ name: 'bob', address: 'tcp://bob.local:7002' }],
      [],
      [{ name: 'carol', address: 'tcp://[::1]:7003' }],
    ],
  },
  get: {
    video: 'big buck bunny',
    index: 0,
    size: 4,
    sha256: sha('\u0000\u0001\u0002\u0003'),
    origin: 'peer',
  },
  ping: { name: 'master-1', time: 1_700_000_000_000, reachable: false, uptimeMs: 12_345 },
  bye: {},
  'end-stream': {},
  'list-videos': {
    videos: [
      {
        name: 'big buck bunny',
        kind: 'fmp4',
        duration: 8,
        width: 1280,
        height: 720,
        chunks: 2,
        mimeType: manifest.mimeType,
        bytes: 2700,
        poster: { size: 4, sha256: sha('\u0000\u0001\u0002\u0003'), mimeType: 'image/webp' },
      },
      {
        name: 'old.avi',
        kind: 'legacy',
        duration: null,
        width: null,
        height: null,
        chunks: 1,
        mimeType: 'application/octet-stream',
      },
    ],
  },
  'get-manifest': { manifest },
  stats: { stats: { chunksServed: 12, bytesOut: 123456, peers: { alice: { requests: 3 } } } },
  topology: {
    tree: {
      name: 'source',
      address: 'tcp://10.0.0.1:7000',
      role: 'source',
      level: 0,
      children: [
        {
          name: 'master-1',
          address: 'tcp://10.0.0.3:7000',
          role: 'master',
          level: 1,
          chunks: [{ video: 'movie', indexes: [0, 1, 2] }],
          children: [{ name: 'alice', address: null, role: 'child', level: 2, children: [] }],
          // Cut to the tree's bounds: two nodes below master-1 are not listed.
          omitted: 2,
        },
      ],
    },
  },
  'announce-videos': {},
  'announce-live': {},
  'get-poster': {
    video: 'big buck bunny',
    size: 4,
    sha256: sha('\u0000\u0001\u0002\u0003'),
    mimeType: 'image/webp',
  },
};

export const getBody = Buffer.from([0, 1, 2, 3]);

/** The WireProblem `run` throws; fails the test when it throws something else or nothing. */
export function wireProblemOf(run: () => unknown): WireProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof WireProblem) return error;
    throw error;
  }
  throw new Error('expected a WireProblem, nothing was thrown');
}
