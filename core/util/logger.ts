import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OMITTED = new Set(['level', 'time', 'msg', 'node', 'pid', 'hostname']);

/** Renders pino's JSON lines as `time LEVEL [node] message key=value ...` for people at a terminal. */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key, value]) => !OMITTED.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${level.padEnd(5)} [${String(record.node ?? '-')}] ${String(record.msg ?? '')}${fields ? `  ${fields}` : ''}\n`;
}

function readableStderr(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n')) if (line.trim() !== '') process.stderr.write(formatLogLine(line));
      callback();
    },
  });
}

/**
 * Structured logs with the node's name on every line. They go to stderr so stdout stays free for
 * data (`peerstreamer play` writes video there): JSON lines with `json`, readable lines otherwise.
 */
export function createLogger(options: { name: string; json?: boolean; level?: string }): Logger {
  const level = options.level ?? process.env.PEERSTREAMER_LOG_LEVEL ?? 'info';
  const destination = options.json ? pino.destination({ fd: 2, sync: true }) : readableStderr();
  return pino({ level, base: { node: options.name }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/**
 * One for the whole process: a pino logger opens its own destination (a stream on stdout with an
 * exit hook), which for a simulated swarm was one per node: a few per cent of a large run's time.
 */
let silent: Logger | undefined;

/** A logger that drops everything: for library use and tests that do not care about logs. */
export function silentLogger(): Logger {
  silent ??= pino({ level: 'silent' });
  return silent;
}
