import { defineConfig } from 'vitest/config';

// `npm run test:hosts`: the multi-host test bed (test/hosts), apart from `npm test` because it needs
// root (network namespaces) and runs two dozen node processes at once.
export default defineConfig({
  test: {
    include: ['test/hosts/**/*.test.ts'],
    globalSetup: ['test/hosts/global-setup.ts'],
    pool: 'forks',
    // One bed at a time: its addresses and names are fixed.
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
