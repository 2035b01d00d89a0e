/**
 * The preload contract: what the sandboxed renderer may ask of the main process, as
 * `window.peerstreamer`. Types only, so the renderer can import it without loading any code.
 */
import type { AppSettings, SettingsProblems } from '../../core/settings/settings-model.js';
import type { SettingsPatch } from './settings-payload.js';

export type { SettingsPatch };

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

/**
 * The app's own update. `ready` (downloaded, sha512 checked, nobody watching or adding a video) is
 * the only state the player shows; `waiting` is a download or an install held back for the user.
 */
export type UpdateState = 'off' | 'unsupported' | 'idle' | 'checking' | 'downloading' | 'waiting' | 'ready';

export interface UpdateStatus {
  state: UpdateState;
  /** The version found or downloaded, once there is one. */
  version: string | null;
}

export type InstallUpdateResult = { ok: true } | { ok: false; message: string };

/** A joined link: the node now runs in the link's swarm, and the player can open `video`. */
export type JoinLinkResult = { ok: true; video: string } | { ok: false; message: string };

/** The pages of the player the app's menu can open (each the renderer's route of that name). */
export const APP_PAGES = ['go-live'] as const;
export type AppPage = (typeof APP_PAGES)[number];

export interface DesktopBridge {
  getSettings(): Promise<LoadedSettingsView>;
  /** Any subset of the settings, as typed; problems come back per field, in words. */
  saveSettings(patch: SettingsPatch): Promise<SaveSettingsResult>;
  clearCache(): Promise<{ bytesFreed: number }>;
  pickVideos(): Promise<{ queued: number }>;
  openExternal(url: string): Promise<boolean>;
  /** Returns an unsubscribe function. */
  onIngestProgress(listener: (progress: IngestProgress) => void): () => void;
  getUpdateStatus(): Promise<UpdateStatus>;
  /** Returns an unsubscribe function. */
  onUpdateStatus(listener: (status: UpdateStatus) => void): () => void;
  /** Quits and installs the downloaded update; refused while a video is being added. */
  installUpdate(): Promise<InstallUpdateResult>;
  /** The page says when a video starts or stops playing; updates wait while one plays. */
  reportWatching(watching: boolean): Promise<void>;
  /**
   * Sets the node's master, supermaster and publisher from the link, as `node --join` would, and
   * restarts the node; a bad link comes back as the parser's words.
   */
  joinLink(link: string): Promise<JoinLinkResult>;
  /**
   * Links the app was asked to open (a click on a peerstreamer: link, or the command line), those
   * that arrived before the page listened first. Returns an unsubscribe function.
   */
  onOpenLink(listener: (link: string) => void): () => void;
  /**
   * Pages the app's menu asks the player to show ("Go live…"), those asked for before the page
   * listened first. Returns an unsubscribe function.
   */
  onShowPage(listener: (page: AppPage) => void): () => void;
}

/** The global name the bridge is exposed under (`window.peerstreamer`). */
export const BRIDGE_KEY = 'peerstreamer';
