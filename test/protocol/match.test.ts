import { describe, expect, it } from 'vitest';
import { replyMismatch } from '../../core/protocol/match.js';
import { replies, requests } from './fixtures.js';

describe('replies must answer the request they claim to', () => {
  it('accepts matching replies', () => {
    expect(replyMismatch({ type: 'get', ...requests.get }, { type: 'get-ok', ...replies.get })).toBeNull();
    expect(
      replyMismatch({ type: 'query', ...requests.query }, { type: 'query-ok', ...replies.query }),
    ).toBeNull();
    expect(
      replyMismatch(
        { type: 'get-manifest', ...requests['get-manifest'] },
        { type: 'get-manifest-ok', ...replies['get-manifest'] },
      ),
    ).toBeNull();
    expect(
      replyMismatch(
        { type: 'get-poster', ...requests['get-poster'] },
        { type: 'get-poster-ok', ...replies['get-poster'] },
      ),
    ).toBeNull();
  });

  it('refuses another chunk, another video, another count, another type', () => {
    expect(
      replyMismatch({ type: 'get', ...requests.get }, { type: 'get-ok', ...replies.get, index: 1 }),
    ).toContain('#1');
    expect(
      replyMismatch({ type: 'query', ...requests.query, count: 2 }, { type: 'query-ok', ...replies.query }),
    ).toContain('2');
    expect(
      replyMismatch({ type: 'query', ...requests.query, video: 'w' }, { type: 'query-ok', ...replies.query }),
    ).not.toBeNull();
    expect(
      replyMismatch(
        { type: 'get-manifest', video: 'w' },
        { type: 'get-manifest-ok', ...replies['get-manifest'] },
      ),
    ).not.toBeNull();
    expect(
      replyMismatch({ type: 'get-poster', video: 'w' }, { type: 'get-poster-ok', ...replies['get-poster'] }),
    ).toContain('poster of w');
    expect(replyMismatch({ type: 'ping' }, { type: 'bye-ok' })).toContain('ping-ok');
  });
});
