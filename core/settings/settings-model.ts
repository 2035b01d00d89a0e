/**
 * The desktop app's settings: what the user can change on the settings screen. Pure data and no
 * imports, so the main process, the node glue and (as types) the renderer share one definition.
 */
export interface AppSettings {
  /** This node's name, unique among its master's children. */
  name: string;
  /** Port of this node's ROUTER socket. */
  port: number;
  /** Address other nodes use to reach this one. */
  ip: string;
  /** `tcp://host:port` of the master; null makes this node a source. */
  master: string | null;
  /** `tcp://host:port` to fall back on while the master is gone; needs a master. */
  supermaster: string | null;
  /** Cap on the store in megabytes (1 MB = 1,000,000 bytes); null = unlimited. */
  cacheSizeMB: number | null;
  /** Cap on chunk serving in megabytes per second; null = unlimited. */
  uploadLimitMBps: number | null;
  /** Closing the window keeps seeding from the tray; off makes close quit. */
  closeToTray: boolean;
  /** Start (hidden, in the tray) when the user logs in. */
  launchAtLogin: boolean;
  /** Serve chunks to others; the tray's Pause/Resume flips it. */
  seeding: boolean;
  /** Download new versions of the app from its releases and offer to restart into them. */
  autoUpdate: boolean;
}

export type SettingKey = keyof AppSettings;

export const SETTING_KEYS: readonly SettingKey[] = [
  'name',
  'port',
  'ip',
  'master',
  'supermaster',
  'cacheSizeMB',
  'uploadLimitMBps',
  'closeToTray',
  'launchAtLogin',
  'seeding',
  'autoUpdate',
];

/** Field -> what is wrong with it, in words the settings screen shows next to the field. */
export type SettingsProblems = Partial<Record<SettingKey, string>>;

/** Port a desktop node listens on unless the user picks another; clear of the CLI examples' 7999. */
export const DEFAULT_PORT = 7780;

/**
 * Defaults for a first run. `name` is passed in because a good default (host name plus a random
 * suffix) needs the OS, which this module must not touch.
 */
export function defaultSettings(name: string): AppSettings {
  return {
    name,
    port: DEFAULT_PORT,
    ip: '127.0.0.1',
    master: null,
    supermaster: null,
    cacheSizeMB: null,
    uploadLimitMBps: null,
    closeToTray: true,
    launchAtLogin: false,
    seeding: true,
    // On, as WebTorrent Desktop and IPFS Desktop do: a peer on an old version is a worse peer.
    autoUpdate: true,
  };
}

/** Settings whose change needs the node restarted (a new identity or a new place in the tree). */
export const RESTART_KEYS: readonly SettingKey[] = ['name', 'port', 'ip', 'master', 'supermaster'];
