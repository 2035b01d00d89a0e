import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';

/**
 * The default gateway's IPv4 address from the kernel's routing table (Linux: /proc/net/route, one
 * line per route, addresses in little-endian hex), or null where there is none or no such file. The
 * NAT-PMP router is the default gateway (RFC 6886 §3.1). Other systems have no file to read: there
 * the node finds its router by UPnP's search alone.
 */
export async function defaultGateway(routeTable = '/proc/net/route'): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(routeTable, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    // RTF_GATEWAY (0x2): the route goes through a router, not straight onto a link.
    if (destination !== '00000000' || gateway === undefined || (Number.parseInt(flags ?? '0', 16) & 2) === 0)
      continue;
    const value = Number.parseInt(gateway, 16);
    if (!Number.isFinite(value) || value === 0) continue;
    return [0, 8, 16, 24].map((shift) => (value >>> shift) & 0xff).join('.');
  }
  return null;
}

/**
 * This machine's address on the way to `host`: the one the router sees, which UPnP must name as the
 * mapping's internal client. A connected UDP socket sends nothing; the kernel only picks the route.
 */
export async function localAddressToward(host: string): Promise<string> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(9, host, () => resolve(socket.address().address));
    });
  } finally {
    socket.close();
  }
}
