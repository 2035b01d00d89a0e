/**
 * The preload as a single CommonJS file, dist/electron/preload.cjs: a sandboxed preload can
 * require only 'electron' (and a few polyfilled modules), never a file of ours, so everything it
 * uses is inlined.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));

export default defineConfig({
  root,
  build: {
    ssr: 'electron/preload.ts',
    outDir: 'dist/electron',
    emptyOutDir: false,
    target: 'chrome130',
    sourcemap: 'inline',
    minify: false,
    rollupOptions: {
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: 'preload.cjs' },
    },
  },
  // Bundle everything but electron, even if a dependency sneaks in later.
  ssr: { noExternal: true },
});
