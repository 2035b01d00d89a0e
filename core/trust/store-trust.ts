/**
 * A node's PublisherTrust as its store keeps it: the store's own key (publisher-key.pem) and the
 * pinned swarm publisher (settings.json, `publisher.pinned`), with `--publisher` applied.
 */
import { SettingsFile } from '../store/settings-file.js';
import { publisherFingerprint } from '../shared/publisher.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { loadOrCreatePublisherKey, readPublisherKey } from './key-file.js';
import { publisherKeyProblem } from './publisher-key.js';
import { PublisherTrust, type PinnedPublisher } from './publisher-trust.js';

export const PINNED_PUBLISHER_SETTING = 'publisher.pinned';
const MAX_PIN_TEXT = 1_000;

export interface StoreTrustOptions {
  isSource: boolean;
  /** `--publisher`: the key to trust, replacing any pin. */
  publisher?: string;
  /** The flag that gave it, as the pin's origin says (`--publisher`, or `--join` for a link's key). */
  publisherFlag?: string;
  logger: Logger;
}

export async function openStoreTrust(storeDir: string, options: StoreTrustOptions): Promise<PublisherTrust> {
  const { logger } = options;
  const settings = new SettingsFile(storeDir);
  const { values, problems } = await settings.read();
  for (const problem of problems) logger.warn(`publisher pin: ${problem}`);
  let pinned = pinOf(values[PINNED_PUBLISHER_SETTING]);
  if (values[PINNED_PUBLISHER_SETTING] !== undefined && pinned === undefined) {
    logger.warn(`the pinned publisher in ${settings.file} is malformed; it is learned again from the master`);
  }
  const savePin = (pin: PinnedPublisher): void => {
    settings
      .update({ [PINNED_PUBLISHER_SETTING]: pin })
      .catch((error: unknown) =>
        logger.error({ error: errorMessage(error) }, 'could not keep the pinned publisher'),
      );
  };
  const flag = options.publisherFlag ?? '--publisher';
  if (options.publisher !== undefined && options.publisher !== pinned?.key) {
    if (pinned !== undefined) {
      logger.warn(
        { was: pinned.key, now: options.publisher },
        `${flag} ${publisherFingerprint(options.publisher)} replaces the pinned publisher ${publisherFingerprint(pinned.key)} (${pinned.from}, ${pinned.at}); videos of the old one are dropped`,
      );
    }
    pinned = { key: options.publisher, from: flag, at: new Date().toISOString() };
    await settings.update({ [PINNED_PUBLISHER_SETTING]: pinned });
  }
  // Read only: a source makes its key once it serves (see ensureOwnKey), so a node that cannot
  // start (a port in use) leaves the store as it found it.
  const own = await readPublisherKey(storeDir, logger);
  return new PublisherTrust({
    isSource: options.isSource,
    ...(own ? { own: own.publicKey } : {}),
    ...(pinned ? { pinned } : {}),
    savePin,
    logger,
  });
}

/** A source's key, made on its first start (once it serves); other nodes make one only to publish. */
export async function ensureOwnKey(storeDir: string, trust: PublisherTrust, logger: Logger): Promise<void> {
  if (trust.own !== undefined) return;
  trust.setOwn((await loadOrCreatePublisherKey(storeDir, logger)).publicKey);
}

function pinOf(value: unknown): PinnedPublisher | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, from, at } = value as Record<string, unknown>;
  if (publisherKeyProblem(key) !== null) return undefined;
  if (typeof from !== 'string' || from.length > MAX_PIN_TEXT) return undefined;
  if (typeof at !== 'string' || at.length > MAX_PIN_TEXT) return undefined;
  return { key: key as string, from, at };
}
