import { randomBytes } from 'node:crypto';

/** A fresh per-run gateway token: 256 random bits, URL-safe so it can ride in ?token= unescaped. */
export function createGatewayToken(): string {
  return randomBytes(32).toString('base64url');
}
