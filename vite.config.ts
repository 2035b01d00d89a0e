import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/**
 * The renderer is a static bundle the gateway serves (headless) or Electron loads through a custom
 * protocol, so every URL in it is relative (`base: './'`) and it talks to the node only via `api/...`.
 */
export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react()],
  resolve: {
    // video.js's default build bundles its own HLS/DASH engine (VHS); our code feeds MediaSource itself,
    // so the core build (controls only) is enough and a third of the size.
    alias: [{ find: /^video\.js$/, replacement: here('./node_modules/video.js/dist/alt/video.core.js') }],
  },
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
});
