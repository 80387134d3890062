#!/usr/bin/env -S node --max-semi-space-size=4 --min-semi-space-size=4
// `arlo-rtsp`: the headless shell. Each subcommand lives in ./commands/ and registers itself here.
//
// The line above fixes V8's young generation at 4 MB per semi-space for every way the npm bin
// starts: a shell, the Docker image, the systemd unit, and Windows (npm's command shims read `env -S`
// lines). At most 4: with Node's default (growing to 16) the young generation grows under the packet
// rate, V8 starts major collections every second or so, and `serve` at 5 cameras x 3 viewers x
// 20 Mbit/s takes ~35 MB and a third more CPU. At least 4: left to shrink to its 1 MB minimum, a
// relay's steady trickle of short-lived packet views set off a scavenge every second, each paying
// for the whole heap's roots (docs/BENCHMARKS.md). A heap size is fixed when V8 starts, so it has to
// be on node's command line; `npm run demo` carries the same flags (test/unit/young-generation-cap.test.ts
// holds the two together).

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commands } from './commands/index.js';

// The package's own version: package.json sits three folders up from both src/ and dist/.
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('arlo-rtsp')
  .description('Local RTSP URLs for Arlo cameras behind a base station')
  .version(version, '--version', 'print the version')
  .option('--data-dir <dir>', 'where settings, certificates and secrets live', defaultDataDir())
  // Each command's help lists --data-dir too: it is where every command reads and writes.
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Errors reach the user as one sentence they can act on, never as a stack.
  console.error(`arlo-rtsp: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

function defaultDataDir(): string {
  if (process.env.ARLO_RTSP_DATA_DIR) return process.env.ARLO_RTSP_DATA_DIR;
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '.';
  if (process.platform === 'win32') return `${process.env.APPDATA ?? home}\\arlo-rtsp`;
  if (process.platform === 'darwin') return `${home}/Library/Application Support/arlo-rtsp`;
  return `${process.env.XDG_CONFIG_HOME ?? `${home}/.config`}/arlo-rtsp`;
}
