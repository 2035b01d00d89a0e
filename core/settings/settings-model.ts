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
  /**
   * Ask the home router to open `port` (UPnP/NAT-PMP) and advertise the outside address it gives,
   * so peers can dial this computer behind a NAT.
   */
  portMapping: boolean;
  /** `tcp://host:port` of the master; null makes this node a source. */
  master: string | null;
  /** `tcp://host:port` to fall back on while the master is gone; needs a master. */
  supermaster: string | null;
  /**
   * The publisher key whose videos to trust (needs a master); null trusts the one the first master
   * vouches for, as `peerstreamer node` does without --publisher.
   */
  publisher: string | null;
  /** Cap on the store, in bytes; null = unlimited. The settings screen shows it in GiB. */
  cacheSizeBytes: number | null;
  /** Cap on chunk serving, in bytes per second; null = unlimited. The settings screen shows MiB/s. */
  uploadLimitBytesPerSecond: number | null;
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
  'portMapping',
  'master',
  'supermaster',
  'publisher',
  'cacheSizeBytes',
  'uploadLimitBytesPerSecond',
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
    // On, as in WebTorrent Desktop: a home computer behind a NAT serves peers only through an open port.
    portMapping: true,
    master: null,
    supermaster: null,
    publisher: null,
    cacheSizeBytes: null,
    uploadLimitBytesPerSecond: null,
    closeToTray: true,
    launchAtLogin: false,
    seeding: true,
    // On, as WebTorrent Desktop and IPFS Desktop do: a peer on an old version is a worse peer.
    autoUpdate: true,
  };
}

/** Settings whose change needs the node restarted (a new identity or a new place in the tree). */
export const RESTART_KEYS: readonly SettingKey[] = [
  'name',
  'port',
  'ip',
  'portMapping',
  'master',
  'supermaster',
  'publisher',
];

/**
 * The units the settings screen shows sizes and rates in: binary, and labelled so (core/shared/
 * format.ts writes the same units everywhere), while the settings themselves hold bytes.
 */
export interface DisplayUnit {
  label: string;
  bytes: number;
}

export const CACHE_SIZE_UNIT: DisplayUnit = { label: 'GiB', bytes: 2 ** 30 };
export const UPLOAD_LIMIT_UNIT: DisplayUnit = { label: 'MiB/s', bytes: 2 ** 20 };

/** Bytes as a number of `unit`, to at most 3 decimals: 1610612736 -> "1.5" (GiB). */
export function inDisplayUnit(bytes: number, unit: DisplayUnit): string {
  return String(Math.round((bytes / unit.bytes) * 1000) / 1000);
}

/** A number of `unit` as whole bytes: 1.5 (GiB) -> 1610612736. */
export function fromDisplayUnit(value: number, unit: DisplayUnit): number {
  return Math.round(value * unit.bytes);
}

/**
 * Rows saved before the settings held bytes: decimal megabytes (1 MB = 10^6 bytes), as that screen
 * labelled them. Read when the new row is missing, and removed by the next save.
 */
export const LEGACY_MEGABYTE_KEYS = {
  cacheSizeBytes: 'cacheSizeMB',
  uploadLimitBytesPerSecond: 'uploadLimitMBps',
} as const satisfies Partial<Record<SettingKey, string>>;
