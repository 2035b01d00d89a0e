import path from 'node:path';
import { PeerStreamerError } from '../util/errors.js';
import { parseByteSize, parseDuration } from '../util/units.js';
import { tcpAddressProblem } from '../protocol/address.js';

/** Everything a node needs to start. Built from flags (CLI and the desktop app's --node) or settings. */
export interface NodeConfig {
  name: string;
  /** Port of this node's ROUTER socket. */
  port: number;
  /** Address other nodes use to reach this one (advertised in register). */
  ip: string;
  /** Interface the ROUTER binds to. */
  bindIp: string;
  store: string;
  master?: string;
  supermaster?: string;
  cacheBytes?: number;
  /** Upload limit for serving chunks to others, bytes per second; undefined = unlimited. */
  uploadBytesPerSecond?: number;
  jsonLogs: boolean;
  readAhead: number;
  fetchConcurrency: number;
  /** How long one peer may take for one chunk before the next holder is tried (default 1.5 s). */
  peerTimeoutMs?: number;
  /** Budget of the library prefetch (init + chunk 0 of listed videos) in bytes; 0 turns it off. */
  libraryPrefetchBytes: number;
  /** Serve the player over loopback HTTP. */
  ui: boolean;
  uiPort: number;
  uiHost: string;
}

/** The flags of `peerstreamer node` (and `<app> --node`), with the original system's names as aliases. */
export const NODE_FLAG_SPEC = {
  name: { type: 'string' },
  port: { type: 'string' },
  ip: { type: 'string' },
  bind: { type: 'string' },
  store: { type: 'string' },
  chunkdirectory: { type: 'string' },
  videodatabase: { type: 'string' },
  master: { type: 'string' },
  supermaster: { type: 'string' },
  'cache-size': { type: 'string' },
  'upload-limit': { type: 'string' },
  'read-ahead': { type: 'string' },
  'fetch-concurrency': { type: 'string' },
  'peer-timeout': { type: 'string' },
  'library-prefetch': { type: 'string' },
  'json-logs': { type: 'boolean' },
  ui: { type: 'boolean' },
  'ui-port': { type: 'string' },
  'ui-host': { type: 'string' },
} as const;

export const NODE_FLAGS_HELP = `  --name <name>            this node's name, unique among its master's children (required)
  --port <port>            port this node listens on (required; 0 = any free port, named in the ready line)
  --ip <ip>                address other nodes use to reach this one (default 127.0.0.1; 0.0.0.0 works on one machine)
  --bind <ip>              interface to listen on (default 0.0.0.0)
  --store <dir>            this node's store (alias: --chunkdirectory; for a source also --videodatabase)
  --master <tcp://h:p>     the master to register with; without it this node is a source
  --supermaster <tcp://h:p> fallback master while the master is gone
  --cache-size <size>      cap on the store, e.g. 2GiB or 500MiB (default: unlimited)
  --upload-limit <rate>    cap on chunk serving per second, e.g. 5MiB (default: unlimited)
                           Sizes: k/m/g and KiB/MiB/GiB are binary (1 MiB = 1024 KiB, as the
                           player and stats print them); KB/MB/GB are decimal (1 MB = 1000 kB).
  --read-ahead <n>         chunks fetched ahead of a stream's position (default 10)
  --fetch-concurrency <n>  fetches in flight per stream (default 4)
  --peer-timeout <time>    how long a peer may take for one chunk before the next holder is tried
                           (default 1.5s; raise it on slow or lossy links, e.g. 5s)
  --library-prefetch <size> bytes of video starts fetched while the library shows (default 32MiB; 0 = off)
  --json-logs              JSON log lines (default: readable lines)
  --ui                     serve the player on loopback HTTP and print its URL
  --ui-port <port>         port for --ui (default: any free port)
  --ui-host <ip>           interface for --ui (default 127.0.0.1)`;

type FlagValues = Record<string, string | boolean | undefined>;

function bad(flag: string, value: unknown, what: string): PeerStreamerError {
  return new PeerStreamerError(
    'INVALID_ARGUMENT',
    `--${flag} ${JSON.stringify(value)} is not valid: ${what}.`,
    {
      flag,
      value,
    },
  );
}

function portFrom(flag: string, value: string | undefined, allowZero: boolean): number {
  if (
    value === undefined ||
    !/^\d{1,5}$/.test(value) ||
    Number(value) > 65535 ||
    (!allowZero && Number(value) === 0)
  ) {
    throw bad(flag, value, `give a port number from ${allowZero ? 0 : 1} to 65535`);
  }
  return Number(value);
}

function countFrom(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw bad(flag, value, `give a whole number from 1 to ${max}`);
  }
  return Number(value);
}

/**
 * The original ran every node with `--ip 0.0.0.0` and `--master tcp://0.0.0.0:7999` on one machine.
 * Nobody can connect to a wildcard, so it is read as "this machine": loopback.
 */
function reachable(host: string): string {
  return host === '0.0.0.0' || host === '*' ? '127.0.0.1' : host === '::' ? '::1' : host;
}

function masterAddress(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const normalised = value.replace(/^tcp:\/\/(0\.0\.0\.0|\*)(?=:)/, 'tcp://127.0.0.1');
  const problem = tcpAddressProblem(normalised);
  if (problem !== null) throw bad(flag, value, `${problem} (e.g. tcp://192.0.2.10:7999)`);
  return normalised;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function nodeConfigFromFlags(values: FlagValues): NodeConfig {
  const text = (flag: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : undefined;
  };
  const name = text('name');
  if (name === undefined)
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--name is required: give this node a name unique among its master’s children.',
    );
  if (!NAME_PATTERN.test(name)) {
    throw bad('name', name, "use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit");
  }
  if (text('port') === undefined)
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--port is required: the port this node listens on, e.g. --port 7999.',
    );
  // Port 0 binds any free port; the node reports the one it got in its ready line.
  const port = portFrom('port', text('port'), true);
  const ip = reachable(text('ip') ?? '127.0.0.1');
  // Only the host is checked here: an advertised address may not name port 0, but the bound port will.
  if (tcpAddressProblem(`tcp://${ip.includes(':') ? `[${ip}]` : ip}:${port || 1}`) !== null) {
    throw bad('ip', text('ip'), 'give an IPv4/IPv6 address or host name other nodes can reach');
  }
  const bindIp = text('bind') ?? '0.0.0.0';
  if (
    tcpAddressProblem(`tcp://${bindIp.includes(':') ? `[${bindIp}]` : bindIp}:${port}`, { forBind: true }) !==
    null
  ) {
    throw bad('bind', bindIp, 'give an interface address such as 0.0.0.0 or 127.0.0.1');
  }
  const storeFlags = (['store', 'chunkdirectory', 'videodatabase'] as const).filter(
    (flag) => text(flag) !== undefined,
  );
  if (storeFlags.length === 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--store is required: the directory of this node’s store (the original --chunkdirectory / --videodatabase).',
    );
  }
  if (storeFlags.length > 1) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--${storeFlags.join(' and --')} both name a store; give one (they are aliases).`,
    );
  }
  const master = masterAddress('master', text('master'));
  const supermaster = masterAddress('supermaster', text('supermaster'));
  if (supermaster !== undefined && master === undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--supermaster needs --master: it is the fallback for the master.',
    );
  }
  const cache = text('cache-size');
  const upload = text('upload-limit');
  return {
    name,
    port,
    ip,
    bindIp,
    store: path.resolve(text(storeFlags[0]!)!),
    ...(master !== undefined ? { master } : {}),
    ...(supermaster !== undefined ? { supermaster } : {}),
    ...(cache !== undefined ? { cacheBytes: parseByteSize(cache, '--cache-size') } : {}),
    ...(upload !== undefined
      ? { uploadBytesPerSecond: parseByteSize(upload.replace(/\/s$/i, ''), '--upload-limit') }
      : {}),
    jsonLogs: values['json-logs'] === true,
    readAhead: countFrom('read-ahead', text('read-ahead'), 10, 1000),
    fetchConcurrency: countFrom('fetch-concurrency', text('fetch-concurrency'), 4, 64),
    ...peerTimeoutFrom(text('peer-timeout')),
    libraryPrefetchBytes: libraryPrefetchFrom(text('library-prefetch')),
    ui: values.ui === true,
    uiPort: text('ui-port') === undefined ? 0 : portFrom('ui-port', text('ui-port'), true),
    uiHost: text('ui-host') ?? '127.0.0.1',
  };
}

/** 0.1 s to 2 min: below, a healthy peer on a WAN would always lose; above, a dead one stalls a play. */
function peerTimeoutFrom(value: string | undefined): { peerTimeoutMs?: number } {
  if (value === undefined) return {};
  const seconds = parseDuration(value, '--peer-timeout');
  if (seconds < 0.1 || seconds > 120) throw bad('peer-timeout', value, 'give a time from 100ms to 2m');
  return { peerTimeoutMs: Math.round(seconds * 1000) };
}

/** Default budget of the library prefetch: the starts of a few dozen videos at typical bitrates. */
export const LIBRARY_PREFETCH_BYTES = 32 * 1024 * 1024;

function libraryPrefetchFrom(value: string | undefined): number {
  if (value === undefined) return LIBRARY_PREFETCH_BYTES;
  return /^\s*(0|off)\s*$/i.test(value) ? 0 : parseByteSize(value, '--library-prefetch');
}

export function advertisedAddress(config: Pick<NodeConfig, 'ip' | 'port'>): string {
  return `tcp://${config.ip.includes(':') ? `[${config.ip}]` : config.ip}:${config.port}`;
}
