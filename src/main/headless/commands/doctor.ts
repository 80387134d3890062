// `arlo-rtsp doctor`: every check from the data directory to a playing camera, step by step, with
// the fix for each failure; exit code 0 only when all pass. `--report FILE` writes the same as
// JSON + text, safe to attach to a bug report. `--capture FILE` records the PLAY step's whole
// exchange with the base station (docs/CAPTURES.md), for the simulator to replay.

import { InvalidArgumentError, type Command } from 'commander';
import { MAX_DIAGNOSE_PLAY_SECONDS as MAX_PLAY_SECONDS, type Diagnosis } from '../../../shared/api.js';
import type { CaptureSlot } from '../../doctor/engine.js';
import { withAccount } from './account-context.js';

interface DoctorOptions {
  basestation?: string;
  camera?: string;
  play?: number;
  report?: string;
  capture?: string;
  mdnsInterface?: string;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check every step between this computer and a playing camera, and say how to fix what fails')
    .option('--basestation <id>', 'only this base station (default: every one, or the camera\'s)')
    .option('--camera <id>', 'the camera to DESCRIBE and PLAY (default: the first that streams locally)')
    .option('--play <seconds>', `PLAY for this long and measure the stream (1 to ${MAX_PLAY_SECONDS})`, playSeconds)
    .option('--report <file>', 'also write FILE.json and FILE.txt, with no token, key, password or cookie in them')
    .option('--capture <file>', 'also record what the base station says during PLAY (answers, timing, frame sizes; no video, key, token or account id) to FILE, to attach to a bug report')
    .option('--mdns-interface <address>', 'browse mDNS on the interface with this IPv4 address only (default: every interface)')
    .action(async (options: DoctorOptions, command: Command) => {
      // Loaded here: the engine pulls in the stream engine, which the other commands never need at start.
      const { diagnose, STEP } = await import('../../doctor/engine.js');
      const { diagnosisText, secretValues, writeReport } = await import('../../doctor/report.js');
      const { writeCapture } = await import('../../capture/recorder.js');
      await withAccount(command, async (account, store) => {
        const data = await store.read();
        const cameraStation = options.camera ? data.cameras.find((c) => c.deviceId === options.camera)?.baseStationId : undefined;
        if (options.camera && !cameraStation) throw new Error(`No camera with id ${options.camera} is known: run "arlo-rtsp devices" to list them.`);
        const stations = options.basestation ? [options.basestation] : cameraStation ? [cameraStation] : data.baseStations.map((b) => b.deviceId);
        if (stations.length === 0) throw new Error('No base station is known yet: sign in ("arlo-rtsp login") and run "arlo-rtsp devices" first.');
        if (options.capture && stations.length > 1) {
          throw new Error(`A capture is of one base station, and ${stations.length} are known: add --basestation <id> (or --camera <id>).`);
        }
        const capture: CaptureSlot = {};
        const diagnoses: Diagnosis[] = [];
        for (const baseStationId of stations) {
          const diagnosis = await diagnose(
            { store, account, discovery: options.mdnsInterface ? { interface: options.mdnsInterface } : {}, ...(options.capture ? { capture } : {}) },
            { baseStationId, ...(options.camera ? { cameraId: options.camera } : {}), ...(options.play ? { playSeconds: options.play } : {}) },
          );
          diagnoses.push(diagnosis);
          console.log(`${diagnosisText(diagnosis)}\n`);
        }
        const about = { node: process.version, platform: `${process.platform} ${process.arch}` };
        if (options.report) {
          const written = await writeReport(options.report, diagnoses, await secretValues(store), about);
          console.log(`Report written to ${written.join(' and ')}.`);
        }
        if (options.capture) {
          const recorder = capture.recorder;
          const play = diagnoses[0]?.steps.find((step) => step.name === STEP.play);
          if (!recorder?.connected) {
            console.log(`No capture written: ${play?.status === 'skip' ? `PLAY did not run (${play.fix ?? 'an earlier step failed'})` : 'no TLS connection to the base station came up'}; the steps above say why.`);
          } else {
            await writeCapture(options.capture, recorder.capture(about, play?.detail), await secretValues(store));
            console.log(`Capture written to ${options.capture}: attach it to your bug report (it holds no video, key, token or account id).`);
          }
        }
        if (diagnoses.some((d) => !d.passed)) process.exitCode = 1;
      });
    });
}

function playSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PLAY_SECONDS) {
    throw new InvalidArgumentError(`give a whole number of seconds from 1 to ${MAX_PLAY_SECONDS}`);
  }
  return seconds;
}
