/**
 * A throwaway project directory for running scripts/*.mjs against: its own package.json and files,
 * node_modules linked to this repository's real packages, and a stand-in electron-builder that
 * records how it was called instead of building anything.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface BuilderCall {
  args: string[];
  env: Record<string, string>;
}

export interface ScriptFixture {
  dir: string;
  write(file: string, text: string): void;
  /** Runs `node scripts/<script> ...args` from the repository with the fixture as working directory. */
  run(script: string, args: string[], env?: Record<string, string>): Promise<ScriptRun>;
  /** What the stand-in electron-builder was called with, or null if it never ran. */
  builderCall(): BuilderCall | null;
  cleanup(): void;
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `links`: packages of this repository's node_modules the script may load (besides electron-builder). */
export function scriptFixture(links: string[] = [], builderExit = 0): ScriptFixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ps-script-'));
  const modules = path.join(dir, 'node_modules');
  for (const name of links) {
    mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    // A junction on Windows needs no privilege; elsewhere the type is ignored.
    symlinkSync(path.join(REPO, 'node_modules', name), path.join(modules, name), 'junction');
  }
  const builder = path.join(modules, 'electron-builder');
  const record = path.join(dir, 'builder-call.json');
  mkdirSync(builder, { recursive: true });
  writeFileSync(
    path.join(builder, 'package.json'),
    JSON.stringify({ name: 'electron-builder', version: '0.0.0' }),
  );
  writeFileSync(
    path.join(builder, 'cli.js'),
    `require('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), env: process.env }));\nprocess.exit(${builderExit});\n`,
  );
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  return {
    dir,
    write,
    run: (script, args, env = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(REPO, 'scripts', script), ...args], {
          cwd: dir,
          env: { ...process.env, GITHUB_ACTIONS: '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      }),
    builderCall: () => {
      try {
        return JSON.parse(readFileSync(record, 'utf8')) as BuilderCall;
      } catch {
        return null;
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
