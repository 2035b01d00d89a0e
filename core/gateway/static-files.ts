import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  bytes: Uint8Array;
  contentType: string;
  /** Vite names built assets by content hash, so they never change under the same name. */
  immutable: boolean;
  isHtml: boolean;
}

/**
 * Resolves a URL path inside `root` (never outside: the decoded path is normalised and must stay under
 * root), falling back to index.html for client-side routes: paths without a file extension.
 */
export async function loadStatic(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const resolvedRoot = path.resolve(root);
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const candidate = path.resolve(resolvedRoot, relative);
  if (candidate !== resolvedRoot && !candidate.startsWith(resolvedRoot + path.sep)) return undefined;
  const direct = await readIfFile(candidate);
  if (direct !== undefined) return describe(candidate, direct, resolvedRoot);
  if (path.extname(relative) !== '') return undefined;
  const index = path.join(resolvedRoot, 'index.html');
  const fallback = await readIfFile(index);
  return fallback === undefined ? undefined : describe(index, fallback, resolvedRoot);
}

async function readIfFile(file: string): Promise<Uint8Array | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}

function describe(file: string, bytes: Uint8Array, root: string): StaticFile {
  const ext = path.extname(file).toLowerCase();
  const inAssets = path.relative(root, file).split(path.sep)[0] === 'assets';
  return {
    bytes,
    contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
    immutable: inAssets,
    isHtml: ext === '.html',
  };
}
