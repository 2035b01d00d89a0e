import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const DEFAULT_PATH = '/usr/bin/chromium';

/**
 * Finds Debian's Chromium (CHROMIUM_PATH overrides). When it is missing and we are root with apt-get,
 * installs it (saying so); otherwise fails with the command to run. Browsers are never downloaded
 * through Playwright, and browser tests never skip silently.
 */
export function chromiumPath(): string {
  const wanted = process.env.CHROMIUM_PATH ?? DEFAULT_PATH;
  if (existsSync(wanted)) return wanted;
  const canInstall =
    process.env.CHROMIUM_PATH === undefined &&
    process.getuid?.() === 0 &&
    spawnSync('which', ['apt-get']).status === 0;
  if (!canInstall) {
    throw new Error(
      `Chromium not found at ${wanted}. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  process.stderr.write(`Chromium not found at ${wanted}; installing Debian's chromium with apt-get...\n`);
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!existsSync(wanted)) throw new Error(`apt-get installed chromium but ${wanted} is still missing.`);
  return wanted;
}

/** The flags every Chromium here runs with (the machine's closed network, root, no GPU). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The tests press "play" programmatically, which a real user's click would allow.
  '--autoplay-policy=no-user-gesture-required',
  // Memory figures (performance.memory) are bucketed unless precise values are enabled.
  '--enable-precise-memory-info',
];

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile directory, one context with the given viewport. */
export async function launchChromium(viewport = { width: 1280, height: 720 }): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'ps-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return { context, close: () => context.close() };
}
