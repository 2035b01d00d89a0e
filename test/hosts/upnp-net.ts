/**
 * The UPnP bed's network: a home router running miniupnpd (a real UPnP-IGD daemon: Debian's
 * miniupnpd-nftables), a node behind it, and that node's master outside. Its own names
 * (`psupnp-…`) and subnets, apart from the other beds'.
 *
 *   psupnp-out  eth0 11.93.0.1/24 ── veth ── psupnp-nat  eth0 11.93.0.200/24 (miniupnpd's outside)
 *                                            psupnp-nat  lan0 10.94.0.1/24 (SSDP and SOAP here)
 *                                                  └── veth ── psupnp-home eth0 10.94.0.2/24
 *
 * The outside addresses look public because miniupnpd maps nothing behind a private or reserved
 * external address ("Port forwarding is impossible"), as a router behind another NAT would not.
 * They exist only inside these namespaces: none has a route anywhere else, and the root namespace
 * has no interface on them, so no packet to them can leave this machine.
 *
 * The router masquerades outward and forwards inward only replies and what miniupnpd adds to its
 * chains: a mapped port is truly open, an unmapped one truly shut.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { routeThroughRouter, teardownNamed, type Host } from './netns.js';

const run = promisify(execFile);

export const UPNP_PREFIX = 'psupnp-';
const OUTSIDE = '11.93.0';
const INSIDE = '10.94.0';
export const ROUTER_OUTSIDE_IP = `${OUTSIDE}.200`;
export const ROUTER_INSIDE_IP = `${INSIDE}.1`;
const MINIUPNPD = '/usr/sbin/miniupnpd';
/** The table and chains the router's rules give miniupnpd (named again in its configuration). */
const TABLE = 'psupnp';
const FORWARD_CHAIN = 'miniupnpd';
const PREROUTING_CHAIN = 'prerouting_miniupnpd';
const POSTROUTING_CHAIN = 'postrouting_miniupnpd';

export interface UpnpNet {
  /** The source, outside. */
  out: Host;
  /** The router: runs miniupnpd. */
  nat: Host;
  /** The node behind the router. */
  home: Host;
}

/** Why this bed cannot run here, in one line, or null. */
export function miniupnpdMissing(): string | null {
  try {
    execFileSync(MINIUPNPD, ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'the UPnP bed needs miniupnpd (apt-get install miniupnpd-nftables); skipped';
  }
}

/** Removes everything named `psupnp-…`, its processes first. Synchronous, for exit handlers. */
export function teardownUpnpNet(): void {
  teardownNamed(UPNP_PREFIX, `${UPNP_PREFIX}ctl`);
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

function routerRules(): string {
  return `table inet ${TABLE} {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "eth0" accept
    jump ${FORWARD_CHAIN}
  }
  chain ${FORWARD_CHAIN} {
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    jump ${PREROUTING_CHAIN}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    jump ${POSTROUTING_CHAIN}
    oifname "eth0" ip saddr ${INSIDE}.0/24 masquerade
  }
  chain ${PREROUTING_CHAIN} {
  }
  chain ${POSTROUTING_CHAIN} {
  }
}
`;
}

/** Builds the network above (tearing down a crashed run's first); `scratch` takes the rules file. */
export async function buildUpnpNet(scratch: string): Promise<UpnpNet> {
  teardownUpnpNet();
  const [out, nat, home] = ['out', 'nat', 'home'].map((name) => `${UPNP_PREFIX}${name}`) as [
    string,
    string,
    string,
  ];
  for (const ns of [out, nat, home]) {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  await ip('link', 'add', 'eth0', 'netns', nat, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', out);
  await ip('link', 'add', 'lan0', 'netns', nat, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', home);
  for (const [ns, device, address] of [
    [out, 'eth0', `${OUTSIDE}.1/24`],
    [nat, 'eth0', `${ROUTER_OUTSIDE_IP}/24`],
    [nat, 'lan0', `${ROUTER_INSIDE_IP}/24`],
    [home, 'eth0', `${INSIDE}.2/24`],
  ] as const) {
    await ip('-n', ns, 'addr', 'add', address, 'dev', device);
    await ip('-n', ns, 'link', 'set', device, 'up');
  }
  await routeThroughRouter(
    { ns: nat, insideIp: ROUTER_INSIDE_IP },
    home,
    path.join(scratch, 'upnp-router.nft'),
    routerRules(),
  );
  return {
    out: { name: 'out', ns: out, ip: `${OUTSIDE}.1`, natted: false },
    nat: { name: 'nat', ns: nat, ip: ROUTER_INSIDE_IP, natted: false },
    home: { name: 'home', ns: home, ip: `${INSIDE}.2`, natted: true },
  };
}

export interface Miniupnpd {
  /** Its log lines so far (it logs to stderr in the foreground). */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts miniupnpd on the router, UPnP-IGD only (its NAT-PMP off, so the node's NAT-PMP finds
 * nothing and UPnP is what maps), in secure mode (a client maps only its own address). `allow`
 * false: its permission rules refuse every mapping, as a router with UPnP locked down does.
 * Resolves once it listens.
 */
export async function startMiniupnpd(net: UpnpNet, scratch: string, allow: boolean): Promise<Miniupnpd> {
  const config = path.join(scratch, `miniupnpd-${allow ? 'allow' : 'deny'}.conf`);
  writeFileSync(
    config,
    [
      'ext_ifname=eth0',
      'listening_ip=lan0',
      'http_port=5000',
      'enable_natpmp=no',
      'enable_upnp=yes',
      'secure_mode=yes',
      'uuid=5e9a3c1e-7d2b-4f0a-9c61-2b8f0d4e7a13',
      `upnp_table_name=${TABLE}`,
      `upnp_nat_table_name=${TABLE}`,
      `upnp_forward_chain=${FORWARD_CHAIN}`,
      `upnp_nat_chain=${PREROUTING_CHAIN}`,
      `upnp_nat_postrouting_chain=${POSTROUTING_CHAIN}`,
      ...(allow ? [`allow 1024-65535 ${INSIDE}.0/24 1024-65535`] : []),
      'deny 0-65535 0.0.0.0/0 0-65535',
      '',
    ].join('\n'),
  );
  const pidFile = path.join(scratch, 'miniupnpd.pid');
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', net.nat.ns, MINIUPNPD, '-f', config, '-d', '-P', pidFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`miniupnpd did not start:\n${logs.join('\n')}`)), 10_000);
    const onData = (data: Buffer): void => {
      logs.push(
        ...data
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      if (logs.some((line) => line.includes('HTTP listening on port'))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`miniupnpd exited:\n${logs.join('\n')}`));
    });
  });
  return {
    logs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The TCP port forwards miniupnpd has installed now, as `<port> -> <address>:<port>`, one each.
 * nft lists its rules as `iif "eth0" @nh,72,8 0x6 th dport 7000 dnat ip to 10.94.0.2:7000`: the
 * protocol as the IPv4 header's byte 9 (6, TCP).
 */
export async function upnpForwards(net: UpnpNet): Promise<string[]> {
  const { stdout } = await run('ip', [
    'netns',
    'exec',
    net.nat.ns,
    'nft',
    'list',
    'chain',
    'inet',
    TABLE,
    PREROUTING_CHAIN,
  ]);
  return [...stdout.matchAll(/(?:tcp|0x6 th) dport (\d+) dnat (?:ip )?to ([\d.]+):(\d+)/g)].map(
    ([, port, address, target]) => `${port} -> ${address}:${target}`,
  );
}
