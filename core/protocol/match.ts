/**
 * A reply can be well-formed and still answer a different question (a buggy or lying peer sending
 * chunk 7 when asked for chunk 8). These checks tie a reply to the request it claims to answer.
 */
import type { OkReply, Request } from './messages.js';

/** Why `reply` does not answer `request`, or null when it does. `reply` is an ok reply of the same type. */
export function replyMismatch(request: Request, reply: OkReply): string | null {
  if (reply.type !== `${request.type}-ok`) return `expected a ${request.type}-ok reply, got ${reply.type}`;
  if (request.type === 'get' && reply.type === 'get-ok') {
    if (reply.video !== request.video || reply.index !== request.index) {
      return `asked for ${request.video}#${request.index}, got ${reply.video}#${reply.index}`;
    }
  }
  if (request.type === 'query' && reply.type === 'query-ok') {
    if (reply.video !== request.video || reply.from !== request.from) {
      return `asked about ${request.video} from ${request.from}, got ${reply.video} from ${reply.from}`;
    }
    if (reply.holders.length !== request.count) {
      return `asked about ${request.count} indexes, got holders for ${reply.holders.length}`;
    }
    // Holders of another manifest would be holders of other content under the same name.
    if (request.digest !== undefined && reply.digest !== undefined && reply.digest !== request.digest) {
      return `asked for holders of manifest ${request.digest.slice(0, 8)}, got those of ${reply.digest.slice(0, 8)}`;
    }
  }
  if (request.type === 'get-poster' && reply.type === 'get-poster-ok' && reply.video !== request.video) {
    return `asked for the poster of ${request.video}, got that of ${reply.video}`;
  }
  if (request.type === 'get-manifest' && reply.type === 'get-manifest-ok') {
    if (reply.manifest.name !== request.video) {
      return `asked for the manifest of ${request.video}, got that of ${reply.manifest.name}`;
    }
  }
  return null;
}
