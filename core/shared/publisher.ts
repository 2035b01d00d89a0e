/**
 * How a publisher's key is written wherever a person or a manifest names it. Shared with the
 * renderer, which shows the fingerprint beside a video's name, so it is format only: no crypto here
 * (core/trust signs and verifies).
 *
 * A key is the 32 raw bytes of an Ed25519 public key in lower-case base32 (RFC 4648 alphabet, no
 * padding): 52 characters of a-z and 2-7. Lower case and no punctuation, so it survives where case
 * does not (the host part of a `peerstreamer://` link, DNS-label style) and can be read aloud.
 */

export const PUBLISHER_KEY_CHARS = 52;
export const PUBLISHER_KEY = /^[a-z2-7]{52}$/;
/** An Ed25519 signature (64 bytes) in base64url without padding. */
export const MANIFEST_SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
/** Characters of the key shown to people beside a name: enough to tell publishers apart at a glance. */
export const FINGERPRINT_CHARS = 8;

/**
 * The short form people compare: the key's first characters. A prefix rather than a hash of the key,
 * so a person can check it against the key in a link by eye; every decision compares whole keys.
 */
export function publisherFingerprint(key: string): string {
  return key.slice(0, FINGERPRINT_CHARS);
}

/** What lists show in a video's publisher column or badge: the fingerprint, or that it is unsigned. */
export function publisherLabel(key: string | null | undefined): string {
  return key == null ? 'unsigned' : publisherFingerprint(key);
}
