import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs with the node's name on every line. Pretty-ish single lines go to stderr by default
 * so stdout stays free for data (`peerstreamer play` writes video there).
 */
export function createLogger(options: { name: string; json?: boolean; level?: string }): Logger {
  const level = options.level ?? process.env.PEERSTREAMER_LOG_LEVEL ?? 'info';
  return pino(
    { level, base: { node: options.name }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination(2),
  );
}

/** A logger that drops everything: for library use and tests that do not care about logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
