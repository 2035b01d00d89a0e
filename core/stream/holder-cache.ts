import { LRUCache } from 'lru-cache';
import type { PeerRef } from '../protocol/messages.js';
import { chunkKey } from '../shared/segments.js';

/**
 * Answers of the master's `query`, cached per chunk. The original re-queried every 10 chunks so load
 * moved between peers as they filled up; here a batch of `batch` chunks is asked at once and kept for
 * `ttlMs` — but an empty answer only briefly, because earlier viewers fill those chunks in meanwhile.
 * At most `maxEntries` chunks are kept, the least recently used dropped first, so a long session
 * cannot grow it without limit.
 */
export interface HolderCacheOptions {
  batch?: number;
  ttlMs?: number;
  emptyTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  holders: PeerRef[];
  /** The manifest digest the master chose the holders for (undefined: an older master's answer). */
  digest: string | undefined;
  at: number;
}

export class HolderCache {
  readonly batch: number;
  private readonly ttlMs: number;
  private readonly emptyTtlMs: number;
  private readonly now: () => number;
  /**
   * Expiry is checked here, not by lru-cache's own TTL: that reads a start time of 0 as "no TTL"
   * and caches now() for a millisecond of real time, and under a VirtualClock time starts at 0 and
   * moves without real time passing.
   */
  private readonly entries: LRUCache<string, Entry>;

  constructor(options: HolderCacheOptions = {}) {
    this.batch = options.batch ?? 10;
    this.ttlMs = options.ttlMs ?? 5_000;
    this.emptyTtlMs = options.emptyTtlMs ?? 300;
    this.now = options.now ?? Date.now;
    // lru-cache allocates its index for `max` entries up front: 20,000 cost half a megabyte per node,
    // most of a simulated node. Answers live 5 s and come 10 chunks at a time around the play
    // heads, so a few thousand is room for many concurrent streams.
    this.entries = new LRUCache({ max: options.maxEntries ?? 2_048 });
  }

  /**
   * The holders of a chunk, unless the answer is too old or was given for another manifest than
   * `digest`, the one this node holds now (undefined: none yet, so any answer will do).
   */
  get(video: string, index: number, digest?: string): PeerRef[] | undefined {
    const key = chunkKey(video, index);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (digest !== undefined && entry.digest !== undefined && entry.digest !== digest) {
      // Holders of other content under this name: asked before the manifest came, or before it
      // was replaced.
      this.entries.delete(key);
      return undefined;
    }
    const ttl = entry.holders.length === 0 ? this.emptyTtlMs : this.ttlMs;
    if (this.now() - entry.at > ttl) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.holders;
  }

  /** An answer to a query from `from`, the holders chosen for the manifest `digest` names. */
  set(video: string, from: number, holders: PeerRef[][], digest?: string): void {
    const at = this.now();
    this.dropExpired(at);
    holders.forEach((list, offset) =>
      this.entries.set(chunkKey(video, from + offset), { holders: list, digest, at }),
    );
  }

  /**
   * Drops answers past their time from the least recently used end, so a node watching a long video
   * keeps its last few seconds of answers, not the last 2,048 chunks' (each with its holders): in a
   * simulated swarm that was most of a node's memory. Stops at the first live one; what a read kept
   * in the middle goes when it is read again, or with the bound.
   */
  private dropExpired(now: number): void {
    const expired: string[] = [];
    for (const [key, entry] of this.entries.rentries() as Generator<[string, Entry]>) {
      if (now - entry.at <= this.ttlMs) break;
      expired.push(key);
    }
    // Deleted after the walk: a delete rewrites the links the iterator steps along.
    for (const key of expired) this.entries.delete(key);
  }

  /** Forgets a holder that failed, everywhere, so the next lookup re-asks the master. */
  forgetAddress(address: string): void {
    // Keys first: lru-cache's iterator steps on from the links of the entry it just yielded, which a
    // delete rewrites.
    const stale = [...this.entries.entries()]
      .filter(([, entry]) => entry.holders.some((holder) => holder.address === address))
      .map(([key]) => key);
    for (const key of stale) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
