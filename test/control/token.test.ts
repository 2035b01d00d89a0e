/**
 * The control token: made fresh, stored privately, read back only when it is one, and compared so
 * that only the node's own token of this run passes.
 */
import { lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlProblem } from '../../core/control/errors.js';
import {
  TOKEN_FILE,
  authorize,
  createToken,
  readTokenFile,
  tokenMatches,
  writeTokenFile,
} from '../../core/control/token.js';
import { lacks, requires } from '../helpers/requirements.js';
import { Fixture } from './helpers.js';

const noFileModes = lacks(requires.posixFileModes);

const fixture = new Fixture();
afterAll(() => fixture.cleanup());

function refusal(run: () => void): ControlProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof ControlProblem) return error;
    throw error;
  }
  throw new Error('expected UNAUTHORIZED');
}

describe('createToken', () => {
  it('is 32 random bytes in lower-case hex, new every time', () => {
    const tokens = Array.from({ length: 50 }, () => createToken());
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('the token file', () => {
  it('round-trips, replacing the one before, and leaves no temp file', async () => {
    const store = fixture.dir('store');
    const first = createToken();
    await writeTokenFile(store, first);
    expect(await readTokenFile(store)).toBe(first);
    const second = createToken();
    await writeTokenFile(store, second);
    expect(await readTokenFile(store)).toBe(second);
    expect(readFileSync(path.join(store, TOKEN_FILE), 'utf8')).toBe(`${second}\n`);
    expect(readdirSync(store)).toEqual([TOKEN_FILE]);
  });

  it.skipIf(noFileModes)('is readable by its owner only (mode 0600), whatever the umask', async () => {
    const store = fixture.dir('store');
    const previous = process.umask(0o000);
    try {
      await writeTokenFile(store, createToken());
    } finally {
      process.umask(previous);
    }
    expect(lstatSync(path.join(store, TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });

  it('the Windows branch writes it too (its rename retries while a scanner holds the file)', async () => {
    const store = fixture.dir('store');
    const token = createToken();
    await writeTokenFile(store, token, 'win32');
    expect(await readTokenFile(store)).toBe(token);
  });

  it.each([
    ['is absent', undefined],
    ['is empty', ''],
    ['is too short', 'abc123\n'],
    ['is upper-case', `${'A'.repeat(64)}\n`],
    ['has two tokens', `${createToken()}\n${createToken()}\n`],
    ['is binary noise', Buffer.from([0xff, 0x00, 0xfe, 0x0a])],
    ['is huge', 'a'.repeat(1024 * 1024)],
  ])('reads as no token when it %s', async (_what, content) => {
    const store = fixture.dir('store');
    if (content !== undefined) writeFileSync(path.join(store, TOKEN_FILE), content);
    expect(await readTokenFile(store)).toBeUndefined();
  });

  it('reads as no token when a directory is in its place, or the store is missing', async () => {
    const store = fixture.dir('store');
    mkdirSync(path.join(store, TOKEN_FILE));
    expect(await readTokenFile(store)).toBeUndefined();
    expect(await readTokenFile(path.join(store, 'no-such-store'))).toBeUndefined();
  });
});

describe('tokenMatches', () => {
  const token = createToken();

  it('only the token itself matches', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token.slice(0, 63)}${token[63] === '0' ? '1' : '0'}`)).toBe(false);
    expect(tokenMatches(token, token.toUpperCase())).toBe(token === token.toUpperCase());
    expect(tokenMatches(token, `${token} `)).toBe(false);
    expect(tokenMatches(token, token.slice(0, 32))).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, token.repeat(1000))).toBe(false);
    expect(tokenMatches(token, createToken())).toBe(false);
  });

  it.each([[null], [42], [true], [[token]], [{ token }]])('%j is no token', (given) => {
    expect(tokenMatches(token, given)).toBe(false);
  });
});

describe('authorize', () => {
  const token = createToken();
  const access = { token };

  it('lets the token through, and refuses a request without one, saying where a client finds it', () => {
    expect(() => authorize(access, token)).not.toThrow();
    const missing = refusal(() => authorize(access, undefined));
    expect(missing.code).toBe('UNAUTHORIZED');
    expect(missing.message).toMatch(/needs the token .* \(field "token"\)/);
  });

  it.each([
    ['a wrong token', createToken()],
    ['a token from an old run', createToken()],
    ['an oversize token', 'f'.repeat(60_000)],
    ['a number', 7],
    ['an empty string', ''],
  ])('%s is refused, without naming the store or the token', (_what, given) => {
    const problem = refusal(() => authorize(access, given));
    expect(problem.code).toBe('UNAUTHORIZED');
    expect(problem.message).toMatch(/not this node’s .*read control.token again/);
    expect(problem.message).not.toContain(token);
  });
});
