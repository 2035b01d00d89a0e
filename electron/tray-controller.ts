/** The tray icon: its menu is rebuilt from live status every few seconds while the app runs. */
import { Menu, Tray, nativeImage } from 'electron';
import type { TrayActions, TrayStatus } from './tray-menu.js';
import { trayMenuTemplate, trayTooltip } from './tray-menu.js';

export const TRAY_REFRESH_MS = 2_000;

export class TrayController {
  private readonly tray: Tray;
  private readonly timer: NodeJS.Timeout;

  constructor(
    iconPath: string,
    private readonly status: () => TrayStatus,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(nativeImage.createFromPath(iconPath));
    // Linux and Windows: a click opens the player (the menu is on right-click / the menu button).
    this.tray.on('click', () => actions.openPlayer());
    this.refresh();
    this.timer = setInterval(() => this.refresh(), TRAY_REFRESH_MS);
    this.timer.unref();
  }

  refresh(): void {
    const status = this.status();
    this.tray.setToolTip(trayTooltip(status));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(status, this.actions)));
  }

  destroy(): void {
    clearInterval(this.timer);
    this.tray.destroy();
  }
}
