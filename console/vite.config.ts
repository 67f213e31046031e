import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Three pages, one build: the staff console, the resident simulator and the public figures.
 * Served by Koa from `dist/console/` (bot/console/mount.ts); assets under `/console/assets/`.
 */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      input: { console: here('index.html'), simulator: here('simulator.html'), figures: here('figures.html') },
    },
  },
});
