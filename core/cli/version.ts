import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerStreamerError } from '../util/errors.js';

/**
 * The version in the package's own package.json. The file is found by walking up from this module,
 * because it sits at a different depth in the source tree (core/cli), in dist/ (dist/core/cli) and in
 * an installed package (node_modules/peerstreamer/dist/core/cli). Only a package.json named
 * "peerstreamer" counts, so a workspace or an app that bundles us is never mistaken for it.
 */
export function packageVersion(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const found = readPackage(path.join(dir, 'package.json'));
    if (found?.name === 'peerstreamer' && typeof found.version === 'string') return found.version;
    if (path.dirname(dir) === dir) break;
  }
  throw new PeerStreamerError(
    'INTERNAL',
    `no package.json of peerstreamer found in ${from} or above it; the installation is incomplete: reinstall it (npm install).`,
    { from },
  );
}

function readPackage(file: string): { name?: unknown; version?: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // Nothing at this level: keep walking up. Anything else (no permission) is worth hearing about.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as { name?: unknown; version?: unknown };
  } catch {
    // Some other project's broken package.json above an installed copy is not ours to judge.
    return undefined;
  }
}
