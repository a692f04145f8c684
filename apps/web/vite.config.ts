import { defineConfig } from 'vite';

// The page goes to dist/client so the server bundle at dist/main.js survives `vite build`.
export default defineConfig({
  build: { outDir: 'dist/client', emptyOutDir: true },
  logLevel: 'warn',
});
