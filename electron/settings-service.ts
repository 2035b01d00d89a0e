/**
 * The app's settings: loaded before the node starts, saved to the store directory's settings file
 * (whether the node runs or not), then applied to the node and the OS.
 */
import { SettingsFile } from '../core/store/settings-file.js';
import { defaultSettings, type AppSettings } from '../core/settings/settings-model.js';
import { checkSettingsPatch, describeProblems } from '../core/settings/settings-rules.js';
import { readSettings, writeSettings } from '../core/settings/settings-store.js';
import { errorMessage } from '../core/util/errors.js';
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
    private readonly file: SettingsFile,
    initial: AppSettings,
    private readonly logger: Logger,
  ) {
    this.current = initial;
  }

  /**
   * Reads the settings before the node starts (they decide how it starts). A first run saves the
   * defaults at once, so the generated node name stays the same from one launch to the next.
   */
  static async load(storeDir: string, defaultName: string, logger: Logger): Promise<SettingsService> {
    const file = new SettingsFile(storeDir);
    const loaded = await readSettings(file, defaultSettings(defaultName));
    if (loaded.firstRun) {
      await writeSettings(file, loaded.settings, {}).catch((error: unknown) =>
        // The app still starts; only the generated name may differ next launch.
        loaded.warnings.push(`The first settings were not saved: ${errorMessage(error)}`),
      );
    }
    for (const warning of loaded.warnings) logger.warn(warning);
    const service = new SettingsService(file, loaded.settings, logger);
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
    this.current = await writeSettings(this.file, previous, patch);
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
