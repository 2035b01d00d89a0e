/**
 * The main process as one ESM file, dist/electron/main.js (package.json "main"). An SSR build: our
 * code (electron/ and the core/ it uses) is bundled, while every package stays a bare import, so
 * native modules (better-sqlite3, zeromq) and the ffmpeg installers load from node_modules (unpacked
 * from the ASAR by electron-builder.yml).
 */
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));

export default defineConfig({
  root,
  build: {
    ssr: 'electron/main.ts',
    outDir: 'dist/electron',
    emptyOutDir: false,
    // Electron 42 ships Node 24; the bundle only needs what Node 20 already has.
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      external: ['electron', ...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
      output: { format: 'es', entryFileNames: 'main.js' },
    },
  },
});
