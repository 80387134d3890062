// `arlo-rtsp serve`: runs every enrolled camera as a local RTSP URL, prints the URLs, serves the
// web UI and `GET /api/state` on --http, and stops cleanly (TEARDOWN to the base station) on
// SIGINT/SIGTERM. `runServe` is also the body of `arlo-rtsp demo`.

import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createLogger, type Logger } from '../../log.js';
import { onvifDeviceUrl, onvifPort } from '../../onvif/bridge.js';
import { checkListenAddress, checkPortBase, createAppService, type AppService, type AppServiceOptions } from '../../service.js';
import { openDataStore } from '../../store/data-store.js';
import { recordServe } from '../../store/serve-record.js';
import { keptAccessToken } from '../access-token.js';
import { HEALTH_PATH, METRICS_PATH, STATE_PATH, startWebServer, type WebServer } from '../web.js';
import { ACCESS_TOKEN_HEADER } from '../web-binding.js';
import { printable } from '../../../shared/text.js';

interface ServeCliOptions {
  dataDir: string;
  listen?: string;
  portBase?: string;
  basestation: string[];
  http: string;
  ffmpeg?: string;
  requireToken?: boolean;
  onvif?: boolean;
  onvifAddress: string[];
}

export const DEFAULT_HTTP = '127.0.0.1:8555';
export const FFMPEG_OPTION_HELP = 'the ffmpeg that decodes snapshot.jpg pictures and makes the /h264 and /sub streams (default: the one on PATH)';

/** Every `serve` option can also come from the environment (containers, systemd); a flag wins over its variable. */
export const SERVE_ENV = {
  listen: 'ARLO_RTSP_LISTEN',
  portBase: 'ARLO_RTSP_PORT_BASE',
  basestation: 'ARLO_RTSP_BASESTATION',
  http: 'ARLO_RTSP_HTTP',
  ffmpeg: 'ARLO_RTSP_FFMPEG',
  requireToken: 'ARLO_RTSP_REQUIRE_TOKEN',
  onvif: 'ARLO_RTSP_ONVIF',
  onvifAddress: 'ARLO_RTSP_ONVIF_ADDRESS',
} as const satisfies Record<keyof Omit<ServeCliOptions, 'dataDir'>, string>;

/** --http, from ARLO_RTSP_HTTP too: `serve` listens there, `healthcheck` asks there. */
export function httpOption(description: string): Option {
  return new Option('--http <host:port>', description).env(SERVE_ENV.http).default(DEFAULT_HTTP);
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve every enrolled camera as a local RTSP URL until interrupted')
    .addOption(new Option('--listen <address>', 'address the RTSP ports listen on (127.0.0.1; 0.0.0.0 serves the LAN and needs viewer credentials)')
      .env(SERVE_ENV.listen))
    .addOption(new Option('--port-base <port>', 'first RTSP port; each camera keeps its own port from here (default 8556)')
      .env(SERVE_ENV.portBase))
    .addOption(new Option('--basestation <id=host[:port]>', "a base station's address when discovery cannot find it (repeatable; the variable takes several, separated by spaces or commas)")
      .env(SERVE_ENV.basestation).argParser(collect).default([]))
    .addOption(httpOption('where the web UI, GET /api/state, /healthz and /metrics are served (beyond loopback the API and /metrics need the access token printed at start)'))
    .addOption(new Option('--ffmpeg <path>', FFMPEG_OPTION_HELP).env(SERVE_ENV.ffmpeg))
    .addOption(new Option('--require-token [yes|no]', 'whether the web UI and API want the access token on loopback too, for computers with several users (kept as a setting; beyond loopback it is always required)')
      .env(SERVE_ENV.requireToken).argParser(parseYesNo))
    .addOption(new Option('--onvif [yes|no]', 'whether each running camera is also an ONVIF device that recorders discover (kept as a setting; its port is the RTSP port + 500)')
      .env(SERVE_ENV.onvif).argParser(parseYesNo))
    .addOption(new Option('--onvif-address <id=ip>', "a camera's ONVIF device on an address of its own, for recorders that want one device per address (repeatable; kept as a setting)")
      .env(SERVE_ENV.onvifAddress).argParser(collect).default([]))
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<ServeCliOptions>();
      const stopped = untilSignal();
      const running = await runServe({
        dataDir: options.dataDir,
        http: options.http,
        logger: createLogger(),
        ...(options.ffmpeg ? { ffmpegPath: options.ffmpeg } : {}),
        overrides: {
          ...(options.listen ? { listenAddress: options.listen } : {}),
          ...(options.portBase ? { portBase: parsePort(options.portBase, '--port-base') } : {}),
          ...(options.requireToken !== undefined ? { requireAccessToken: options.requireToken } : {}),
          ...(options.basestation.length > 0 ? { baseStationAddresses: parseBaseStations(options.basestation) } : {}),
          ...(options.onvif !== undefined ? { onvif: options.onvif } : {}),
          ...(options.onvifAddress.length > 0 ? { onvifAddresses: parseOnvifAddresses(options.onvifAddress) } : {}),
        },
      });
      await stopped;
      await running.close();
    });
}

export interface ServeOptions {
  dataDir: string;
  /** `host:port` of the HTTP server. */
  http: string;
  logger: Logger;
  overrides?: AppServiceOptions['overrides'];
  discovery?: AppServiceOptions['discovery'];
  arloEndpoints?: AppServiceOptions['arloEndpoints'];
  /** `arlo-rtsp demo`: the data dir is the demo's (marked so), and the hints name its web UI, not the real-cloud commands. */
  demo?: boolean;
  ffmpegPath?: string;
  /** Runs once the service is open, before the enrolled cameras start (the demo signs in and enrolls here). */
  prepare?: (service: AppService) => Promise<void>;
}

export interface RunningServe {
  service: AppService;
  web: WebServer;
  close(): Promise<void>;
}

/** Starts the service and every enrolled camera, the HTTP server, and prints what to paste where. */
export async function runServe(options: ServeOptions): Promise<RunningServe> {
  const http = parseHostPort(options.http, '--http');
  // Bad flags are refused before the data dir is touched: nothing created, nothing logged first.
  if (options.overrides?.listenAddress) checkListenAddress(options.overrides.listenAddress);
  if (options.overrides?.portBase !== undefined) checkPortBase(options.overrides.portBase);
  // One secret store for the service and the web token: two would each overwrite the other's file.
  const store = await openDataStore(options.dataDir, { logger: options.logger, ...(options.demo ? { demo: true } : {}) });
  const { secrets } = store;
  const accessToken = await keptAccessToken(secrets);
  // Turned on now after running open: a token someone took while anyone could ask for one stops working.
  const requireTokenBefore = (await store.read()).settings.requireAccessToken;
  if (options.overrides?.requireAccessToken && !requireTokenBefore) await accessToken.rotate();
  const service = await createAppService({
    dataDir: options.dataDir,
    secrets,
    logger: options.logger,
    shell: 'web',
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.discovery !== undefined ? { discovery: options.discovery } : {}),
    ...(options.arloEndpoints ? { arloEndpoints: options.arloEndpoints } : {}),
    ...(options.demo ? { demo: true } : {}),
    ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
  });
  let web: WebServer;
  try {
    // The web port first: a busy one is said before the demo signs in and enrolls for nothing.
    web = await startWebServer({
      host: http.host, port: http.port, api: service, media: service, logger: options.logger, accessToken,
    });
  } catch (error) {
    await service.close();
    throw error;
  }
  try {
    await options.prepare?.(service);
    await startEnrolledCameras(service);
  } catch (error) {
    await web.close();
    await service.close();
    throw error;
  }
  // Tells another command on this data dir (doctor) that this process holds the cameras' sessions.
  const forgetRecord = await recordServe(store.dir, `http://${askableHost(http.host)}:${new URL(web.url).port}`);
  const state = await service.getState();
  const running = state.cameras.filter((c) => c.running);
  if (running.length === 0) {
    // A demo user signs in to the simulated cloud: the real-cloud commands would lead elsewhere.
    console.log(options.demo
      ? 'no camera is running yet: sign in with the demo account above and enroll in the web UI'
      : 'no camera is running yet: sign in and enroll in the web UI (or "arlo-rtsp login", "arlo-rtsp enroll"), or import a certificate');
  }
  // The URL names the viewer but never the password: the web UI's "Copy URL" gives it whole.
  for (const camera of running) console.log(`${printable(camera.name)} (${printable(camera.deviceId)}): ${camera.url}`);
  if (state.settings.onvif) {
    for (const camera of running) {
      const host = state.settings.onvifAddresses[camera.deviceId] ?? new URL(camera.url).hostname;
      console.log(`${printable(camera.name)} ONVIF: ${onvifDeviceUrl(host, onvifPort(camera.port))}`);
    }
  }
  const base = browsableUrl(web.url, http.host);
  // The only place the token is ever written out, and only when it is required: the user needs it once to open the UI.
  const tokenRequired = web.tokenRequired();
  console.log(`web UI: ${base}/${tokenRequired ? `?token=${accessToken.value}` : ''}`);
  if (!web.uiBuilt) console.log('  (the web UI is not built: run "npm run build"; the API and /api/state work without it)');
  console.log(`state: ${base}${STATE_PATH}${tokenRequired ? `   (send the token of the web UI URL as the ${ACCESS_TOKEN_HEADER} header, or as ?token=)` : ''}`);
  console.log(`metrics: ${base}${METRICS_PATH} (Prometheus, same rule as state)   health: ${base}${HEALTH_PATH}`);
  return {
    service,
    web,
    async close() {
      await web.close();
      await service.close();
      await forgetRecord();
    },
  };
}

/** A wildcard listen address is asked on this machine's loopback. */
export function askableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** `url` with a wildcard listen address replaced by one a browser on the LAN can open. */
function browsableUrl(url: string, host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return url;
  const lan = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
  return url.replace(host === '::' ? '[::]' : host, lan?.address ?? hostname());
}

/** Starts each camera whose base station is enrolled; one that cannot start is reported, not fatal. */
async function startEnrolledCameras(service: AppService): Promise<void> {
  const state = await service.getState();
  const enrolled = new Set(state.baseStations.filter((b) => b.enrolled).map((b) => b.deviceId));
  for (const camera of state.cameras.filter((c) => enrolled.has(c.baseStationId) && !c.running)) {
    await service.startCamera(camera.deviceId).catch((error: unknown) => {
      console.error(`${printable(camera.name)} (${printable(camera.deviceId)}) not started: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.log(`${signal}: stopping`);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `--require-token [yes|no]` and its variable: yes/no, true/false, on/off or 1/0. */
function parseYesNo(text: string): boolean {
  const value = text.trim().toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(value)) return true;
  if (['no', 'false', 'off', '0'].includes(value)) return false;
  throw new InvalidArgumentError('use yes or no.');
}

/** Each --basestation adds one; the environment variable may hold several at once. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(/[\s,]+/).filter((item) => item !== '')];
}

/** `HOST:PORT`, `[v6]:PORT`; port 0 picks a free one (the printed URL tells which). */
export function parseHostPort(text: string, option: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`${option} wants HOST:PORT (e.g. ${DEFAULT_HTTP}), not "${text}"`);
  return { host: match[1] ?? match[2]!, port: match[3] === '0' ? 0 : parsePort(match[3]!, option) };
}

export function parsePort(text: string, option: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new Error(`${option}: "${text}" is not a port number (1-65535)`);
  return port;
}

/** `ID=IP` for each --onvif-address. */
export function parseOnvifAddresses(values: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const match = /^([^=\s]+)=(\S+)$/.exec(value.trim());
    if (!match || isIP(match[2]!) === 0) throw new Error(`--onvif-address wants CAMERA_ID=IP (e.g. 5EM1234567890=192.168.1.61), not "${value}"`);
    result[match[1]!] = match[2]!;
  }
  return result;
}

/** `ID=HOST[:PORT]` (IPv6 as `ID=[::1]:554`) for each --basestation. */
export function parseBaseStations(values: string[]): Record<string, { host: string; port?: number }> {
  const result: Record<string, { host: string; port?: number }> = {};
  for (const value of values) {
    const match = /^([^=\s]+)=(?:\[([^\]]+)\]|([^:\s]+))(?::(\d+))?$/.exec(value.trim());
    if (!match) throw new Error(`--basestation wants ID=HOST[:PORT] (e.g. 4R01234567890=192.168.1.20), not "${value}"`);
    const port = match[4] === undefined ? undefined : parsePort(match[4], '--basestation');
    result[match[1]!] = { host: match[2] ?? match[3]!, ...(port !== undefined ? { port } : {}) };
  }
  return result;
}
