/**
 * The preload contract: what the sandboxed renderer may ask of the main process, as
 * `window.peerstreamer`. Types only, so the renderer can import it without loading any code.
 */
import type { AppSettings, SettingsProblems } from '../../core/settings/settings-model.js';

export interface LoadedSettingsView {
  settings: AppSettings;
  /** Fields that fell back to their defaults at startup, in words. */
  warnings: string[];
  /** Why the node is not running (e.g. its port is taken), or null when it is. */
  nodeProblem: string | null;
}

export type SaveSettingsResult =
  | { ok: true; settings: AppSettings; restarted: boolean; nodeProblem: string | null }
  | { ok: false; problems: SettingsProblems; message: string };

export interface IngestProgress {
  file: string;
  name: string;
  state: 'running' | 'done' | 'failed';
  /** 0..1 when the duration is known, else null. */
  fraction: number | null;
  /** Error in words when state is 'failed'. */
  message?: string;
}

export interface DesktopBridge {
  getSettings(): Promise<LoadedSettingsView>;
  saveSettings(patch: Partial<AppSettings>): Promise<SaveSettingsResult>;
  clearCache(): Promise<{ bytesFreed: number }>;
  pickVideos(): Promise<{ queued: number }>;
  openExternal(url: string): Promise<boolean>;
  /** Returns an unsubscribe function. */
  onIngestProgress(listener: (progress: IngestProgress) => void): () => void;
}

/** The global name the bridge is exposed under (`window.peerstreamer`). */
export const BRIDGE_KEY = 'peerstreamer';
