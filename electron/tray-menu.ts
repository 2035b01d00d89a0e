/** The tray's menu as data, from the node's live status: easy to test, rebuilt on every refresh. */
import type { MenuItemConstructorOptions } from 'electron';
import { formatBytes } from '../core/shared/format.js';

export interface TrayStatus {
  /** False while the node is not running (then `problem` says why). */
  running: boolean;
  problem: string | null;
  /** The node's name and place in the tree, e.g. "desk (child of mit)"; empty while not running. */
  node: string;
  peers: number;
  uploadBytesPerSecond: number;
  videosSeeded: number;
  seeding: boolean;
}

export interface TrayActions {
  openPlayer(): void;
  setSeeding(enabled: boolean): void;
  quit(): void;
}

export function trayTooltip(status: TrayStatus): string {
  if (!status.running) return 'PeerStreamer: node not running';
  return status.seeding
    ? `PeerStreamer: seeding ${status.videosSeeded} video${status.videosSeeded === 1 ? '' : 's'} to ${status.peers} peer${status.peers === 1 ? '' : 's'}`
    : 'PeerStreamer: seeding paused';
}

export function trayMenuTemplate(status: TrayStatus, actions: TrayActions): MenuItemConstructorOptions[] {
  const info = (label: string): MenuItemConstructorOptions => ({ label, enabled: false });
  const lines = status.running
    ? [
        info(`Node: ${status.node}`),
        info(`Peers: ${status.peers}`),
        info(`Upload: ${formatBytes(status.uploadBytesPerSecond)}/s`),
        info(`Videos seeded: ${status.videosSeeded}`),
      ]
    : [info(`Node not running: ${status.problem ?? 'starting'}`)];
  return [
    ...lines,
    { type: 'separator' },
    { id: 'open', label: 'Open player', click: () => actions.openPlayer() },
    status.seeding
      ? {
          id: 'pause',
          label: 'Pause seeding',
          enabled: status.running,
          click: () => actions.setSeeding(false),
        }
      : {
          id: 'resume',
          label: 'Resume seeding',
          enabled: status.running,
          click: () => actions.setSeeding(true),
        },
    { type: 'separator' },
    { id: 'quit', label: 'Quit PeerStreamer', click: () => actions.quit() },
  ];
}
