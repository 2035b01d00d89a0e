import { describe, expect, it } from 'vitest';
import { describeViewers, formatBytes, formatDuration, formatRate } from '../../core/shared/format.js';

describe('one way to write sizes, rates and durations', () => {
  it('writes sizes in binary units that say so', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12.2 * 2 ** 20)).toBe('12.2 MiB');
    expect(formatBytes(300 * 2 ** 20)).toBe('300 MiB');
    expect(formatBytes(3 * 2 ** 30)).toBe('3.0 GiB');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('floors durations to the second, as the player’s control bar does', () => {
    expect(formatDuration(7.6)).toBe('0:07');
    expect(formatDuration(59.99)).toBe('0:59');
    expect(formatDuration(83.4)).toBe('1:23');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(-3)).toBe('0:00');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('writes rates in bits per second', () => {
    expect(formatRate(0)).toBe('0 bit/s');
    expect(formatRate(500)).toBe('4 kbit/s');
    expect(formatRate(525_000)).toBe('4.2 Mbit/s');
  });
});

describe('a live stream’s viewer count', () => {
  it('reads "N watching", with a tooltip in the singular or the plural', () => {
    expect(describeViewers(0)).toEqual({
      text: '0 watching',
      title: 'No node is playing this stream right now',
    });
    expect(describeViewers(1)).toEqual({
      text: '1 watching',
      title: '1 node is playing this stream right now',
    });
    expect(describeViewers(3)).toEqual({
      text: '3 watching',
      title: '3 nodes are playing this stream right now',
    });
  });
});
