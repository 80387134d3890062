// `arlo-rtsp demo`: the user's whole path without Arlo hardware. A simulated Arlo cloud (real HTTP)
// and base station (mutual TLS, the Nonce rule, real H.264/H.265 + AAC) start on loopback; then the
// real service walks what a user does through AppApi (sign in with the emailed code, devices, the
// base station's address, enrollment with a fresh key pair) and `serve` runs the cameras and the
// web UI. With --first-run the account steps are left to a person in the web UI instead.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SimBaseStation } from '../../../sim/basestation.js';
import { startSimCloud, stationCamerasOf, type SimAccount, type SimCloud } from '../../../sim/cloud/index.js';
import { createLogger } from '../../log.js';
import { clearDataDir, isDemoDataDir } from '../../store/data-store.js';
import type { AppService } from '../../service.js';
import { FFMPEG_OPTION_HELP, httpOption, parsePort, runServe, untilSignal } from './serve.js';

interface DemoCliOptions {
  dataDir: string;
  http: string;
  portBase?: string;
  firstRun: boolean;
  ffmpeg?: string;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('the whole path against a simulated Arlo cloud and base station: sign-in, enrollment, cameras, web UI')
    .option('--first-run', 'leave sign-in and enrollment to you in the web UI; prints the demo account and each code the cloud sends', false)
    .addOption(httpOption('where the web UI, GET /api/state, /metrics and /healthz are served'))
    .option('--port-base <port>', 'first RTSP port (default 8556)')
    .option('--ffmpeg <path>', FFMPEG_OPTION_HELP)
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<DemoCliOptions>();
      const portBase = options.portBase === undefined ? undefined : parsePort(options.portBase, '--port-base');
      const stopped = untilSignal();
      // The real data dir is never touched unless asked for.
      const temporary = command.getOptionValueSourceWithGlobals('dataDir') === 'default';
      const dataDir = temporary ? await mkdtemp(join(tmpdir(), 'arlo-rtsp-demo-')) : await freshDir(options.dataDir);
      const sim = await startSimulators();
      console.log(`simulated Arlo cloud: ${sim.cloud.authUrl} (sign-in), ${sim.cloud.apiUrl} (API)`);
      console.log(`simulated base station: 127.0.0.1:${sim.station.port} (mutual TLS, Nonce rule); data dir ${dataDir}${temporary ? ' (removed at exit)' : ''}`);
      try {
        const running = await runServe({
          dataDir,
          http: options.http,
          // The demo tells its own story on stdout; the log says only what went wrong unless asked.
          logger: createLogger({ level: process.env.ARLO_RTSP_LOG_LEVEL ?? 'warn' }),
          // Nothing may multicast from a demo; a simulator is not on the LAN for mDNS to find anyway.
          discovery: false,
          // Marks the data dir as the demo's: no other command then takes it to the real Arlo cloud.
          demo: true,
          ...(options.ffmpeg ? { ffmpegPath: options.ffmpeg } : {}),
          arloEndpoints: { apiUrl: sim.cloud.apiUrl, authUrl: sim.cloud.authUrl },
          overrides: portBase === undefined ? {} : { portBase },
          prepare: (service) => (options.firstRun ? printFirstRun(sim) : walkFirstRun(service, sim)),
        });
        if (!options.firstRun) {
          console.log('play one with: ffplay -rtsp_transport tcp <url>   (or paste the URL into VLC: Media > Open Network Stream)');
        }
        await stopped;
        await running.close();
      } finally {
        await sim.close();
        const { sessionsOpened, teardownsWithValidNonce, nonceViolations } = sim.station.stats;
        console.log(
          `simulated base station: ${sessionsOpened} sessions, ${teardownsWithValidNonce} TEARDOWNs with a valid Nonce, ${nonceViolations} Nonce violations`,
        );
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      }
    });
}

interface Simulators {
  cloud: SimCloud;
  station: SimBaseStation;
  /** An owner account (certificates are issued to owners only) with two-step verification. */
  account: SimAccount;
  close(): Promise<void>;
}

async function startSimulators(): Promise<Simulators> {
  // The user's inbox: every code the simulated cloud sends is shown as it is sent.
  const cloud = await startSimCloud({
    onCodeSent: (sent) => console.log(`simulated cloud sent a verification code by ${sent.factorType} to ${sent.email}: ${sent.code}`),
  });
  const account = cloud.accounts.mfa;
  const station = new SimBaseStation({ ca: cloud.ca, cameras: stationCamerasOf(account) });
  try {
    await station.start();
  } catch (error) {
    await cloud.close();
    throw error;
  }
  return {
    cloud,
    station,
    account,
    async close() {
      await station.stop();
      await cloud.close();
    },
  };
}

/** What a person needs to walk the first run in the web UI. */
async function printFirstRun(sim: Simulators): Promise<void> {
  console.log('first run: sign in in the web UI with the demo account (an owner account with two-step verification)');
  console.log(`  email:    ${sim.account.email}`);
  console.log(`  password: ${sim.account.password}`);
  console.log(`  base station address (mDNS cannot find a simulator: type it in): 127.0.0.1:${sim.station.port}`);
}

/** The first run as a user walks it, through AppApi: sign-in with MFA, devices, address, enrollment. */
async function walkFirstRun(service: AppService, sim: Simulators): Promise<void> {
  const { email, password } = sim.account;
  let step = await service.signIn(email, password);
  if (step.step === 'choose-factor') {
    const factor = step.factors.find((f) => f.factorType === 'EMAIL') ?? step.factors[0];
    if (!factor) throw new Error('the simulated cloud offered no verification factor');
    step = await service.chooseFactor(factor.factorId);
  }
  if (step.step === 'enter-code') step = await service.submitMfaCode(sim.cloud.lastCode(email) ?? '');
  if (step.step !== 'signed-in') throw new Error(`the demo sign-in stopped at "${step.step}"`);
  console.log(`signed in as ${email} through the simulated Arlo cloud`);

  await service.refreshDevices();
  const { baseStations, cameras } = await service.getState();
  for (const base of baseStations) {
    const names = cameras.filter((c) => c.baseStationId === base.deviceId).map((c) => `${c.name} (${c.codecs.join('+')})`);
    console.log(`found base station ${base.name} (${base.model}, ${base.deviceId}) with cameras: ${names.join(', ')}`);
    await service.setBaseStationAddress(base.deviceId, sim.station.host, sim.station.port);
    console.log(`  mDNS cannot find a simulator (and the demo multicasts nothing): typed its address ${sim.station.host}:${sim.station.port}`);
  }
  for (const outcome of await service.enroll()) {
    console.log(`  enrollment of ${outcome.baseStationId}: ${outcome.message}`);
    if (outcome.result === 'failed') throw new Error(`enrollment of ${outcome.baseStationId} failed: ${outcome.message}`);
  }
}

/**
 * A data dir for a demo must be new, empty, or an earlier demo's: the simulators are new on every
 * run, so the sign-in, certificate and pinned base-station identity an earlier demo kept would not
 * match them, and a demo's folder starts afresh.
 */
async function freshDir(dir: string): Promise<string> {
  if (await isDemoDataDir(dir)) {
    await clearDataDir(dir);
    console.log(`${dir} held an earlier demo's data: the simulated cloud and base station are new on every run, so the demo starts afresh there`);
  }
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) {
    throw new Error(`${dir} already holds data that is not a demo's; give a new or empty --data-dir, or an earlier demo's (or none, for a temporary one)`);
  }
  return dir;
}
