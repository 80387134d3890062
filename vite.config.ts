// Builds the React renderer into dist/renderer. `base: './'` makes every asset URL relative, so the
// same build loads from file:// in Electron and from the headless web server.

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { RENDERER_CSP_META } from './src/shared/csp.js';

/** Writes the CSP into index.html at build (in dev, Vite's own inline scripts would trip it). */
function cspMeta(): Plugin {
  return {
    name: 'arlo-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: RENDERER_CSP_META }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // No inline <script>: the CSP allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
