import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The multi-host bed needs root and its own run: `npm run test:hosts` (vitest.hosts.config.ts).
    exclude: [...configDefaults.exclude, 'test/hosts/**'],
    // Native addons (better-sqlite3, zeromq) and child processes behave best in forked workers.
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more parallel files only makes multi-process tests fight for CPU.
    maxWorkers: 2,
  },
});
