#!/usr/bin/env node
// `npm run sim`: a simulated Arlo base station on this machine, to try clients against by hand.
// With --out it writes a CA-issued client certificate and key, so that e.g.
//   openssl s_client -connect 127.0.0.1:<port> -cert client.pem -key client-key.pem
// can speak to it (every request then needs the Nonce header, see PROTOCOL.md §5). With --replay
// it behaves as the base station of a field capture did (docs/CAPTURES.md).

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SimBaseStation, type SimCamera } from './basestation.js';
import { SimCertificateAuthority } from './ca.js';
import { issueIdentity } from './identity.js';
import type { NonceStyle } from './nonce-verifier.js';
import type { SimQuirks } from './quirks.js';
import { camerasOfCapture } from './replay.js';
import { readCapture, type Capture } from '../main/capture/format.js';

const CAMERAS: SimCamera[] = [
  { deviceId: 'SIMCAM-AVC', codecs: ['avc'] },
  { deviceId: 'SIMCAM-HEVC', codecs: ['avc', 'hevc'] },
  { deviceId: 'SIMCAM-OWN', codecs: ['avc'], ownBaseStation: true },
];

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return port;
}

async function writeClientFiles(dir: string, ca: SimCertificateAuthority, station: SimBaseStation): Promise<void> {
  const identity = issueIdentity(ca, 'sim-cli-client');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'client.pem'), identity.certPem);
  await writeFile(join(dir, 'client-key.pem'), identity.keyPem, { mode: 0o600 });
  await writeFile(join(dir, 'ca.pem'), ca.certificatePem);
  if (station.serverCertificatePem) await writeFile(join(dir, 'basestation.pem'), station.serverCertificatePem);
}

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${allowed.join(', ')}`);
    return value as T;
  };
}

interface SimCliOptions {
  plain: boolean;
  port: number;
  host: string;
  out?: string;
  nonces?: NonceStyle;
  keepAliveAnswer?: '400' | '501' | 'never';
  slow?: number;
  mediaDelay?: number;
  sessionAtDescribe: boolean;
  legacyTls: boolean;
  replay?: string;
  wantsHostName?: string;
  wantsIp: boolean;
}

/** The behaviours of real base stations the working clients tolerate (issue 10), as flags. */
function quirksOf(options: SimCliOptions): SimQuirks {
  return {
    ...(options.nonces ? { nonceStyle: options.nonces } : {}),
    ...(options.keepAliveAnswer ? { keepAliveAnswer: options.keepAliveAnswer === 'never' ? 'never' : (Number(options.keepAliveAnswer) as 400 | 501) } : {}),
    ...(options.slow ? { slowMethods: ['DESCRIBE', 'PLAY'], slowMs: options.slow } : {}),
    ...(options.mediaDelay ? { mediaDelayMs: options.mediaDelay } : {}),
    ...(options.sessionAtDescribe ? { sessionAtDescribe: true } : {}),
    ...(options.legacyTls ? { legacyTls: true } : {}),
    ...(options.wantsHostName ? { urlHost: { wants: 'name', name: options.wantsHostName } } : options.wantsIp ? { urlHost: { wants: 'address' } } : {}),
  };
}

const program = new Command('arlo-sim')
  .description('A simulated Arlo base station: RTSP over mutual TLS with the Nonce rule, serving test clips.')
  .option('--plain', 'no TLS and no Nonce rule (for stock ffprobe/ffmpeg/VLC)', false)
  .option('--port <port>', 'TCP port (0 = any free one)', portNumber, 8554)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--out <dir>', 'write a client certificate and key issued by the simulated CA here')
  .option('--nonces <style>', 'issued Nonce values: large (default), small or signed', choice<NonceStyle>(['large', 'small', 'signed']))
  .option('--keep-alive-answer <answer>', 'answer keep-alives with 400, 501, or never', choice(['400', '501', 'never'] as const))
  .option('--slow <ms>', 'answer DESCRIBE and PLAY only after this many milliseconds (a waking battery camera)', portNumber)
  .option('--session-at-describe', 'name the session on the DESCRIBE answer only (none on SETUP or PLAY), and require it from SETUP on', false)
  .option('--legacy-tls', 'a 1024-bit SHA-1-signed certificate and only RSA key exchange with AES-CBC-SHA1 ciphers', false)
  .option('--replay <file>', 'behave as the base station of this capture ("arlo-rtsp doctor --capture FILE") did; the behaviour flags above do not apply')
  .option('--wants-host-name <name>', 'answer 404 to request URLs naming another host than this one (e.g. VMB5000.local), an IP address above all')
  .option('--wants-ip', 'answer 404 to request URLs naming the base station by a name instead of an IP address', false)
  .option('--media-delay <ms>', 'start the media only this many milliseconds after answering PLAY (a camera that wakes after PLAY)', portNumber)
  .action(async (options: SimCliOptions) => {
    const capture = options.replay ? await readReplay(options.replay, options.plain) : undefined;
    const cameras = capture ? camerasOfCapture(capture) : CAMERAS;
    const ca = await SimCertificateAuthority.create();
    const station = new SimBaseStation({
      ca, cameras, port: options.port, host: options.host,
      ...(capture ? { replay: capture } : { plain: options.plain, quirks: quirksOf(options) }),
    });
    const { port } = await station.start();
    const behaviour = capture ? `replaying ${options.replay}, captured ${capture.startedAt}` : options.plain ? 'plain RTSP, no Nonce' : 'mutual TLS 1.2 + Nonce';
    console.log(`Simulated Arlo base station on ${options.host}:${port} (${behaviour})`);
    for (const camera of cameras) {
      for (const codec of camera.ownBaseStation ? [undefined] : camera.codecs) console.log(`  ${station.urlFor(camera.deviceId, codec)}`);
    }
    if (options.out) {
      await writeClientFiles(options.out, ca, station);
      console.log(`Client certificate and key in ${options.out}: client.pem, client-key.pem (CA: ca.pem, base station: basestation.pem)`);
    }
    const shutdown = () => void station.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

/** The capture to replay, or the process ends with what is wrong with it. */
async function readReplay(file: string, plain: boolean): Promise<Capture> {
  try {
    if (plain) throw new Error('--replay and --plain do not go together: a replay is as strict as the recorded base station (mutual TLS, the Nonce rule).');
    return await readCapture(file);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}

await program.parseAsync();
