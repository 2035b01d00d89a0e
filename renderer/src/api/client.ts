import { failureFromResponse, failureFromThrown } from './gateway-error.ts';
import type {
  ChunkOrigin,
  GoLiveRequest,
  LibraryEntry,
  LinkCheck,
  LiveSessionView,
  Manifest,
  NodeStats,
  StopLiveReply,
  StopLiveRequest,
  TopologyNode,
  VideoLinkReply,
} from './types.ts';

/**
 * The node's API by relative URL only, so the same bundle works from http://127.0.0.1:port/ and from
 * Electron's custom protocol. Authentication rides on the HttpOnly cookie the gateway set.
 */
export const api = {
  videos: () => getJson<LibraryEntry[]>('api/videos'),
  manifest: (name: string, signal?: AbortSignal) =>
    getJson<Manifest>(`api/videos/${encodeURIComponent(name)}/manifest`, signal),
  /** Built by the node on each ask (it walks up its masters to name the source). */
  videoLink: (name: string) => getJson<VideoLinkReply>(`api/videos/${encodeURIComponent(name)}/link`),
  /** The node reads the link with its own parser; a bad one is a 400 naming the wrong part. */
  checkLink: (text: string) => getJson<LinkCheck>(`api/link?text=${encodeURIComponent(text)}`),
  /** The live streams this node publishes ("Go live…"), to offer Stop on their card and player. */
  liveSessions: () => getJson<LiveSessionView[]>('api/live'),
  /** Answers once the first chunk is stored (or the input's error), within about 8 s. */
  goLive: (request: GoLiveRequest) => postJson<LiveSessionView>('api/live', request),
  stopLive: (name: string, request: StopLiveRequest) =>
    postJson<StopLiveReply>(`api/live/${encodeURIComponent(name)}/stop`, request),
  stats: () => getJson<NodeStats>('api/stats'),
  topology: () => getJson<TopologyNode>('api/topology'),
  initUrl: (name: string) => `api/videos/${encodeURIComponent(name)}/init`,
  chunkUrl: (name: string, index: number) => `api/videos/${encodeURIComponent(name)}/chunks/${index}`,
  /** Named by the image's sha256, so the browser may cache it for good. */
  posterUrl: (name: string, sha256: string) =>
    `api/videos/${encodeURIComponent(name)}/poster?v=${encodeURIComponent(sha256)}`,
  eventsUrl: 'api/events',
};

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await send(url, signal);
  return (await response.json()) as T;
}

/**
 * A change: JSON with its content type, on the cookie, from this page (the browser adds our Origin);
 * the gateway refuses a change made any other way (core/gateway/mutations.ts).
 */
async function postJson<T>(url: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw failureFromThrown(error);
  }
  if (!response.ok) throw await failureFromResponse(response);
  return (await response.json()) as T;
}

export interface FetchedBytes {
  bytes: ArrayBuffer;
  origin: ChunkOrigin | null;
}

export async function getBytes(url: string, signal?: AbortSignal): Promise<FetchedBytes> {
  const response = await send(url, signal);
  const bytes = await response.arrayBuffer();
  const origin = response.headers.get('X-PeerStreamer-Origin') as ChunkOrigin | null;
  return { bytes, origin };
}

async function send(url: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw failureFromThrown(error);
  }
  if (!response.ok) throw await failureFromResponse(response);
  return response;
}
