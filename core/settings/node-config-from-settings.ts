/**
 * Settings -> NodeConfig through the very parser `peerstreamer node` uses, so a node started by the
 * app is held to the CLI's rules (and the CLI's defaults for everything the settings screen omits).
 */
import { nodeConfigFromFlags, type NodeConfig } from '../node/node-config.js';
import type { AppSettings } from './settings-model.js';

export interface NodeConfigExtras {
  /** Interface the ROUTER binds to; the CLI's default (all interfaces) unless given. */
  bindIp?: string;
  jsonLogs?: boolean;
}

export function nodeConfigFromSettings(
  settings: AppSettings,
  storeDir: string,
  extras: NodeConfigExtras = {},
): NodeConfig {
  return nodeConfigFromFlags({
    name: settings.name,
    port: String(settings.port),
    ip: settings.ip,
    store: storeDir,
    ...(extras.bindIp !== undefined ? { bind: extras.bindIp } : {}),
    ...(settings.master !== null ? { master: settings.master } : {}),
    ...(settings.supermaster !== null ? { supermaster: settings.supermaster } : {}),
    // Decimal units (MB = 10^6 bytes), as the settings screen labels them.
    ...(settings.cacheSizeMB !== null ? { 'cache-size': `${settings.cacheSizeMB}MB` } : {}),
    ...(settings.uploadLimitMBps !== null ? { 'upload-limit': `${settings.uploadLimitMBps}MB` } : {}),
    ...(extras.jsonLogs ? { 'json-logs': true } : {}),
  });
}

/** MB -> bytes as nodeConfigFromSettings counts them, for changes applied to a running node. */
export function megabytes(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1_000_000);
}
