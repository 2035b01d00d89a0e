/**
 * The multi-host test bed's network (issue 11 §4): every host is a Linux network namespace with its
 * own address, so nodes bind real, distinct addresses and a SIGKILLed host's sockets vanish as a
 * crashed machine's would. Loopback swarms cannot show this: every node shares one address, one
 * port space and an unlimited link.
 *
 *   root namespace ── psbed-ctl 10.77.0.254 (the test process's way in: stats, topology, holders)
 *        │ veth
 *   psbed-br  ── bridge br0 (the LAN; its own namespace, so the machine's firewall and
 *        │          br_netfilter never see the bed's frames)
 *        ├── veth ── psbed-<host>   eth0 10.77.0.N/24, egress capped by tc tbf (its uplink)
 *        └── veth ── psbed-nat      eth0 10.77.0.200/24 (tbf too), nftables masquerade
 *                        └── bridge lan0 10.78.0.1/24
 *                              └── veth ── psbed-<host>  eth0 10.78.0.N/24, default via 10.78.0.1
 *
 * Hosts behind the NAT reach every public host (their connections leave as 10.77.0.200), but no
 * route leads to 10.78.0.0/24 and the NAT forwards inward only replies, so nobody can dial them:
 * the case the master's dial-back (core/node/dial-back.ts) exists for.
 *
 * Everything the bed makes is named `psbed-…` (namespaces, and the one root-namespace link), so a
 * run killed before its teardown is cleaned by the next run's start. Deleting a namespace removes
 * its veth ends, the peers with them, its qdiscs and its nftables rules; nothing is added to the root
 * namespace but psbed-ctl and the route of its own /24, and the machine's interfaces and default
 * route are never touched. One bed at a time: the addresses are fixed.
 *
 * Every command goes through execFile with an argument array: names and addresses never pass a shell.
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The prefix of every name the bed makes; anything carrying it is the bed's to delete. */
export const PREFIX = 'psbed-';
const BRIDGE_NS = `${PREFIX}br`;
const NAT_NS = `${PREFIX}nat`;
const CONTROL_LINK = `${PREFIX}ctl`;
const LAN = '10.77.0';
const PRIVATE = '10.78.0';
/** The test process's own address on the LAN (root namespace). */
export const CONTROL_IP = `${LAN}.254`;
/** Where NATed hosts' connections appear to come from. */
export const NAT_PUBLIC_IP = `${LAN}.200`;

export interface HostSpec {
  /** Short: it names the namespace (`psbed-<name>`) and the bridge port (at most 15 bytes). */
  name: string;
  /** Behind the NAT, on the private subnet. */
  natted?: boolean;
}

export interface Host {
  name: string;
  /** The namespace to run its processes in (`ip netns exec <ns> …`). */
  ns: string;
  /** Its own address: public on the LAN, or private behind the NAT. */
  ip: string;
  natted: boolean;
}

export interface BedOptions {
  hosts: HostSpec[];
  /** Every uplink's cap, as tc writes rates: `20mbit`. */
  uplink: string;
}

/** A one-line reason the bed cannot be built here, or null when it can. Synchronous, for skipIf. */
export function bedUnavailable(): string | null {
  const why = 'test:hosts needs root with network namespaces, veth, tc tbf and nftables';
  if (process.platform !== 'linux') return `${why}: Linux only; skipped`;
  if (process.getuid?.() !== 0) return `${why}: run it as root (sudo npm run test:hosts); skipped`;
  for (const tool of ['ip', 'tc', 'nft']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' });
    } catch {
      return `${why}: \`${tool}\` is missing (apt-get install iproute2 nftables); skipped`;
    }
  }
  const probe = `${PREFIX}probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  } catch (error) {
    return `${why}: \`ip netns add\` is not permitted here (${firstLine(error)}); skipped`;
  }
  return null;
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: Buffer | string }).stderr;
  const text = stderr === undefined ? String(error) : stderr.toString();
  return text.trim().split('\n')[0] ?? 'unknown error';
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** `ip netns exec <ns> <command…>`: for tools without their own -n flag (sysctl, nft). */
async function inNs(ns: string, command: string, ...args: string[]): Promise<void> {
  await run('ip', ['netns', 'exec', ns, command, ...args]);
}

/**
 * Removes everything named `psbed-…`: first the processes still inside those namespaces (a crashed
 * run's nodes; a namespace outlives `ip netns del` while a process holds it), then the namespaces,
 * then a root-namespace link left behind. Synchronous, so a signal handler or `process.on('exit')`
 * can run it to the end. Kills only processes inside the bed's own namespaces.
 */
export function teardownBed(): void {
  teardownNamed(PREFIX, CONTROL_LINK);
}

/**
 * Removes every namespace whose name starts with `prefix` (the processes inside them first), then
 * the root-namespace link `controlLink`: one bed's names, and nothing else. Each step tolerates what
 * is already gone, so it runs to the end after any failure, and again at the next start.
 */
export function teardownNamed(prefix: string, controlLink: string): void {
  const list = (args: string[]): string =>
    execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let namespaces: string[];
  try {
    namespaces = list(['netns', 'list'])
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name.startsWith(prefix));
  } catch {
    return; // No `ip` or no permission: then the bed was never built either.
  }
  for (const ns of namespaces) {
    let pids: number[] = [];
    try {
      pids = list(['netns', 'pids', ns])
        .split('\n')
        .filter((line) => /^\d+$/.test(line.trim()))
        .map(Number);
    } catch {
      // The namespace went away meanwhile.
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  for (const ns of namespaces) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // Gone already; the next start tries again.
    }
  }
  try {
    execFileSync('ip', ['link', 'del', controlLink], { stdio: 'ignore' });
  } catch {
    // Usually gone with its peer in the bed's bridge namespace.
  }
}

/**
 * A veth pair with one end as `eth0` in `hostNs` and the other as `port` in `switchNs`, enslaved to
 * `bridge` there: a host's cable into a switch. Both ends are created in place, so no
 * temporary name ever exists in the root namespace.
 */
async function cable(hostNs: string, switchNs: string, port: string, bridge: string): Promise<void> {
  await ip('link', 'add', 'eth0', 'netns', hostNs, 'type', 'veth', 'peer', 'name', port, 'netns', switchNs);
  await ip('-n', switchNs, 'link', 'set', port, 'master', bridge, 'up');
}

/**
 * Caps the host's egress on eth0: its uplink. tbf is the only shaper this kernel has (no netem).
 * The burst holds a few full-size frames at the rate (at least rate/HZ), the latency bounds the
 * queue, so a sender past the cap sees drops and backs off as on a real link.
 */
async function capUplink(ns: string, rate: string): Promise<void> {
  await run('tc', [
    '-n',
    ns,
    'qdisc',
    'add',
    'dev',
    'eth0',
    'root',
    'tbf',
    'rate',
    rate,
    'burst',
    '64kb',
    'latency',
    '100ms',
  ]);
}

async function bringUp(ns: string, address: string): Promise<void> {
  await ip('-n', ns, 'link', 'set', 'lo', 'up');
  await ip('-n', ns, 'addr', 'add', address, 'dev', 'eth0');
  await ip('-n', ns, 'link', 'set', 'eth0', 'up');
}

/**
 * The NAT's rules: masquerade what leaves by eth0 from the private subnet; forward inward only what
 * answers a connection from inside. The missing route already keeps the LAN out; the filter says so
 * in the NAT itself, as a home router does.
 */
function natRules(): string {
  return `table ip psbed {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "eth0" ip saddr ${PRIVATE}.0/24 masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "eth0" accept
  }
}
`;
}

/**
 * Builds the bed: the LAN's bridge, the control link, the NAT when any host is behind it, and the
 * hosts, in that order (a host's cable needs its switch). Tears down leftovers first. `scratch` is a
 * directory for the NAT's ruleset file.
 */
export async function buildBed(options: BedOptions, scratch: string): Promise<Host[]> {
  teardownBed();
  await ip('netns', 'add', BRIDGE_NS);
  await ip('-n', BRIDGE_NS, 'link', 'set', 'lo', 'up');
  await ip('-n', BRIDGE_NS, 'link', 'add', 'br0', 'type', 'bridge');
  await ip('-n', BRIDGE_NS, 'link', 'set', 'br0', 'up');

  // The test process's own port on the LAN: it asks nodes for stats, topology and holders directly,
  // as the swarm tests do on loopback, instead of starting a CLI per question.
  await ip('link', 'add', CONTROL_LINK, 'type', 'veth', 'peer', 'name', 'ctl', 'netns', BRIDGE_NS);
  await ip('-n', BRIDGE_NS, 'link', 'set', 'ctl', 'master', 'br0', 'up');
  await ip('addr', 'add', `${CONTROL_IP}/24`, 'dev', CONTROL_LINK);
  await ip('link', 'set', CONTROL_LINK, 'up');

  const natted = options.hosts.filter((host) => host.natted === true);
  if (natted.length > 0) {
    await ip('netns', 'add', NAT_NS);
    await cable(NAT_NS, BRIDGE_NS, 'nat', 'br0');
    await bringUp(NAT_NS, `${NAT_PUBLIC_IP}/24`);
    await capUplink(NAT_NS, options.uplink);
    await ip('-n', NAT_NS, 'link', 'add', 'lan0', 'type', 'bridge');
    await ip('-n', NAT_NS, 'addr', 'add', `${PRIVATE}.1/24`, 'dev', 'lan0');
    await ip('-n', NAT_NS, 'link', 'set', 'lan0', 'up');
    await inNs(NAT_NS, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    const rules = path.join(scratch, 'nat.nft');
    writeFileSync(rules, natRules());
    await inNs(NAT_NS, 'nft', '-f', rules);
  }

  const hosts: Host[] = [];
  let publicHost = 1;
  let privateHost = 2;
  for (const spec of options.hosts) {
    if (!/^[a-z0-9]{1,9}$/.test(spec.name)) {
      throw new Error(
        `host name ${JSON.stringify(spec.name)}: use 1-9 lowercase letters or digits (it names a veth)`,
      );
    }
    const ns = `${PREFIX}${spec.name}`;
    const isNatted = spec.natted === true;
    const address = isNatted ? `${PRIVATE}.${privateHost++}` : `${LAN}.${publicHost++}`;
    if (publicHost > 199 || privateHost > 254) throw new Error('too many hosts for the bed’s /24s');
    await ip('netns', 'add', ns);
    await cable(ns, isNatted ? NAT_NS : BRIDGE_NS, `h-${spec.name}`, isNatted ? 'lan0' : 'br0');
    await bringUp(ns, `${address}/24`);
    if (isNatted) await ip('-n', ns, 'route', 'add', 'default', 'via', `${PRIVATE}.1`);
    await capUplink(ns, options.uplink);
    hosts.push({ name: spec.name, ns, ip: address, natted: isNatted });
  }
  return hosts;
}

/**
 * A home router's last steps, as the port-mapping beds build theirs: `home`'s default route through
 * the router, forwarding on, and the router's nftables `rules` loaded (written to `rulesFile`).
 */
export async function routeThroughRouter(
  router: { ns: string; insideIp: string },
  homeNs: string,
  rulesFile: string,
  rules: string,
): Promise<void> {
  await ip('-n', homeNs, 'route', 'add', 'default', 'via', router.insideIp);
  await run('ip', ['netns', 'exec', router.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  writeFileSync(rulesFile, rules);
  await run('ip', ['netns', 'exec', router.ns, 'nft', '-f', rulesFile]);
}

/** `ip netns exec <ns> <command> <args>`, as argv for spawn: a process on that host. */
export function onHost(host: Host, command: string, args: string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', host.ns, command, ...args]];
}

/**
 * Tries a TCP connection from `host` to `ip:port` and says how it went: `connected`, an errno
 * (`ECONNREFUSED`, `ENETUNREACH`) or `timeout`, for a silent drop. The target is passed as argv.
 */
export async function tcpProbe(host: Host, ip: string, port: number, timeoutMs = 2_000): Promise<string> {
  const script = `const s = require('node:net').connect(Number(process.argv[2]), process.argv[1]);
s.setTimeout(Number(process.argv[3]), () => { console.log('timeout'); process.exit(0); });
s.on('connect', () => { console.log('connected'); process.exit(0); });
s.on('error', (e) => { console.log(e.code); process.exit(0); });`;
  const [command, argv] = onHost(host, process.execPath, ['-e', script, ip, String(port), String(timeoutMs)]);
  const { stdout } = await run(command, argv);
  return stdout.trim();
}

/**
 * Gives `host` a route to the NAT's private subnet through the NAT, as a neighbour who guessed it
 * would have; the NAT's forward filter must still drop a dial inward. Returns the undo.
 */
export async function routeToPrivateSubnet(host: Host): Promise<() => Promise<void>> {
  const route = ['route', 'add', `${PRIVATE}.0/24`, 'via', NAT_PUBLIC_IP];
  await ip('-n', host.ns, ...route);
  return () => ip('-n', host.ns, 'route', 'del', `${PRIVATE}.0/24`);
}

export interface UplinkCounters {
  sentBytes: number;
  dropped: number;
  /** Times tbf held a packet back because the bucket was empty: the cap did bite. */
  overlimits: number;
}

/** The tbf qdisc's own counters on `host`'s uplink: whether the cap shaped anything. */
export async function uplinkCounters(host: Host): Promise<UplinkCounters> {
  const { stdout } = await run('tc', ['-n', host.ns, '-s', 'qdisc', 'show', 'dev', 'eth0']);
  const match = /Sent (\d+) bytes \d+ pkt \(dropped (\d+), overlimits (\d+)/.exec(stdout);
  if (match === null) throw new Error(`no tbf counters in: ${stdout}`);
  return { sentBytes: Number(match[1]), dropped: Number(match[2]), overlimits: Number(match[3]) };
}
