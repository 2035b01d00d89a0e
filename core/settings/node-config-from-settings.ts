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
    'port-mapping': settings.portMapping ? 'on' : 'off',
    store: storeDir,
    ...(extras.bindIp !== undefined ? { bind: extras.bindIp } : {}),
    ...(settings.master !== null ? { master: settings.master } : {}),
    ...(settings.supermaster !== null ? { supermaster: settings.supermaster } : {}),
    ...(settings.publisher !== null ? { publisher: settings.publisher } : {}),
    // Settings hold bytes; a size without a unit is bytes to the flag parser too.
    ...(settings.cacheSizeBytes !== null ? { 'cache-size': String(settings.cacheSizeBytes) } : {}),
    ...(settings.uploadLimitBytesPerSecond !== null
      ? { 'upload-limit': String(settings.uploadLimitBytesPerSecond) }
      : {}),
    ...(extras.jsonLogs ? { 'json-logs': true } : {}),
  });
}
