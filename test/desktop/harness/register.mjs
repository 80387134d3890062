// `node --import ./test/desktop/harness/register.mjs dist/main/electron/main.js` runs the app with
// `electron` resolved to the stand-in electron.cjs, for ES imports (a module.register resolve hook)
// and for CommonJS require() (Node 20's loader hooks do not see require, so Module's resolver too).
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

// `electron-updater` likewise becomes electron-updater.cjs, which reads a local feed.
const fakes = { electron: new URL('./electron.cjs', import.meta.url).href, 'electron-updater': new URL('./electron-updater.cjs', import.meta.url).href };
register('./hooks.mjs', import.meta.url, { data: { fakes } });

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return Object.hasOwn(fakes, request) ? fileURLToPath(fakes[request]) : resolveFilename.call(this, request, ...rest);
};

// HARNESS_PLATFORM plays the app as on another OS (only what reads process.platform changes; Node's
// own modules, loaded already, stay as they are), for per-platform paths of the shell.
if (process.env.HARNESS_PLATFORM) Object.defineProperty(process, 'platform', { value: process.env.HARNESS_PLATFORM });
