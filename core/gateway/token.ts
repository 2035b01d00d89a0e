import { randomBytes } from 'node:crypto';

/** A fresh per-run gateway token: 256 random bits, URL-safe so it can ride in ?token= unescaped. */
export function createGatewayToken(): string {
  return randomBytes(32).toString('base64url');
}

export const REDACTED = '<redacted>';

/**
 * A URL (absolute, or a path with its query) fit for a log line: every `token` parameter's value is
 * replaced, whatever it is (a wrong token may be a right one mistyped). Keys are compared decoded, as
 * the gateway reads them, so `?%74oken=` is caught too; every other byte of the URL is kept as it came.
 */
export function redactToken(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const hashStart = url.indexOf('#', queryStart);
  const queryEnd = hashStart < 0 ? url.length : hashStart;
  const parts = url.slice(queryStart + 1, queryEnd).split('&');
  const redacted = parts.map((part) => {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    return decodedKey(key) === 'token' ? `${key}=${REDACTED}` : part;
  });
  return `${url.slice(0, queryStart + 1)}${redacted.join('&')}${url.slice(queryEnd)}`;
}

/** As URLSearchParams decodes a key; a key that is not valid percent-encoding is kept as written. */
function decodedKey(key: string): string {
  try {
    return decodeURIComponent(key.replaceAll('+', ' '));
  } catch {
    return key;
  }
}
