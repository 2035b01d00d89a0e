/**
 * The gateway's few routes that change something (going live and stopping: POST api/live and
 * api/live/<name>/stop), and the checks they pass beyond a read's. A read leaks at worst what the
 * page shows; a change started by another site or program would run ffmpeg or end a stream. So
 * besides the Host, Origin and token checks every request passes (gateway.ts, guard), a change must:
 *
 * - carry the token in its Authorization header (Electron's protocol handler, scripts) or in the
 *   player's cookie, never in the URL: links and external players hold a URL token, and a URL
 *   ends up in logs, history and other people's hands;
 * - when it rides on the cookie, come with an Origin, which must then be ours (checked in guard):
 *   every browser sends one on a POST, so a missing one is not our page;
 * - send its body as `Content-Type: application/json`: a cross-site form cannot, and a cross-site
 *   fetch that does needs a preflight, which the gateway refuses (OPTIONS is 405);
 * - keep its body within MAX_BODY_BYTES.
 */
import { PeerStreamerError } from '../util/errors.js';
import { apiError, type HttpError } from './http-errors.js';
import type { OfferedToken } from './security.js';

/** A go-live request is a few short fields; a file's path is the longest (4096 bytes at most). */
export const MAX_BODY_BYTES = 16 * 1024;

const MUTATING_PATHS = [/^\/api\/live$/, /^\/api\/live\/[^/]+\/stop$/];

/** Whether POST is allowed on `pathname` (the gateway is read-only elsewhere). */
export function isMutatingPath(pathname: string): boolean {
  return MUTATING_PATHS.some((pattern) => pattern.test(pathname));
}

/** Why a change may not go ahead, once Host, Origin (when sent) and token have passed; else null. */
export function mutationProblem(
  request: Request,
  offered: OfferedToken,
  origin: string | undefined,
): HttpError | null {
  if (offered.via === 'query') {
    return apiError(
      403,
      'TOKEN_IN_URL',
      'A request that changes something must carry the token in its Authorization header (Bearer) or the player’s cookie, not in the URL; use the player, or send the header.',
    );
  }
  if (offered.via === 'cookie' && origin === undefined) {
    return apiError(
      403,
      'ORIGIN_REQUIRED',
      'A change sent with the player’s cookie must carry the Origin header its page sends; use the player this node serves.',
    );
  }
  const type = request.headers.get('content-type') ?? '';
  if (type.split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return apiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `The body must be JSON sent as Content-Type: application/json; got ${type === '' ? 'no Content-Type' : JSON.stringify(type)}.`,
    );
  }
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) return tooLarge();
  return null;
}

/**
 * The request body as one JSON object, bounded by MAX_BODY_BYTES however it is sent (a stream has
 * no Content-Length). Anything else is INVALID_ARGUMENT naming the body; `emptyIs` stands in for
 * an empty body where every field is optional.
 */
export async function readJsonObject(
  request: Request,
  options: { emptyIs?: Record<string, unknown> } = {},
): Promise<Record<string, unknown>> {
  const bytes = await readBounded(request);
  const text = new TextDecoder().decode(bytes).trim();
  if (text === '' && options.emptyIs !== undefined) return options.emptyIs;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 100) : 'unreadable';
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `The request body is not JSON (${reason}); send one JSON object of fields, e.g. {"name": "Morning show", "input": "testsrc", "loop": false, "window": 0}.`,
      { field: 'body' },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `The request body must be a JSON object of fields; got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}.`,
      { field: 'body' },
    );
  }
  return value as Record<string, unknown>;
}

async function readBounded(request: Request): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError();
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}

/** Thrown by readJsonObject past MAX_BODY_BYTES; the gateway answers it with its 413. */
export class BodyTooLargeError extends Error {
  readonly http = tooLarge();
}

function tooLarge(): HttpError {
  return apiError(
    413,
    'BODY_TOO_LARGE',
    `The request body is larger than ${MAX_BODY_BYTES} bytes; a go-live request is a few short fields.`,
  );
}
