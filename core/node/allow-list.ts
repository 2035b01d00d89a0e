/**
 * `--allow <file>`: the keys of a closed swarm, one Z85 key a line; `#` starts a comment, on its
 * own line or after whitespace behind a key. A key may hold `#` inside but never begin with one
 * (`#` is Z85's largest digit, too large to lead a group), so the rule reads every key whole. Peers whose keys are not listed are refused at the CURVE handshake
 * (core/net/zap-handler.ts). A line that is not a key stops the start, naming the file and line: a
 * list that silently lost a key would lock out a node, and one read half-way could let in others.
 */
import { promises as fs } from 'node:fs';
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import { z85KeyProblem } from '../protocol/peer-key.js';

export async function readAllowList(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--allow ${file}: the file cannot be read (${errorMessage(error)}). Give a file with one node key a line.`,
      { file },
      { cause: error },
    );
  }
  return parseAllowList(file, text);
}

export function parseAllowList(file: string, text: string): Set<string> {
  const keys = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const problem = z85KeyProblem(line);
    if (problem !== null) {
      throw new PeerStreamerError(
        'INVALID_ARGUMENT',
        `--allow ${file} line ${index + 1}: ${problem}. Each line holds one node key (40 Z85 characters, as a node prints in its ready line and stats); start comments with #.`,
        { file, line: index + 1 },
      );
    }
    keys.add(line);
  });
  if (keys.size === 0) {
    throw new PeerStreamerError(
      'INVALID_ARGUMENT',
      `--allow ${file} lists no keys, so no node could connect. Add one node key a line (this node's own included if it talks to itself).`,
      { file },
    );
  }
  return keys;
}
