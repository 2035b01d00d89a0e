import path from 'node:path';
import { MAX_CHILDREN_LIMIT } from '../protocol/limits.js';
import { PeerStreamerError } from '../util/errors.js';
import { parseByteSize, parseDuration } from '../util/units.js';
import { tcpAddressProblem } from '../protocol/address.js';
import { peerAddressProblem, splitPeerAddress, type PeerAddress } from '../protocol/peer-key.js';
import { NODE_READ_AHEAD, type ReadAheadPolicy } from '../shared/read-ahead-policy.js';
import { publisherKeyProblem } from '../trust/publisher-key.js';
import { parseVideoLink, type VideoLink } from '../link/video-link.js';
import { joinPlacement } from '../link/join-placement.js';

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
  /** `tcp://host:port`; a key given with it (`#<key>`) is in masterKey. */
  master?: string;
  masterKey?: string;
  supermaster?: string;
  supermasterKey?: string;
  /**
   * Further masters to try, in order, when neither the master nor the supermaster answers: a
   * `--join` link's peers past its first two (the first is the master, the second the supermaster).
   */
  fallbacks?: PeerAddress[];
  /** `--allow`: the file of keys of a closed swarm; others are refused at the handshake. */
  allowFile?: string;
  /** The swarm publisher's key to trust (`--publisher`); without it, the first master's is pinned. */
  publisher?: string;
  /** True when master, supermaster and publisher came from `--join <link>` (stats name the pin's origin so). */
  joined?: boolean;
  cacheBytes?: number;
  /** Upload limit for serving chunks to others, bytes per second; undefined = unlimited. */
  uploadBytesPerSecond?: number;
  jsonLogs: boolean;
  /** How far a stream (and the local player's read-ahead) reads ahead, and fetches at once. */
  readAhead: ReadAheadPolicy;
  /** How long one peer may take for one chunk before the next holder is tried (default 1.5 s). */
  peerTimeoutMs?: number;
  /** How long a master keeps a child that stopped answering before dropping it (default 2.5 s). */
  childTimeoutMs?: number;
  /** The most children this node takes; past that it sends newcomers to its children (default: no limit). */
  maxChildren?: number;
  /** Budget of the library prefetch (init + chunk 0 of listed videos) in bytes; 0 turns it off. */
  libraryPrefetchBytes: number;
  /**
   * Ask the home router to open the port (NAT-PMP, then UPnP) and advertise the outside address it
   * gives (`--port-mapping on`; the desktop app's setting, on by default).
   */
  portMapping: boolean;
  /** Serve the player over loopback HTTP. */
  ui: boolean;
  uiPort: number;
  uiHost: string;
}

/**
 * The flags of `peerstreamer node` (and `<app> --node`), with the original system's names as aliases
 * of --store. One line of help each; the CLI hands them to commander, the app prints them as they are.
 */
export const NODE_FLAGS: ReadonlyArray<{ flag: keyof NodeFlagValues; value?: string; help: string }> = [
  { flag: 'name', value: '<name>', help: "this node's name, unique among its master's children (required)" },
  {
    flag: 'port',
    value: '<port>',
    help: 'port this node listens on (required; 0 = any free port, named in the ready line)',
  },
  {
    flag: 'ip',
    value: '<ip>',
    help: 'address other nodes use to reach this one (default 127.0.0.1; 0.0.0.0 works on one machine)',
  },
  { flag: 'bind', value: '<ip>', help: 'interface to listen on (default 0.0.0.0)' },
  {
    flag: 'port-mapping',
    value: '<on|off>',
    help: 'ask the home router to open --port (NAT-PMP, then UPnP) and advertise the outside address it gives instead of --ip, so peers can dial a node behind a NAT (default off; the desktop app: on)',
  },
  {
    flag: 'store',
    value: '<dir>',
    help: "this node's store (required; alias: --chunkdirectory; for a source also --videodatabase)",
  },
  { flag: 'chunkdirectory', value: '<dir>', help: "the original system's name for --store" },
  { flag: 'videodatabase', value: '<dir>', help: "the original system's name for a source's --store" },
  {
    flag: 'master',
    value: '<tcp://h:p>',
    help: 'the master to register with; without it this node is a source. tcp://h:p#<key> names its key; without one, the key is learned on first contact and pinned',
  },
  {
    flag: 'supermaster',
    value: '<tcp://h:p>',
    help: 'fallback master while the master is gone (#<key> as for --master)',
  },
  {
    flag: 'join',
    value: '<link>',
    help: "join the swarm of a video's link (from `peerstreamer link`): its first node that answers is the master, the others fallbacks, and its publisher is trusted as --publisher would pin it; instead of --master/--supermaster/--publisher",
  },
  {
    flag: 'allow',
    value: '<file>',
    help: 'a closed swarm: only nodes whose keys the file lists (one a line, # comments) may connect',
  },
  {
    flag: 'publisher',
    value: '<key>',
    help: "the publisher key whose videos to trust (a source prints its own in its ready line); default: the first master's, trusted on first use and kept",
  },
  { flag: 'cache-size', value: '<size>', help: 'cap on the store, e.g. 2GiB or 500MiB (default: unlimited)' },
  {
    flag: 'upload-limit',
    value: '<rate>',
    help: 'cap on chunk serving per second, e.g. 5MiB (default: unlimited)',
  },
  {
    flag: 'read-ahead',
    value: '<time>',
    help: `media fetched ahead of a stream's position, e.g. 30s (default ${NODE_READ_AHEAD.aheadSeconds}s)`,
  },
  {
    flag: 'fetch-concurrency',
    value: '<n>',
    help: `fetches in flight per stream (default ${NODE_READ_AHEAD.fetchesAtOnce})`,
  },
  {
    flag: 'peer-timeout',
    value: '<time>',
    help: 'how long a peer may take for one chunk before the next holder is tried (default 1.5s; raise it on slow or lossy links, e.g. 5s)',
  },
  {
    flag: 'max-children',
    value: '<n>',
    help: 'the most children this node takes; past that, newcomers and failing-over orphans are sent to its children with room, and past twice that (at least 8 more) refused (default 64; about upload Mbit/s / (video Mbit/s x 1.25), less the one stream it passes on to its own siblings)',
  },
  {
    flag: 'child-timeout',
    value: '<time>',
    help: 'how long a master keeps a child that stopped answering before dropping it and its chunks (default 2.5s; raise it on lossy links)',
  },
  {
    flag: 'library-prefetch',
    value: '<size>',
    help: 'bytes of video starts fetched while the library shows (default 32MiB; 0 = off)',
  },
  { flag: 'json-logs', help: 'JSON log lines (default: readable lines)' },
  { flag: 'ui', help: 'serve the player on loopback HTTP and print its URL' },
  { flag: 'ui-port', value: '<port>', help: 'port for --ui (default: any free port)' },
  { flag: 'ui-host', value: '<ip>', help: 'interface for --ui (default 127.0.0.1)' },
];

export const NODE_SIZES_NOTE =
  'Sizes: k/m/g and KiB/MiB/GiB are binary (1 MiB = 1024 KiB, as the player and stats print them); KB/MB/GB are decimal (1 MB = 1000 kB).';

export const NODE_FLAGS_HELP = [
  ...NODE_FLAGS.map(
    ({ flag, value, help }) => `  ${`--${flag}${value ? ` ${value}` : ''}`.padEnd(25)} ${help}`,
  ),
  NODE_SIZES_NOTE,
].join('\n');

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

// Port 0 binds any free port; the node reports the one it got in its ready line.
function portFrom(flag: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw bad(flag, value, 'give a port number from 0 to 65535');
  }
  return Number(value);
}

function countFrom(flag: string, value: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw bad(flag, value, `give a whole number from 1 to ${max}`);
  }
  return Number(value);
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function nodeName(value: string): string {
  if (!NAME_PATTERN.test(value)) {
    throw bad(
      'name',
      value,
      "use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit",
    );
  }
  return value;
}

function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The original ran every node with `--ip 0.0.0.0` and `--master tcp://0.0.0.0:7999` on one machine.
 * Nobody can connect to a wildcard, so it is read as "this machine": loopback.
 */
function advertisedIp(value: string): string {
  const ip = value === '0.0.0.0' || value === '*' ? '127.0.0.1' : value === '::' ? '::1' : value;
  // Only the host is checked: the port is checked by --port.
  if (tcpAddressProblem(`tcp://${bracketed(ip)}:1`) !== null) {
    throw bad('ip', value, 'give an IPv4/IPv6 address or host name other nodes can reach');
  }
  return ip;
}

/** `--port-mapping`: a switch spelled out, so a setting and a flag read the same. */
function onOrOff(flag: string): (value: string) => boolean {
  return (value) => {
    const word = value.trim().toLowerCase();
    if (word === 'on') return true;
    if (word === 'off') return false;
    throw bad(flag, value, 'give on or off');
  };
}

function bindIp(value: string): string {
  if (tcpAddressProblem(`tcp://${bracketed(value)}:0`, { forBind: true }) !== null) {
    throw bad('bind', value, 'give an interface address such as 0.0.0.0 or 127.0.0.1');
  }
  return value;
}

function storeDir(flag: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw bad(flag, value, "give the directory of this node's store");
    return value;
  };
}

function masterAddress(flag: string): (value: string) => string {
  return (value) => {
    const normalised = value.replace(/^tcp:\/\/(0\.0\.0\.0|\*)(?=:)/, 'tcp://127.0.0.1');
    const problem = peerAddressProblem(normalised);
    if (problem !== null) {
      throw bad(flag, value, `${problem} (e.g. tcp://192.0.2.10:7999, or tcp://192.0.2.10:7999#<its key>)`);
    }
    return normalised;
  };
}

/**
 * One validator per value flag. Each names its flag and says what to give; the CLI and the app call
 * them as commander's argument parsers, so a bad value is refused while the flags are read.
 */
export const NODE_FLAG_VALUES = {
  name: nodeName,
  port: (value: string) => portFrom('port', value),
  ip: advertisedIp,
  bind: bindIp,
  'port-mapping': onOrOff('port-mapping'),
  store: storeDir('store'),
  chunkdirectory: storeDir('chunkdirectory'),
  videodatabase: storeDir('videodatabase'),
  master: masterAddress('master'),
  supermaster: masterAddress('supermaster'),
  join: joinLink,
  publisher: publisherKey,
  'cache-size': (value: string) => parseByteSize(value, '--cache-size'),
  'upload-limit': (value: string) => parseByteSize(value.replace(/\/s$/i, ''), '--upload-limit'),
  'read-ahead': readAheadSeconds,
  'fetch-concurrency': (value: string) => countFrom('fetch-concurrency', value, 64),
  'peer-timeout': peerTimeoutMs,
  'child-timeout': childTimeoutMs,
  'max-children': (value: string) => countFrom('max-children', value, MAX_CHILDREN_LIMIT),
  'library-prefetch': libraryPrefetchBytes,
  'ui-port': (value: string) => portFrom('ui-port', value),
  'ui-host': (value: string) => value,
  allow: (value: string) => {
    if (value.trim() === '') throw bad('allow', value, 'give the file of allowed node keys');
    return path.resolve(value);
  },
};

type ValueFlag = keyof typeof NODE_FLAG_VALUES;

/** The node's flags as read: each value flag through its validator, switches as booleans. */
export type NodeFlagValues = { [F in ValueFlag]?: ReturnType<(typeof NODE_FLAG_VALUES)[F]> } & {
  'json-logs'?: boolean;
  ui?: boolean;
};

/** From flags as text (settings, the demo, tests): each through its validator, then as the CLI's. */
export function nodeConfigFromFlags(values: Record<string, string | boolean | undefined>): NodeConfig {
  const read: Record<string, unknown> = { 'json-logs': values['json-logs'] === true, ui: values.ui === true };
  for (const [flag, parse] of Object.entries(NODE_FLAG_VALUES)) {
    const value = values[flag];
    if (typeof value === 'string') read[flag] = parse(value);
  }
  return nodeConfigFromValues(read as NodeFlagValues);
}

/** What no single flag can check: the required ones, the store's aliases, and flags that need others. */
export function nodeConfigFromValues(given: NodeFlagValues): NodeConfig {
  const values = withJoinedLink(given);
  const { name, port } = values;
  const master = values.master === undefined ? undefined : splitPeerAddress(values.master);
  const supermaster = values.supermaster === undefined ? undefined : splitPeerAddress(values.supermaster);
  const fallbacks = (values.join === undefined ? [] : joinPlacement(values.join).fallbacks).map(
    splitPeerAddress,
  );
  if (name === undefined)
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--name is required: give this node a name unique among its master’s children.',
    );
  if (port === undefined)
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--port is required: the port this node listens on, e.g. --port 7999.',
    );
  const storeFlags = (['store', 'chunkdirectory', 'videodatabase'] as const).filter(
    (flag) => values[flag] !== undefined,
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
  if (values.publisher !== undefined && master === undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--publisher needs --master: a source publishes under its own key (its ready line names it); --publisher says whose videos a node below it trusts.',
    );
  }
  if (supermaster !== undefined && master === undefined) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      '--supermaster needs --master: it is the fallback for the master.',
    );
  }
  const cacheBytes = values['cache-size'];
  const uploadBytesPerSecond = values['upload-limit'];
  const peerTimeout = values['peer-timeout'];
  const childTimeout = values['child-timeout'];
  const maxChildren = values['max-children'];
  return {
    name,
    port,
    ip: values.ip ?? '127.0.0.1',
    bindIp: values.bind ?? '0.0.0.0',
    store: path.resolve(values[storeFlags[0]!]!),
    ...(master !== undefined ? { master: master.dial } : {}),
    ...(master?.key !== undefined ? { masterKey: master.key } : {}),
    ...(supermaster !== undefined ? { supermaster: supermaster.dial } : {}),
    ...(supermaster?.key !== undefined ? { supermasterKey: supermaster.key } : {}),
    ...(fallbacks.length > 0 ? { fallbacks } : {}),
    ...(values.join !== undefined ? { joined: true } : {}),
    ...(values.allow !== undefined ? { allowFile: values.allow } : {}),
    ...(values.publisher !== undefined ? { publisher: values.publisher } : {}),
    ...(cacheBytes !== undefined ? { cacheBytes } : {}),
    ...(uploadBytesPerSecond !== undefined ? { uploadBytesPerSecond } : {}),
    jsonLogs: values['json-logs'] === true,
    readAhead: {
      ...NODE_READ_AHEAD,
      aheadSeconds: values['read-ahead'] ?? NODE_READ_AHEAD.aheadSeconds,
      fetchesAtOnce: values['fetch-concurrency'] ?? NODE_READ_AHEAD.fetchesAtOnce,
    },
    ...(peerTimeout !== undefined ? { peerTimeoutMs: peerTimeout } : {}),
    ...(childTimeout !== undefined ? { childTimeoutMs: childTimeout } : {}),
    ...(maxChildren !== undefined ? { maxChildren } : {}),
    libraryPrefetchBytes: values['library-prefetch'] ?? LIBRARY_PREFETCH_BYTES,
    portMapping: values['port-mapping'] === true,
    ui: values.ui === true,
    uiPort: values['ui-port'] ?? 0,
    uiHost: values['ui-host'] ?? '127.0.0.1',
  };
}

/** `--join`: the link's own parser, whose message names the part that is wrong; the flag is said first. */
function joinLink(value: string): VideoLink {
  try {
    return parseVideoLink(value);
  } catch (error) {
    if (error instanceof PeerStreamerError) {
      throw new PeerStreamerError('INVALID_ARGUMENT', `--join: ${error.message}`, error.context);
    }
    throw error;
  }
}

/**
 * `--join <link>` is the flags a user would otherwise type: its first peer as --master, its second
 * as --supermaster (the rest become fallbacks), and its publisher as --publisher. So a joined node
 * behaves exactly as one started with those flags. Mixing it with them would leave two answers to
 * "where do I register" or "whom do I trust", so that is refused.
 */
function withJoinedLink(values: NodeFlagValues): NodeFlagValues {
  const link = values.join;
  if (link === undefined) return values;
  const typed = (['master', 'supermaster', 'publisher'] as const).filter(
    (flag) => values[flag] !== undefined,
  );
  if (typed.length > 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--join and --${typed.join(' and --')} both say ${typed.includes('publisher') && typed.length === 1 ? 'whom to trust' : 'where to register'}: pick one. --join <link> takes the master, fallbacks and publisher from the link; --master tcp://host:port (with --supermaster and --publisher if you like) names them yourself.`,
      { flag: '--join' },
    );
  }
  const { master, supermaster, publisher } = joinPlacement(link);
  return { ...values, master, ...(supermaster !== undefined ? { supermaster } : {}), publisher };
}

/** A publisher key as a source prints it; upper case is taken as lower case, as people copy it. */
function publisherKey(value: string): string {
  const key = value.trim().toLowerCase();
  const problem = publisherKeyProblem(key);
  if (problem !== null)
    throw bad(
      'publisher',
      value,
      `a publisher key ${problem}; copy it whole from the source's ready line or \`peerstreamer stats\``,
    );
  return key;
}

/** 0.1 s to 2 min: below, a healthy peer on a WAN would always lose; above, a dead one stalls a play. */
function peerTimeoutMs(value: string): number {
  const seconds = parseDuration(value, '--peer-timeout');
  if (seconds < 0.1 || seconds > 120) throw bad('peer-timeout', value, 'give a time from 100ms to 2m');
  return Math.round(seconds * 1000);
}

/**
 * 1 s to 5 min: below, a child on a lossy link would be dropped between two heartbeats (one a
 * second); above, a dead child would keep being named as a holder for minutes.
 */
function childTimeoutMs(value: string): number {
  const seconds = parseDuration(value, '--child-timeout');
  if (seconds < 1 || seconds > 300) throw bad('child-timeout', value, 'give a time from 1s to 5m');
  return Math.round(seconds * 1000);
}

/**
 * 1 s to 30 min: below, hardly more than the chunk asked for; above, one stream could pin most of
 * a small cache (a stream pins what it reads ahead until it hands it out).
 */
function readAheadSeconds(value: string): number {
  const seconds = parseDuration(value, '--read-ahead');
  if (seconds < 1 || seconds > 1800) throw bad('read-ahead', value, 'give a time from 1s to 30m');
  return seconds;
}

/** Default budget of the library prefetch: the starts of a few dozen videos at typical bitrates. */
export const LIBRARY_PREFETCH_BYTES = 32 * 1024 * 1024;

function libraryPrefetchBytes(value: string): number {
  return /^\s*(0|off)\s*$/i.test(value) ? 0 : parseByteSize(value, '--library-prefetch');
}

export function advertisedAddress(config: Pick<NodeConfig, 'ip' | 'port'>): string {
  return `tcp://${config.ip.includes(':') ? `[${config.ip}]` : config.ip}:${config.port}`;
}
