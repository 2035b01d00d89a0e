import { SYNTHETIC_PUBLISHER } from '../../core/sim/synthetic-video.js';
import { PublisherTrust } from '../../core/trust/publisher-trust.js';
import { silentLogger } from '../../core/util/logger.js';

/** A node below a master that has not learned its publisher yet: it pins the first signed manifest's. */
export function trustOnFirstUse(): PublisherTrust {
  return new PublisherTrust({ isSource: false, logger: silentLogger() });
}

/** A node that trusts the publisher of every synthetic video (core/sim/synthetic-video.ts). */
export function trustSynthetic(): PublisherTrust {
  return new PublisherTrust({
    isSource: false,
    pinned: { key: SYNTHETIC_PUBLISHER.publicKey, from: 'test', at: '2026-01-01T00:00:00.000Z' },
    logger: silentLogger(),
  });
}
