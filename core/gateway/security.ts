import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Cookie that carries the per-run token after the first page load. Cookies are scoped by host, not
 * port, so two nodes' players on 127.0.0.1 would overwrite each other's cookie under one name: each
 * gateway names its cookie after a digest of its own token.
 */
export function tokenCookieName(token: string): string {
  return `ps_token_${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/**
 * Compares tokens in constant time. Hashing first gives equal-length inputs, so the comparison leaks
 * neither the content nor the length of the real token.
 */
export function tokenMatches(expected: string, offered: string | undefined | null): boolean {
  if (offered === undefined || offered === null || offered.length === 0) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(offered).digest();
  return timingSafeEqual(a, b);
}

/** Where a request may carry the token: header, cookie, or (for links and external players) the query. */
export interface OfferedToken {
  value: string | undefined;
  via: 'header' | 'cookie' | 'query' | 'none';
}

export function offeredToken(request: Request, url: URL, cookieName: string): OfferedToken {
  const auth = request.headers.get('authorization');
  const bearer = auth?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer !== undefined) return { value: bearer.trim(), via: 'header' };
  const cookie = readCookie(request.headers.get('cookie'), cookieName);
  if (cookie !== undefined) return { value: cookie, via: 'cookie' };
  const query = url.searchParams.get('token');
  if (query !== null) return { value: query, via: 'query' };
  return { value: undefined, via: 'none' };
}

function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Host header -> bare lower-case host name, without port; IPv6 literals keep their brackets. */
export function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    return end < 0 ? trimmed : trimmed.slice(0, end + 1);
  }
  const colon = trimmed.lastIndexOf(':');
  return colon < 0 ? trimmed : trimmed.slice(0, colon);
}

/**
 * DNS-rebinding guard: a page on evil.example that rebinds its name to 127.0.0.1 still sends
 * `Host: evil.example`. An allowed entry is either a bare host (any port) or an exact host:port.
 */
export function hostAllowed(allowedHosts: readonly string[], host: string | null): boolean {
  if (host === null || host.length === 0) return false;
  const exact = host.trim().toLowerCase();
  const bare = hostName(exact);
  return allowedHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    return allowed === exact || allowed === bare;
  });
}

/**
 * Where a request arrived, as the server that accepted it knows it, not as the request claims: a
 * Host header can name any port, but the socket was accepted on one.
 */
export interface Arrival {
  /** `http:` for the loopback server, the custom scheme (`peerstreamer:`) in Electron. */
  protocol: string;
  /** The port the server listens on; null where the scheme has none (Electron's protocol). */
  port: number | null;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * The origins of pages this gateway serves: each allowed host name at the scheme and port the request
 * arrived on, serialized as browsers send them (lower case, no default port). A page on another port
 * of the same host is another origin: another local program, not our player.
 */
export function ownOrigins(allowedHosts: readonly string[], arrival: Arrival): string[] {
  const protocol = arrival.protocol.toLowerCase();
  const port = arrival.port === null || arrival.port === DEFAULT_PORTS[protocol] ? '' : `:${arrival.port}`;
  const names = new Set(allowedHosts.map((entry) => hostName(entry)));
  return [...names].map((name) => `${protocol}//${name}${port}`);
}

/**
 * An exact string comparison, on purpose: browsers send the serialized origin, so there is nothing to
 * normalize, and nothing for a lenient parse to be talked into (another scheme, another port, a longer
 * host such as `127.0.0.1:8080.evil.example`). `null` (sandboxed frames, file: pages) matches nothing.
 */
export function originAllowed(own: readonly string[], origin: string): boolean {
  return own.includes(origin);
}

/**
 * CSP for the player page: everything from this origin; media from blob: (the MediaSource object URL);
 * inline styles only because video.js and React set style attributes.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response, whatever its type. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function tokenCookie(token: string): string {
  return `${tokenCookieName(token)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
}
