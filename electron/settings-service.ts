/**
 * The app's settings: loaded before the node starts, saved through the running node's store (or a
 * briefly opened one when the node is down), then applied to the node and the OS.
 */
import { ChunkStore } from '../core/store/chunk-store.js';
import { defaultSettings, type AppSettings } from '../core/settings/settings-model.js';
import { checkSettingsPatch, describeProblems } from '../core/settings/settings-rules.js';
import { readSettings, rowKey, writeSettings } from '../core/settings/settings-store.js';
import type { Logger } from '../core/util/logger.js';
import type { NodeHost } from './node-host.js';
import type { SaveSettingsResult } from './ipc/contract.js';

export interface SettingsEffects {
  /** OS-level effects that do not involve the node (launch at login). */
  applyToOs(settings: AppSettings): void;
}

export class SettingsService {
  private current: AppSettings;
  warnings: string[] = [];

  private constructor(
    private readonly storeDir: string,
    initial: AppSettings,
    private readonly logger: Logger,
  ) {
    this.current = initial;
  }

  /**
   * Reads the settings with the store opened just for that (the node takes the store's lock when it
   * starts, and the settings decide how it starts). A first run saves the defaults at once, so the
   * generated node name stays the same from one launch to the next.
   */
  static async load(storeDir: string, defaultName: string, logger: Logger): Promise<SettingsService> {
    const store = await ChunkStore.open(storeDir);
    let loaded;
    try {
      loaded = readSettings(store, defaultSettings(defaultName));
      if (store.getSetting(rowKey('name')) === undefined) writeSettings(store, loaded.settings, {});
    } finally {
      store.close();
    }
    for (const warning of loaded.warnings) logger.warn(warning);
    const service = new SettingsService(storeDir, loaded.settings, logger);
    service.warnings = loaded.warnings;
    return service;
  }

  get settings(): AppSettings {
    return this.current;
  }

  /** Validates, saves and applies `patch`; bad values come back as field -> problem, nothing saved. */
  async save(patch: unknown, host: NodeHost, effects: SettingsEffects): Promise<SaveSettingsResult> {
    const checked = checkSettingsPatch(this.current, patch);
    if (!checked.ok)
      return { ok: false, problems: checked.problems, message: describeProblems(checked.problems) };
    const previous = this.current;
    const node = host.node;
    if (node !== null) {
      this.current = writeSettings(node.store, previous, patch);
    } else {
      const store = await ChunkStore.open(this.storeDir);
      try {
        this.current = writeSettings(store, previous, patch);
      } finally {
        store.close();
      }
    }
    this.warnings = [];
    const outcome = await host.apply(previous, this.current);
    effects.applyToOs(this.current);
    this.logger.info({ outcome }, 'settings saved');
    return {
      ok: true,
      settings: this.current,
      restarted: outcome === 'restarted',
      nodeProblem: host.problem,
    };
  }
}
