/**
 * The port-mapping bed's network: a home router that speaks NAT-PMP, with a node behind it and a
 * master on the outside. Its own names (`psmap-…`) and subnets, so it runs beside the multi-host
 * bed (netns.ts, `psbed-…`), whose names it never touches.
 *
 *   root namespace ── psmap-ctl 10.81.0.254 (the test process's way in: holders)
 *        │ veth
 *   psmap-br  ── bridge br0 (the outside)
 *        ├── veth ── psmap-pub   eth0 10.81.0.1/24 (the source, the home node's master)
 *        └── veth ── psmap-nat   eth0 10.81.0.200/24, nftables masquerade and port forwards
 *                        └── veth lan0 10.82.0.1/24 ── psmap-home  eth0 10.82.0.2/24, default via 10.82.0.1
 *
 * The router forwards inward only replies, and what its `tcpfwd` map says: the NAT-PMP gateway
 * (nat-pmp-gateway.ts, run on psmap-nat) adds an element per mapping it grants and deletes it when
 * the mapping is deleted or runs out, so a mapped port is truly open and an unmapped one truly shut.
 *
 * Every command goes through execFile with an argument array: names and addresses never pass a shell.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { routeThroughRouter, teardownNamed, type Host } from './netns.js';

const run = promisify(execFile);

export const MAP_PREFIX = 'psmap-';
const BRIDGE_NS = `${MAP_PREFIX}br`;
const CONTROL_LINK = `${MAP_PREFIX}ctl`;
export const OUTSIDE = '10.81.0';
export const INSIDE = '10.82.0';
export const CONTROL_IP = `${OUTSIDE}.254`;
/** The router's outside address: where the NATed node's connections, and its forwards, appear. */
export const ROUTER_OUTSIDE_IP = `${OUTSIDE}.200`;
/** The router's inside address: the home node's default gateway, where NAT-PMP is asked. */
export const ROUTER_INSIDE_IP = `${INSIDE}.1`;
/** The nftables table on the router, and its map of TCP port forwards. */
export const NAT_TABLE = 'psmap';
export const TCP_FORWARDS = 'tcpfwd';

export interface MapNet {
  /** The source on the outside. */
  pub: Host;
  /** The router: runs the NAT-PMP gateway. */
  nat: Host;
  /** The node behind the router. */
  home: Host;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/**
 * Removes everything named `psmap-…`: the processes inside those namespaces first (a namespace
 * outlives `ip netns del` while a process holds it), then the namespaces, then the root link.
 * Synchronous, so an exit handler can run it to the end.
 */
export function teardownMapNet(): void {
  teardownNamed(MAP_PREFIX, CONTROL_LINK);
}

/** The router's rules: masquerade outward, forward inward only replies and granted port forwards. */
function routerRules(): string {
  return `table ip ${NAT_TABLE} {
  map ${TCP_FORWARDS} {
    type inet_service : ipv4_addr . inet_service
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "eth0" dnat ip addr . port to tcp dport map @${TCP_FORWARDS}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "eth0" ip saddr ${INSIDE}.0/24 masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    ct status dnat accept
    iifname "lan0" oifname "eth0" accept
  }
}
`;
}

async function bringUp(ns: string, device: string, address: string): Promise<void> {
  await ip('-n', ns, 'addr', 'add', address, 'dev', device);
  await ip('-n', ns, 'link', 'set', device, 'up');
}

/** Builds the network above (tearing down a crashed run's first); `scratch` takes the rules file. */
export async function buildMapNet(scratch: string): Promise<MapNet> {
  teardownMapNet();
  const pub = `${MAP_PREFIX}pub`;
  const nat = `${MAP_PREFIX}nat`;
  const home = `${MAP_PREFIX}home`;
  for (const ns of [BRIDGE_NS, pub, nat, home]) {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  await ip('-n', BRIDGE_NS, 'link', 'add', 'br0', 'type', 'bridge');
  await ip('-n', BRIDGE_NS, 'link', 'set', 'br0', 'up');
  for (const [ns, port] of [
    [pub, 'pub'],
    [nat, 'nat'],
  ] as const) {
    await ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', BRIDGE_NS);
    await ip('-n', BRIDGE_NS, 'link', 'set', port, 'master', 'br0', 'up');
  }
  await ip('link', 'add', CONTROL_LINK, 'type', 'veth', 'peer', 'name', 'ctl', 'netns', BRIDGE_NS);
  await ip('-n', BRIDGE_NS, 'link', 'set', 'ctl', 'master', 'br0', 'up');
  await ip('addr', 'add', `${CONTROL_IP}/24`, 'dev', CONTROL_LINK);
  await ip('link', 'set', CONTROL_LINK, 'up');

  await bringUp(pub, 'eth0', `${OUTSIDE}.1/24`);
  await bringUp(nat, 'eth0', `${ROUTER_OUTSIDE_IP}/24`);
  await ip('link', 'add', 'lan0', 'netns', nat, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', home);
  await bringUp(nat, 'lan0', `${ROUTER_INSIDE_IP}/24`);
  await bringUp(home, 'eth0', `${INSIDE}.2/24`);
  await routeThroughRouter(
    { ns: nat, insideIp: ROUTER_INSIDE_IP },
    home,
    path.join(scratch, 'router.nft'),
    routerRules(),
  );
  return {
    pub: { name: 'pub', ns: pub, ip: `${OUTSIDE}.1`, natted: false },
    nat: { name: 'nat', ns: nat, ip: ROUTER_INSIDE_IP, natted: false },
    home: { name: 'home', ns: home, ip: `${INSIDE}.2`, natted: true },
  };
}

/** The router's TCP port forwards now, as nft lists them: `7000 : 10.82.0.2 . 7000`, one a line. */
export async function routerForwards(net: MapNet): Promise<string[]> {
  const { stdout } = await run('ip', [
    'netns',
    'exec',
    net.nat.ns,
    'nft',
    'list',
    'map',
    'ip',
    NAT_TABLE,
    TCP_FORWARDS,
  ]);
  const elements = /elements = \{([^}]*)\}/.exec(stdout)?.[1] ?? '';
  return elements
    .split(',')
    .map((element) => element.trim().replace(/\s+/g, ' '))
    .filter((element) => element !== '');
}
