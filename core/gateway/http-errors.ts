import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiError } from '../shared/api-types.js';
import { askedPath, isPeerStreamerError, type ErrorCode } from '../util/errors.js';

/**
 * Backend error codes -> HTTP statuses. The player reads the status to choose its words (503/504:
 * nothing reachable; 502: data failed integrity), so the mapping is part of the API.
 */
const STATUS_BY_CODE: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  VIDEO_NOT_FOUND: 404,
  CHUNK_NOT_FOUND: 404,
  INPUT_NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
  INVALID_NAME: 400,
  LEGACY_FORMAT: 409,
  // Going live (api/live): the name is taken, or the input's port is; the input is not usable media.
  VIDEO_EXISTS: 409,
  PORT_IN_USE: 409,
  FFMPEG_FAILED: 422,
  NOT_MEDIA: 422,
  CORRUPT_MEDIA: 422,
  // An unsigned video has no link to give: a fact of the video, not a failure of the node.
  UNTRUSTED_MANIFEST: 409,
  INVALID_CHECKSUM: 502,
  UNREACHABLE: 503,
  OVERLOADED: 503,
  TIMEOUT: 504,
};

const INTERNAL_MESSAGE = 'The node failed to answer this request; its log has the details.';

export interface HttpError {
  status: ContentfulStatusCode;
  body: ApiError;
}

export function apiError(status: ContentfulStatusCode, code: string, message: string): HttpError {
  return { status, body: { error: { code, message } } };
}

/**
 * Turns anything thrown by a backend into a status and a JSON body. Unknown errors become a bare
 * INTERNAL: their messages and stacks may carry file paths or internals the page has no business seeing.
 */
export function toHttpError(error: unknown): HttpError {
  if (isPeerStreamerError(error)) {
    const status = STATUS_BY_CODE[error.code];
    if (status === undefined) return apiError(500, 'INTERNAL', INTERNAL_MESSAGE);
    const http = apiError(status, error.code, error.message);
    // The player words a missing video itself, naming the nodes that looked for it.
    const asked = askedPath(error);
    if (asked.length > 0) http.body.error.asked = asked;
    return http;
  }
  return apiError(500, 'INTERNAL', INTERNAL_MESSAGE);
}
