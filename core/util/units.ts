import { PeerStreamerError } from './errors.js';

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses sizes as the original's `-c 1m` did (k/m/g are binary) and as people write them
 * (`2GB` decimal, `2GiB` binary). Rejects anything else with an error naming the flag.
 */
export function parseByteSize(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const multiplier = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || multiplier === undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${flag} ${JSON.stringify(text)} is not a size. Write a number with an optional unit, e.g. 512k, 1m, 2GB or 1.5GiB.`,
      { flag, value: text },
    );
  }
  const bytes = Math.round(Number(match[1]) * multiplier);
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${flag} ${JSON.stringify(text)} must be greater than zero.`,
      {
        flag,
        value: text,
      },
    );
  }
  return bytes;
}

/** Parses `2s`, `1.5`, `500ms` or `1m` into seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*$/i.exec(text);
  if (!match) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${flag} ${JSON.stringify(text)} is not a duration. Write seconds, e.g. 2s, 0.5s, 1500ms or 1m.`,
      { flag, value: text },
    );
  }
  const unit = (match[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 0.001 : unit === 's' ? 1 : 60;
  const seconds = Number(match[1]) * factor;
  if (!(seconds > 0)) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${flag} ${JSON.stringify(text)} must be greater than zero.`,
      {
        flag,
        value: text,
      },
    );
  }
  return seconds;
}
