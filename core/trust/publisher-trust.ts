/**
 * Which publishers a node believes, and the check every manifest from a peer passes before the node
 * stores, serves or plays it: a valid signature by a trusted key.
 *
 * Trusted are this store's own key (the videos it publishes) and one pinned swarm publisher. The pin
 * comes from `--publisher`, or, with the original flags alone, from the first master, trusted on
 * first use and kept in the store like an SSH known_hosts entry: its `register` reply names the
 * publisher it vouches for. A master that later vouches for another key is logged and counted,
 * never believed; its manifests are refused and the error names both fingerprints.
 */
import type { Manifest } from '../shared/manifest.js';
import { publisherFingerprint } from '../shared/publisher.js';
import type { PeerRef } from '../protocol/messages.js';
import { PeerStreamerError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { signatureProblem } from './manifest-signature.js';

export interface PinnedPublisher {
  key: string;
  /** Where it came from, for people: `--publisher`, or `master mit at tcp://…`. */
  from: string;
  /** When it was pinned (ISO 8601). */
  at: string;
}

export interface PublisherTrustOptions {
  /** True on a source: it vouches for its own key, and learns none from above. */
  isSource: boolean;
  /** This store's publisher key, if it has one. */
  own?: string;
  pinned?: PinnedPublisher;
  /** Keeps a pin learned on first use (the store's settings file on a real node). */
  savePin?: (pin: PinnedPublisher) => void;
  logger: Logger;
  now?: () => number;
}

export class PublisherTrust {
  /** Manifests refused: unsigned, a bad signature, or an untrusted publisher. */
  refused = 0;
  /** Times a master vouched for a publisher other than the pinned one. */
  mismatches = 0;
  private ownKey: string | undefined;
  private pin: PinnedPublisher | undefined;
  private readonly warnedMasters = new Set<string>();
  private readonly pinListeners = new Set<() => void>();

  constructor(private readonly options: PublisherTrustOptions) {
    this.ownKey = options.own;
    this.pin = options.pinned;
  }

  get own(): string | undefined {
    return this.ownKey;
  }

  get pinned(): PinnedPublisher | undefined {
    return this.pin;
  }

  /** The store made its key (its first own video): what it publishes from now on is trusted here. */
  setOwn(key: string): void {
    this.ownKey = key;
  }

  /** The publisher this node vouches for to children that register: the pinned one, or a source's own. */
  swarmPublisher(): string | undefined {
    return this.pin?.key ?? (this.options.isSource ? this.ownKey : undefined);
  }

  trusts(key: string | undefined): boolean {
    return key !== undefined && (key === this.ownKey || key === this.pin?.key);
  }

  /** Called when a pin is first learned: videos kept before it are checked against it then. */
  onPinned(listener: () => void): void {
    this.pinListeners.add(listener);
  }

  /** What a master's `register` reply said its swarm's publisher is (undefined: it said nothing). */
  learnFromMaster(key: string | undefined, master: PeerRef): void {
    if (key === undefined || this.options.isSource) return;
    if (this.pin === undefined) {
      this.pinNow(key, `master ${master.name} at ${master.address}`);
      return;
    }
    if (key === this.pin.key || this.warnedMasters.has(master.address)) return;
    this.mismatches += 1;
    this.warnedMasters.add(master.address);
    this.options.logger.error(
      { master: master.address, vouches: key, trusted: this.pin.key },
      `master ${master.name} vouches for publisher ${publisherFingerprint(key)}, but this node trusts ${publisherFingerprint(this.pin.key)} (${this.pin.from}, ${this.pin.at}); its videos will be refused. If the swarm's publisher really changed, start the node with --publisher <key>.`,
    );
  }

  /** Throws UNTRUSTED_MANIFEST unless `manifest` is validly signed by a trusted publisher. */
  accept(manifest: Manifest, from: PeerRef): void {
    const problem = signatureProblem(manifest);
    if (problem !== null) throw this.refuse(manifest, from, `its signature ${problem}`);
    const key = manifest.publisher!;
    if (this.trusts(key)) return;
    if (this.pin === undefined && !this.options.isSource) {
      // A master that vouched for no publisher (it has none yet): the first signed video sets it.
      this.pinNow(
        key,
        `the first video, ${JSON.stringify(manifest.name)}, from ${from.name} at ${from.address}`,
      );
      return;
    }
    const trusted = this.pin?.key ?? this.ownKey;
    throw this.refuse(
      manifest,
      from,
      `it is signed by publisher ${publisherFingerprint(key)}, but this node trusts ${
        trusted === undefined
          ? 'no publisher yet'
          : `publisher ${publisherFingerprint(trusted)}${this.pin ? ` (${this.pin.from}, ${this.pin.at})` : ''}`
      }. If the swarm's publisher really changed, start the node with --publisher <key>`,
    );
  }

  private refuse(manifest: Manifest, from: PeerRef, why: string): PeerStreamerError {
    this.refused += 1;
    return new PeerStreamerError(
      'UNTRUSTED_MANIFEST',
      `The manifest of ${JSON.stringify(manifest.name)} from ${from.name} (${from.address}) was refused: ${why}. Nothing of it was stored.`,
      {
        video: manifest.name,
        from: from.address,
        ...(manifest.publisher ? { publisher: manifest.publisher } : {}),
      },
    );
  }

  private pinNow(key: string, from: string): void {
    const now = this.options.now ?? Date.now;
    this.pin = { key, from, at: new Date(now()).toISOString() };
    this.options.savePin?.(this.pin);
    this.options.logger.info(
      { publisher: key, from },
      `trusting publisher ${publisherFingerprint(key)} from now on (${from})`,
    );
    for (const listener of this.pinListeners) listener();
  }
}
