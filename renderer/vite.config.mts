// Renderer build: a static bundle loaded by Electron (app://promptlabel) or the browser
// host, so every URL is relative and nothing is inlined as a script.
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Module preload polyfill would be an inline script; the CSP forbids it.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
