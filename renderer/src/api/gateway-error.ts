/**
 * What went wrong talking to the node, sorted by what the viewer can do about it. The feed retries
 * everything but `fatal`; the overlay picks its words from `kind`.
 */
export type FailureKind = 'unreachable' | 'integrity' | 'missing' | 'fatal';

export class GatewayFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly status: number | null,
    readonly code: string,
    message: string,
    /** With VIDEO_NOT_FOUND: the nodes that looked for the video, the player's own node first. */
    readonly asked: readonly string[] = [],
  ) {
    super(message);
    this.name = 'GatewayFailure';
  }
}

/** HTTP status -> kind. 503/504: no node, master or peer answered; 502: bytes failed their sha256. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 502) return 'integrity';
  if (status === 503 || status === 504 || status === 408 || status === 429) return 'unreachable';
  if (status === 404) return 'missing';
  if (status >= 500) return 'unreachable';
  return 'fatal';
}

export async function failureFromResponse(response: Response): Promise<GatewayFailure> {
  let code = `HTTP_${response.status}`;
  let message = `The node answered ${response.status} ${response.statusText}.`;
  let asked: string[] = [];
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; asked?: unknown } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    const path = body.error?.asked;
    if (Array.isArray(path)) asked = path.filter((name): name is string => typeof name === 'string');
  } catch {
    // Not JSON (a proxy or a crashed node): the status line above is all there is.
  }
  return new GatewayFailure(kindOfStatus(response.status), response.status, code, message, asked);
}

/** fetch() rejects with a TypeError when nothing answers at all: the node itself is gone. */
export function failureFromThrown(error: unknown): GatewayFailure {
  if (error instanceof GatewayFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayFailure('unreachable', null, 'NETWORK', `The node did not answer (${message}).`);
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
