/**
 * Keys pinned for the masters a user named (`--master`, `--supermaster` without a key): the
 * store's `known-hosts` file, one `tcp://host:port <z85 key>` a line, `#` comments, as SSH's
 * known_hosts. The first key learned for such an address is written here; a later one that differs
 * is refused (server-keys.ts). To accept a new key, delete the address's line.
 *
 * A line this node cannot read is reported at start and left alone: a damaged file must not make
 * the node trust a key it would otherwise have checked, so its address counts as unpinned only if
 * the line names no usable key for it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z85KeyProblem } from '../protocol/peer-key.js';
import { tcpAddressProblem } from '../protocol/address.js';
import type { KeyPins } from '../net/server-keys.js';
import { writeFileDurably } from '../store/durable-file.js';

export const KNOWN_HOSTS_FILE = 'known-hosts';

export class KnownHosts implements KeyPins {
  private constructor(
    readonly file: string,
    private readonly pins: Map<string, string>,
    /** Addresses whose keys are pinned: the ones the user named. */
    private readonly named: ReadonlySet<string>,
  ) {}

  /** Reads `<store>/known-hosts`; `problems` names each line it skipped, with the file and line. */
  static async open(
    storeDir: string,
    named: readonly string[],
  ): Promise<{ hosts: KnownHosts; problems: string[] }> {
    const file = path.join(path.resolve(storeDir), KNOWN_HOSTS_FILE);
    let text = '';
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
    const { pins, problems } = parseKnownHosts(file, text);
    return { hosts: new KnownHosts(file, pins, new Set(named)), problems };
  }

  pinFor(dial: string): { pinned: boolean; key: string | undefined } {
    return { pinned: this.named.has(dial), key: this.pins.get(dial) };
  }

  async pin(dial: string, key: string): Promise<void> {
    this.pins.set(dial, key);
    let text = '';
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
    if (text === '')
      text =
        '# Keys of the masters this node has met: tcp://host:port <key>. Delete a line to accept a new key.\n';
    if (!text.endsWith('\n')) text += '\n';
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFileDurably(temp, this.file, Buffer.from(`${text}${dial} ${key}\n`), 0o600);
  }

  howToForget(dial: string): string {
    return `delete the line of ${dial} from ${this.file}`;
  }
}

export function parseKnownHosts(
  file: string,
  text: string,
): { pins: Map<string, string>; problems: string[] } {
  const pins = new Map<string, string>();
  const problems: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [address, key, ...rest] = line.split(/\s+/);
    const problem =
      rest.length > 0 || key === undefined
        ? 'it is not "tcp://host:port <key>"'
        : (tcpAddressProblem(address) ?? z85KeyProblem(key));
    if (problem !== null) {
      problems.push(`${file} line ${index + 1} was skipped: ${problem}. Fix or delete that line.`);
      return;
    }
    pins.set(address!, key!);
  });
  return { pins, problems };
}
