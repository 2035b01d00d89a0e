/**
 * The UI's transport: `peerstreamer://app/...` requests go straight to the gateway's web-standard
 * handler in this process, so the player needs no HTTP port that other local programs could reach.
 */
import type { Protocol } from 'electron';
import type { Gateway } from '../core/gateway/gateway.js';
import { PAGE_CSP } from '../core/gateway/security.js';
import { APP_HOST, APP_SCHEME } from './app-identity.js';

/** Must run before the app is ready: privileges cannot be granted to a scheme later. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      // standard: relative URLs and origins work; secure: MediaSource and fetch treat it like https;
      // supportFetchAPI: the renderer's fetch('api/...'); stream: SSE and large chunk bodies stream.
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
    },
  ]);
}

export interface ProtocolHandlerOptions {
  /** The current gateway; null while the node is (re)starting. */
  gateway: () => Gateway | null;
  /** The gateway's per-run token. Added here, so it never reaches the renderer. */
  token: string;
}

export function createProtocolHandler(
  options: ProtocolHandlerOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refusal(400, 'BAD_URL', 'The request URL could not be parsed.');
    }
    if (url.protocol !== `${APP_SCHEME}:`) {
      return refusal(
        400,
        'SCHEME_NOT_ALLOWED',
        `Only ${APP_SCHEME}: URLs are served here, not ${url.protocol}.`,
      );
    }
    if (url.host !== APP_HOST) {
      return refusal(
        403,
        'HOST_NOT_ALLOWED',
        `Only ${APP_SCHEME}://${APP_HOST}/ is served, not host "${url.host}".`,
      );
    }
    const gateway = options.gateway();
    if (gateway === null) {
      return refusal(
        503,
        'NODE_NOT_RUNNING',
        'The node is not running yet; check the settings and try again.',
      );
    }
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${options.token}`);
    headers.set('host', APP_HOST);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const forwarded = new Request(url, {
      method: request.method,
      headers,
      signal: request.signal,
      ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
    } as RequestInit);
    return withCsp(await gateway.fetch(forwarded));
  };
}

/** The CSP rides on every response, not only HTML, so no document from this scheme is ever without it. */
function withCsp(response: Response): Response {
  response.headers.set('Content-Security-Policy', PAGE_CSP);
  return response;
}

function refusal(status: number, code: string, message: string): Response {
  return withCsp(
    new Response(JSON.stringify({ error: { code, message } }), {
      status,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    }),
  );
}
