/**
 * Peer addresses: `tcp://host:port`. An advertised address (register, query holders) must be one a
 * peer can connect to, so wildcards and port 0 are refused; a bind address may use them.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { MAX_ADDRESS_CHARS } from './limits.js';

export interface TcpAddress {
  /** Host name, IPv4 address, or IPv6 address without brackets. */
  host: string;
  port: number;
}

const SHAPE = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]]+):(\d{1,5}|\*)$/;
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

function hostProblem(host: string, allowWildcard: boolean): string | null {
  if (host.startsWith('[')) {
    const inner = host.slice(1, -1);
    if (!isIPv6(inner)) return `"${host}" is not an IPv6 address`;
    if (!allowWildcard && inner === '::') return 'the wildcard address [::] cannot be connected to';
    return null;
  }
  if (host === '*' || host === '0.0.0.0') {
    return allowWildcard ? null : `the wildcard address ${host} cannot be connected to`;
  }
  if (/^[\d.]+$/.test(host)) return isIPv4(host) ? null : `"${host}" is not an IPv4 address`;
  if (host.length > 253 || !host.split('.').every((label) => HOST_LABEL.test(label))) {
    return `"${host}" is not a host name`;
  }
  return null;
}

/** Why `value` is not a tcp://host:port address (wildcards allowed only for binding), or null. */
export function tcpAddressProblem(value: unknown, options: { forBind?: boolean } = {}): string | null {
  if (typeof value !== 'string') return 'it must be a string';
  if (value.length > MAX_ADDRESS_CHARS) return `it is longer than ${MAX_ADDRESS_CHARS} characters`;
  const match = SHAPE.exec(value);
  if (!match) return 'it must look like tcp://host:port';
  const forBind = options.forBind === true;
  const problem = hostProblem(match[1]!, forBind);
  if (problem !== null) return problem;
  const portText = match[2]!;
  if (portText === '*') return forBind ? null : 'port * cannot be connected to';
  const port = Number(portText);
  if (port > 65535 || (port === 0 && !forBind)) return `port ${portText} is not from 1 to 65535`;
  return null;
}

/** Parses an address already known to be valid (see tcpAddressProblem). */
export function parseTcpAddress(value: string): TcpAddress {
  const match = SHAPE.exec(value);
  if (!match) throw new Error(`not a tcp address: ${value}`);
  const host = match[1]!.startsWith('[') ? match[1]!.slice(1, -1) : match[1]!;
  return { host, port: match[2] === '*' ? 0 : Number(match[2]) };
}
