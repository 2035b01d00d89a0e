import { MAX_LIVE_VIEWERS, MAX_LIVE_VIEWER_STREAMS } from '../protocol/limits.js';
import type { Manifest } from '../shared/manifest.js';
import { isLiveManifest } from '../trust/live-signature.js';
import type { Clock } from '../util/clock.js';

/**
 * How long after its last chunk a node still counts as watching a live stream: a player at the live
 * edge asks for a chunk as each is made, so a few seconds, or two chunks of a stream whose chunks are
 * longer than that.
 */
export const VIEWING_WINDOW_MS = 5_000;
/** How long a child's counts stand without a newer heartbeat or report replacing them. */
export const DEFAULT_CHILD_REPORT_TTL_MS = 5_000;
/**
 * How long a count heard from the master (`announce-live`) is shown without a newer one: the source
 * announces at every chunk (10 s at most), so a count older than this is from a stream that stopped
 * being announced here (it ended, or this node left its tree).
 */
export const HEARD_TTL_MS = 30_000;
/** Streams whose own viewing or heard count a node keeps at most: it watches or relays few at once. */
const MAX_STREAMS_KEPT = 64;

export interface LiveViewersOptions {
  clock: Clock;
  /** Whether a child of this name is registered here now: a child that left counts no more. */
  isChild: (name: string) => boolean;
  /** Default DEFAULT_CHILD_REPORT_TTL_MS. */
  childReportTtlMs?: number;
}

/**
 * Who watches a live stream, counted up the tree and told back down (issue 12 §3).
 *
 * A viewer is a node playing the stream: its own player (through the gateway) or a play client
 * (`get` with a streamId) was handed a chunk of it within VIEWING_WINDOW_MS (or two chunk lengths,
 * when longer). A node counts once per stream however many players or play clients it serves.
 *
 * Up: each heartbeat and report carries `liveViewers`, the counts of this node's subtree (its own
 * viewing plus its children's latest counts; a child's counts go when the child leaves or after
 * `childReportTtlMs` without a newer one). A child's counts replace that child's before, so it can
 * only ever speak for its own subtree, and sums stop at MAX_LIVE_VIEWERS.
 *
 * Down: the source announces the total with each chunk (`announce-live` `viewers`); each node keeps
 * the latest per stream for its library and passes it on with the announcement.
 */
export class LiveViewers {
  // Made on first use: most nodes never see a live stream, and the simulator runs 100,000 of them
  // (empty, these cost about 1 KB a node).
  /** This node's own viewing: when it last was handed a chunk of each stream, and for how long that counts. */
  private own: Map<string, { at: number; windowMs: number }> | undefined;
  private children: Map<string, { at: number; counts: ReadonlyMap<string, number> }> | undefined;
  private heard: Map<string, { at: number; viewers: number }> | undefined;
  /** Streams this node announces itself (it is their source): their total is its own sum. */
  private originated: Set<string> | undefined;
  private readonly childReportTtlMs: number;

  constructor(private readonly options: LiveViewersOptions) {
    this.childReportTtlMs = options.childReportTtlMs ?? DEFAULT_CHILD_REPORT_TTL_MS;
  }

  /**
   * This node's player or a play client was handed a chunk of `manifest`'s video: a view, if it is a
   * live stream still going out. On-demand videos and ended streams have no viewer count.
   */
  watched(manifest: Manifest): void {
    if (!isLiveManifest(manifest) || manifest.live.state !== 'live') return;
    const longest = manifest.chunks.reduce((most, chunk) => Math.max(most, chunk.duration), 0);
    const windowMs = Math.max(VIEWING_WINDOW_MS, 2 * longest * 1000);
    const own = (this.own ??= new Map());
    own.delete(manifest.name);
    own.set(manifest.name, { at: this.options.clock.now(), windowMs });
    keepNewest(own);
  }

  /**
   * A child's heartbeat or report: its subtree's counts now (none given: it watches nothing, or it
   * is an older node). They replace what it said before.
   */
  childReported(child: string, counts: Readonly<Record<string, number>> | undefined): void {
    const entries = Object.entries(counts ?? {}).filter(([, viewers]) => viewers > 0);
    if (entries.length === 0) {
      this.children?.delete(child);
      return;
    }
    (this.children ??= new Map()).set(child, {
      at: this.options.clock.now(),
      counts: new Map(entries.map(([video, viewers]) => [video, Math.min(viewers, MAX_LIVE_VIEWERS)])),
    });
  }

  /** Viewers of each live stream in this node's subtree now, itself included. */
  subtree(): Map<string, number> {
    const now = this.options.clock.now();
    const sums = new Map<string, number>();
    const add = (video: string, viewers: number): void => {
      sums.set(video, Math.min(MAX_LIVE_VIEWERS, (sums.get(video) ?? 0) + viewers));
    };
    const { own, children } = this;
    for (const [video, viewing] of own ?? []) {
      if (now - viewing.at > viewing.windowMs) own!.delete(video);
      else add(video, 1);
    }
    for (const [child, report] of children ?? []) {
      if (now - report.at > this.childReportTtlMs || !this.options.isChild(child)) {
        children!.delete(child);
        continue;
      }
      for (const [video, viewers] of report.counts) add(video, viewers);
    }
    return sums;
  }

  /**
   * What this node's heartbeats and reports carry: the subtree's counts, the most watched streams
   * first up to what one message may carry; undefined when none is watched.
   */
  forMaster(): Record<string, number> | undefined {
    const sums = [...this.subtree()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (sums.length === 0) return undefined;
    return Object.fromEntries(sums.slice(0, MAX_LIVE_VIEWER_STREAMS));
  }

  /** This node announces `video` itself (it is the stream's source): the count it sends down. */
  announcing(video: string): number {
    const originated = (this.originated ??= new Set());
    originated.add(video);
    if (originated.size > MAX_STREAMS_KEPT) originated.delete(originated.values().next().value!);
    return this.subtree().get(video) ?? 0;
  }

  /** The master announced `video` with the source's count: kept to show, and passed on. */
  heardFromMaster(video: string, viewers: number): void {
    const heard = (this.heard ??= new Map());
    heard.delete(video);
    heard.set(video, { at: this.options.clock.now(), viewers: Math.min(viewers, MAX_LIVE_VIEWERS) });
    keepNewest(heard);
  }

  /**
   * How many watch `video` across the tree, as far as this node knows: the source's own sum, or the
   * latest count its announcements brought; undefined when it does not know.
   */
  total(video: string): number | undefined {
    if (this.originated?.has(video) === true) return this.subtree().get(video) ?? 0;
    const heard = this.heard?.get(video);
    if (heard === undefined) return undefined;
    if (this.options.clock.now() - heard.at > HEARD_TTL_MS) {
      this.heard!.delete(video);
      return undefined;
    }
    return heard.viewers;
  }
}

/** Drops the oldest entries (a Map keeps insertion order, and entries are re-inserted when renewed). */
function keepNewest(map: Map<string, unknown>): void {
  for (const key of map.keys()) {
    if (map.size <= MAX_STREAMS_KEPT) return;
    map.delete(key);
  }
}
