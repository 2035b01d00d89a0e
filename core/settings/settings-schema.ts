/**
 * The schema of every setting, worded as the settings screen shows the problem next to its field.
 * The same schemas judge a patch from the settings screen (settings-rules.ts), each value read back
 * from <store>/settings.json (settings-store.ts) and the settings as a whole. Pure (no Node, no DOM):
 * the settings screen's test harness runs them in Chromium, and the node glue then passes the result
 * through the CLI's own flag parser, so the app and `peerstreamer node` never disagree on a node.
 *
 * `AppSettings` stays written out in settings-model.ts instead of inferred from here: the renderer
 * runs that module, which may import nothing but core/shared (a dependency-cruiser rule), not even
 * types from this one. The `satisfies` below holds each field's schema to its type, and a type test
 * (test/electron/settings.test.ts) holds the whole to `AppSettings`.
 */
import * as v from 'valibot';
import { PUBLISHER_KEY, PUBLISHER_KEY_CHARS } from '../shared/publisher.js';
import {
  CACHE_SIZE_UNIT,
  UPLOAD_LIMIT_UNIT,
  inDisplayUnit,
  type AppSettings,
  type DisplayUnit,
  type SettingKey,
} from './settings-model.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;
/**
 * `tcp://host:port`, optionally `#<its CURVE key>` (40 Z85 characters) as a link names a node, so a
 * master joined by link keeps the key it came with; the node's own flag parser checks the key itself.
 */
const TCP =
  /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]\s#]+):(\d{1,5})(?:#[0-9A-Za-z.\-:+=^!/*?&<>()[\]{}@%$#]{40})?$/;
/** A pebibyte: anything larger is a typo, not a cache. */
const MAX_CACHE_BYTES = 2 ** 50;
/** 100 GiB/s: far above any link, so only typos are refused. */
const MAX_UPLOAD_BYTES_PER_SECOND = 100 * 2 ** 30;

/** A problem that quotes the value as JSON, so "" and "80" read differently from 80. */
const quoting =
  (words: (quoted: string | undefined) => string) =>
  (issue: { input: unknown }): string =>
    words(JSON.stringify(issue.input));

const nameWords = quoting(
  (quoted) =>
    `Name ${quoted} is not valid: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
);
const name = v.pipe(v.string(nameWords), v.regex(NAME, nameWords));

const portWords = quoting((quoted) => `Port ${quoted} is not valid: use a whole number from 1 to 65535.`);
const port = v.pipe(
  v.number(portWords),
  v.integer(portWords),
  v.minValue(1, portWords),
  v.maxValue(65535, portWords),
);

const ipWords = quoting(
  (quoted) =>
    `Address ${quoted} is not valid: give the IP address or host name other nodes use to reach this one, e.g. 192.0.2.20.`,
);
const ip = v.pipe(v.string(ipWords), v.regex(HOST, ipWords));

/** The port of `tcp://host:port` (blanks around it allowed), or null when the text is not one. */
function tcpPort(text: string): number | null {
  const match = TCP.exec(text.trim());
  return match ? Number(match[2]) : null;
}

/** A node's address, or null for none. Problems quote the value as typed, blanks included. */
function tcpAddress(what: string) {
  return v.nullable(
    v.pipe(
      v.string(`${what} must be text like tcp://192.0.2.10:7999, or empty for none.`),
      v.check(
        (text) => tcpPort(text) !== null,
        (issue) =>
          `${what} "${issue.input}" is not an address: write tcp://host:port, e.g. tcp://192.0.2.10:7999.`,
      ),
      v.check(
        (text) => {
          const found = tcpPort(text);
          return found === null || (found >= 1 && found <= 65535);
        },
        (issue) => `${what} "${issue.input}" has port ${tcpPort(issue.input)}; use a port from 1 to 65535.`,
      ),
    ),
  );
}

/** A byte count, judged and described in the unit the settings screen shows it in; null is unlimited. */
function byteLimit(what: string, unit: DisplayUnit, maxBytes: number) {
  const words = `${what} must be a number of ${unit.label} greater than zero, or empty for unlimited.`;
  return v.nullable(
    v.pipe(
      v.number(words),
      v.safeInteger(words),
      v.minValue(1, words),
      v.maxValue(
        maxBytes,
        (issue) =>
          `${what} ${inDisplayUnit(issue.input, unit)} ${unit.label} is larger than ${inDisplayUnit(maxBytes, unit)} ${unit.label}; check the number.`,
      ),
    ),
  );
}

const onOff = (what: string) => v.boolean(`${what} must be on or off.`);

const publisherWords = quoting(
  (quoted) =>
    `Publisher key ${quoted} is not valid: paste the whole key (${PUBLISHER_KEY_CHARS} characters, a-z and 2-7) from the source's ready line or stats, or leave it empty to trust the one your master vouches for.`,
);
const publisher = v.nullable(v.pipe(v.string(publisherWords), v.regex(PUBLISHER_KEY, publisherWords)));

/** A key as the settings screen sends it: blank is none; blanks around it and upper case are forgiven. */
const typedPublisher = v.pipe(
  v.unknown(),
  v.transform((value) =>
    typeof value === 'string' ? (value.trim() === '' ? null : value.trim().toLowerCase()) : value,
  ),
  publisher,
);

/** One schema per setting: what a value of it may be, with the problem in words. */
export const SETTING_SCHEMAS = {
  name,
  port,
  ip,
  portMapping: onOff('Open my port on the router (UPnP/NAT-PMP)'),
  master: tcpAddress('Master'),
  supermaster: tcpAddress('Supermaster'),
  publisher,
  cacheSizeBytes: byteLimit('Cache size', CACHE_SIZE_UNIT, MAX_CACHE_BYTES),
  uploadLimitBytesPerSecond: byteLimit('Upload limit', UPLOAD_LIMIT_UNIT, MAX_UPLOAD_BYTES_PER_SECOND),
  closeToTray: onOff('Keep seeding after closing the window'),
  launchAtLogin: onOff('Launch at login'),
  seeding: onOff('Seeding'),
  autoUpdate: onOff('Install updates'),
} satisfies { [K in SettingKey]: v.GenericSchema<unknown, AppSettings[K]> };

/**
 * An address as the settings screen sends it: blank text is an emptied field, so no master; a valid
 * address is kept without the blanks around it.
 */
const typedAddress = (schema: ReturnType<typeof tcpAddress>) =>
  v.pipe(
    v.unknown(),
    v.transform((value) => (typeof value === 'string' && value.trim() === '' ? null : value)),
    schema,
    v.transform((address) => address?.trim() ?? null),
  );

/** The schema of each field of a patch: a setting's own, plus how the screen types an address. */
export const PATCH_SCHEMAS = {
  ...SETTING_SCHEMAS,
  master: typedAddress(SETTING_SCHEMAS.master),
  supermaster: typedAddress(SETTING_SCHEMAS.supermaster),
  publisher: typedPublisher,
} satisfies { [K in SettingKey]: v.GenericSchema<unknown, AppSettings[K]> };

/** Why the master and supermaster cannot go together, or null when they can. */
function masterPairProblem({
  master,
  supermaster,
}: Pick<AppSettings, 'master' | 'supermaster'>): string | null {
  if (supermaster === null) return null;
  if (master === null) {
    return 'A supermaster is the fallback for a master: set a master first, or clear the supermaster.';
  }
  if (supermaster === master) return 'The supermaster must be a different node from the master, or empty.';
  return null;
}

/** Why the publisher key cannot be set, or null when it can: a source publishes under its own. */
function publisherProblem({ master, publisher }: Pick<AppSettings, 'master' | 'publisher'>): string | null {
  if (publisher === null || master !== null) return null;
  return 'A publisher key says whose videos a node below a master trusts; a source publishes under its own key. Set a master, or clear the publisher key.';
}

/** The settings as a whole: every field valid, and fields that must agree with each other agreeing. */
export const appSettingsSchema = v.pipe(
  v.object(SETTING_SCHEMAS),
  // Each problem is put on the field to change (or clear) to fix it.
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const settings = dataset.value;
    const problems = [
      ['supermaster', masterPairProblem(settings)],
      ['publisher', publisherProblem(settings)],
    ] as const;
    for (const [key, problem] of problems) {
      if (problem === null) continue;
      addIssue({
        message: problem,
        input: settings[key],
        path: [{ type: 'object', origin: 'value', input: settings, key, value: settings[key] }],
      });
    }
  }),
);
