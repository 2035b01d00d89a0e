/**
 * The update failures' wording for the cases the feed tests (update-service.test.ts) cannot produce
 * on demand.
 */
import { describe, expect, it } from 'vitest';
import { describeUpdateError } from '../../../electron/update/update-errors.js';

describe('describeUpdateError', () => {
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('a server that does not answer in time', () => {
    expect(describeUpdateError(new Error('Request timed out'), null)).toBe(
      'The update server did not answer (Request timed out).',
    );
  });

  it('a release without metadata for this platform', () => {
    expect(
      describeUpdateError(
        coded(
          'Cannot find latest-linux.yml in the latest release artifacts',
          'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
        ),
        null,
      ),
    ).toBe(
      'The latest release has no update metadata for this platform (Cannot find latest-linux.yml in the latest release artifacts).',
    );
  });

  it('anything else keeps its own words, on one bounded line', () => {
    const long = `first line\n${'x'.repeat(400)}`;
    const described = describeUpdateError(new Error(long), '0.2.0');
    expect(described).toMatch(/^Update 0\.2\.0 could not be checked or downloaded \(first line x+…\)\.$/);
    expect(described.length).toBeLessThan(400);
  });
});
