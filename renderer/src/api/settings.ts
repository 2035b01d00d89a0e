/**
 * Settings come from the desktop app's preload bridge (`window.peerstreamer`), not from the
 * gateway: they belong to the app (a headless node takes flags instead), and the bridge's IPC is
 * checked by sender and schema in the main process. In a plain browser there is no bridge.
 */
import type { DesktopBridge } from '../../../electron/ipc/contract.js';

export type { DesktopBridge };
export type { IngestProgress, UpdateStatus } from '../../../electron/ipc/contract.js';
export type { AppSettings, SettingsProblems } from '../../../core/settings/settings-model.js';

declare global {
  interface Window {
    /** Exposed by electron/preload.ts; absent in a browser. */
    peerstreamer?: DesktopBridge;
  }
}

/** The bridge when running inside the desktop app, else null. */
export function desktopBridge(): DesktopBridge | null {
  return typeof window !== 'undefined' && window.peerstreamer !== undefined ? window.peerstreamer : null;
}
