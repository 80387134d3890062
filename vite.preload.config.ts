// Bundles the Electron preload into one CommonJS file. A sandboxed preload can `require` only
// 'electron' and a few Node built-ins, so the shared method list and channel names are inlined.
// Runs after `tsc`, replacing the unbundled preload.cjs tsc writes to the same place.

import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    lib: { entry: 'src/main/electron/preload.cts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    outDir: 'dist/main/electron',
    emptyOutDir: false,
    minify: false,
    sourcemap: false,
    target: 'node22',
    rolldownOptions: { external: ['electron'] },
  },
});
