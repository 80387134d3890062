#!/usr/bin/env node
// `arlo-rtsp`: the headless shell. Each subcommand lives in ./commands/ and registers itself here.

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
