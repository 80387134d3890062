// `arlo-rtsp healthcheck`: asks a running `serve` for GET /healthz and exits 0 on 200, 1 otherwise,
// printing the answer. For Docker's HEALTHCHECK and service managers: it reads the same --http /
// ARLO_RTSP_HTTP as serve, so the check follows the configuration without repeating it.

import type { Command } from 'commander';
import { HEALTH_PATH } from '../web.js';
import { askableHost, httpOption, parseHostPort } from './serve.js';

const TIMEOUT_MS = 5_000;

export function register(program: Command): void {
  program
    .command('healthcheck')
    .description('exit 0 when the running "serve" answers GET /healthz with 200, else 1 (for Docker HEALTHCHECK and service managers)')
    .addOption(httpOption('where "serve" listens'))
    .action(async (options: { http: string }) => {
      const { host, port } = parseHostPort(options.http, '--http');
      const url = `http://${askableHost(host)}:${port}${HEALTH_PATH}`;
      const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((error: unknown) => {
        throw new Error(`no answer from ${url}: ${error instanceof Error ? error.message : String(error)}`);
      });
      console.log(`${response.status} ${await response.text()}`);
      process.exitCode = response.status === 200 ? 0 : 1;
    });
}
