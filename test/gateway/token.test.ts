import { describe, expect, it } from 'vitest';
import { REDACTED, createGatewayToken, redactToken } from '../../core/gateway/token.js';

describe('redactToken', () => {
  it.each([
    ['/api/videos?token=abc', `/api/videos?token=${REDACTED}`],
    ['http://127.0.0.1:8080/?token=abc', `http://127.0.0.1:8080/?token=${REDACTED}`],
    // Only the token's value goes; the rest of the query stays byte for byte.
    ['/hls/a%20b.m3u8?v=1&token=abc&x=%2F', `/hls/a%20b.m3u8?v=1&token=${REDACTED}&x=%2F`],
    // Every copy, and a key the gateway decodes to `token`.
    ['/?token=a&token=b', `/?token=${REDACTED}&token=${REDACTED}`],
    ['/?%74oken=abc', `/?%74oken=${REDACTED}`],
    // Present but empty, or without `=`: still a token parameter, still redacted.
    ['/?token=', `/?token=${REDACTED}`],
    ['/?token', `/?token=${REDACTED}`],
    ['/?x=1#token=abc', '/?x=1#token=abc'],
    ['/?token=abc#top', `/?token=${REDACTED}#top`],
  ])('%s -> %s', (url, expected) => {
    expect(redactToken(url)).toBe(expected);
  });

  it.each(['/api/videos', '/?tokens=abc', '/?mytoken=abc', '/?x=token%3Dabc', '/?%zz=1&y'])(
    'leaves %s as it was: no token parameter',
    (url) => {
      expect(redactToken(url)).toBe(url);
    },
  );

  it('takes out a real token', () => {
    const token = createGatewayToken();
    expect(redactToken(`http://[::1]:9/?token=${token}`)).not.toContain(token);
  });
});
