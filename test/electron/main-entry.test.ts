import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, mergeConfig, type UserConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mainConfig from '../../electron/build/vite.main.config.js';
import { NODE_FLAGS_HELP } from '../../core/node/node-config.js';
import { parseReadyLine } from '../helpers/swarm.js';
import { lacks, requires } from '../helpers/requirements.js';

const noSignals = lacks(requires.posixSignals);

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let register: string;

/**
 * The real main bundle (built with the app's own Vite config), run by plain Node with `electron`
 * resolved to the fake: checks main.ts's dispatch (--help, --node) as the packaged file does it.
 */
beforeAll(async () => {
  const cache = path.join(REPO, 'node_modules', '.cache', 'peerstreamer-electron-tests');
  await mkdir(cache, { recursive: true });
  dir = await mkdtemp(path.join(cache, 'main-'));
  await build({
    ...mergeConfig(mainConfig as UserConfig, { logLevel: 'silent', build: { outDir: dir } }),
    configFile: false,
  });
  await build({
    configFile: false,
    root: REPO,
    logLevel: 'silent',
    build: {
      ssr: path.join(REPO, 'test', 'mocks', 'electron.ts'),
      outDir: dir,
      emptyOutDir: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'fake-electron.mjs' } },
    },
  });
  const fake = pathToFileURL(path.join(dir, 'fake-electron.mjs')).href;
  await writeFile(
    path.join(dir, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
  return specifier === 'electron' ? { url: ${JSON.stringify(fake)}, shortCircuit: true } : next(specifier, context);
}\n`,
  );
  register = path.join(dir, 'register.mjs');
  await writeFile(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`,
  );
}, 120_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

function runMain(args: string[]) {
  const child = spawn(process.execPath, ['--import', register, path.join(dir, 'main.js'), ...args], {
    env: { ...process.env, FAKE_ELECTRON_REAL_EXIT: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, done, output: () => stdout + stderr, stdout: () => stdout };
}

describe('dist/electron/main.js', () => {
  it('--help prints the app’s usage and the node flags, and exits 0', async () => {
    const ran = await runMain(['--help']).done;
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('--tray');
    expect(ran.stdout).toContain(NODE_FLAGS_HELP);
  });

  it('--node with a bad flag exits 2 with the CLI’s message', async () => {
    const ran = await runMain(['--node', '--name', 'x', '--port', '7000']).done;
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^peerstreamer: error: --store is required/);
  });

  it('--node runs a real node until SIGTERM', async ({ skip }) => {
    skip(noSignals);
    const store = await mkdtemp(path.join(os.tmpdir(), 'ps-main-node-'));
    try {
      const run = runMain([
        '--node',
        '--name',
        'main-node',
        '--port',
        '0',
        '--bind',
        '127.0.0.1',
        '--store',
        store,
      ]);
      // The ready line says the node serves; a bound deadline only turns a hang into a clear failure.
      const ready = (): boolean =>
        run
          .stdout()
          .split('\n')
          .some((line) => parseReadyLine(line) !== null);
      const deadline = performance.now() + 60_000;
      while (!ready()) {
        if (run.child.exitCode !== null || performance.now() > deadline)
          throw new Error(`node did not start:\n${run.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      run.child.kill('SIGTERM');
      const ran = await run.done;
      expect(ran.code).toBe(0);
      expect(ran.stdout + ran.stderr).toMatch(/node stopped/);
    } finally {
      await rm(store, { recursive: true, force: true });
    }
  });
});
