import type { PeerHealth } from '../net/peer-health.js';
import type { Transport } from '../net/transport.js';
import type { Manifest } from '../shared/manifest.js';
import { segmentRef } from '../shared/segments.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { probeChunk } from '../stream/chunk-probe.js';
import type { ChildRegistry } from './child-registry.js';

export interface SuspectChecksOptions {
  registry: ChildRegistry;
  health: PeerHealth;
  transport: Transport;
  clock: Clock;
  logger: Logger;
  selfName: string;
  /** The manifest of a video this master serves, to judge a child's bytes by. */
  manifestOf(video: string): Promise<Manifest>;
  /**
   * The digest of this master's stored manifest of a video (undefined: none stored). A child is
   * judged only on a chunk it holds under that manifest: another copy of the video under the same
   * name is other content, whose bytes fail this master's hashes however honest the child.
   */
  digestOf(video: string): string | undefined;
  hash(bytes: Uint8Array): Promise<string>;
  /** How long the child has to answer. Default 1.5 s, a viewer's peer timeout. */
  timeoutMs?: number;
  /** A child is checked at most this often, however many accuse it. Default 10 s. */
  minIntervalMs?: number;
  /** Checks running at once, at most. Default 4. */
  maxInFlight?: number;
}

/**
 * A child's report names siblings it banned for bad bytes or silence (smart-ban). The master does not
 * take its word (a child could name honest siblings to starve them): it asks the accused for a chunk
 * it claims to hold, and bans it from its own holder lists only when that answer is bad or does not
 * come. Checks are rate-limited per child and in number, so reports cannot make the master flood
 * anyone.
 */
export class SuspectChecks {
  private readonly lastChecked = new Map<string, number>();
  private inFlight = 0;
  private readonly timeoutMs: number;
  private readonly minIntervalMs: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: SuspectChecksOptions) {
    this.timeoutMs = options.timeoutMs ?? 1_500;
    this.minIntervalMs = options.minIntervalMs ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 4;
  }

  /** `reporter` (a registered child) names `suspects`; each that is another child is checked. */
  check(reporter: string, suspects: readonly string[]): void {
    const { registry, health, clock } = this.options;
    const now = clock.now();
    for (const name of suspects) {
      if (name === reporter || this.inFlight >= this.maxInFlight) continue;
      const child = registry.child(name);
      if (child === undefined || health.banned(child.address)) continue;
      const last = this.lastChecked.get(name);
      if (last !== undefined && now - last < this.minIntervalMs) continue;
      this.remember(name, now);
      this.inFlight += 1;
      void this.probe(name, child.address).finally(() => (this.inFlight -= 1));
    }
  }

  private async probe(name: string, address: string): Promise<void> {
    const { registry, health, transport, logger, selfName } = this.options;
    const claimed = registry.directory.aChunkOf(name, this.options.digestOf);
    if (claimed === undefined) return;
    const { video, index } = claimed;
    // The manifest is the master's own business: failing to get it says nothing of the child.
    const expected = await this.options.manifestOf(video).then(
      (manifest) => segmentRef(manifest, index),
      () => undefined,
    );
    // Replaced meanwhile: the child's copy is no longer the one this master judges by.
    if (expected === undefined || this.options.digestOf(video) !== claimed.digest) return;
    const probed = await probeChunk(transport, address, {
      video,
      index,
      expected,
      fetchUpstream: false,
      name: selfName,
      timeoutMs: this.timeoutMs,
      hash: this.options.hash,
    });
    // Only silence or bad bytes condemn it: a child that no longer holds the chunk, or is busy, or
    // paused seeding, says so.
    if (probed.kind === 'good' || probed.kind === 'refused') return;
    const verdict =
      probed.kind === 'bad-bytes'
        ? 'sent bytes that do not match the manifest'
        : `did not answer: ${probed.detail}`;
    health.offended(address);
    logger.warn(
      { child: name, video, index },
      `a child reported by a sibling ${verdict}; no longer listed as a holder`,
    );
  }

  /** Keeps the last check of at most 1,024 children: enough for any master, bounded for any report. */
  private remember(name: string, at: number): void {
    this.lastChecked.delete(name);
    this.lastChecked.set(name, at);
    if (this.lastChecked.size > 1_024) this.lastChecked.delete(this.lastChecked.keys().next().value!);
  }
}
