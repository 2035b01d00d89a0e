/**
 * The window menu: File > Add video… is the keyboard- and menu-driven way to ingest, and File >
 * Go live… opens the player's go-live dialog (the window shown first, from the tray too).
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  addVideo(): void;
  goLive(): void;
  openPlayer(): void;
  quit(): void;
}

export function appMenuTemplate(
  actions: AppMenuActions,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { id: 'add-video', label: 'Add video…', accelerator: 'CmdOrCtrl+O', click: () => actions.addVideo() },
      { id: 'go-live', label: 'Go live…', accelerator: 'CmdOrCtrl+L', click: () => actions.goLive() },
      { type: 'separator' },
      platform === 'darwin'
        ? { role: 'close' }
        : { id: 'quit', label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
    ],
  };
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
}

export const VIDEO_EXTENSIONS = [
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'ts',
  'mpg',
  'mpeg',
  'flv',
  'wmv',
];
