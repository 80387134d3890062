// A still picture of a camera: its first keyframe (the hub's cached one when it streams, else the
// next) decoded to JPEG by ffmpeg. Taken as an in-process viewer of the hub, so a camera that is
// woken for it (`wake`) lingers and sleeps again like after any viewer.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AppError } from '../errors.js';
import { AttachError, type StreamManager } from '../stream/manager.js';
import type { AccessUnit } from './depacketize.js';
import { MediaTap } from './tap.js';
import { requireLiveTracks } from './watch.js';

/** `no-recent-picture`: the camera is idle and was not to be woken; `no-picture`: it streamed none in time. */
export type SnapshotErrorCode = 'no-ffmpeg' | 'no-recent-picture' | 'no-picture' | 'stopped' | 'refused' | 'decode-failed';

/** An AppError, so the API's bindings carry its code and message as they are. */
export class SnapshotError extends AppError {
  override readonly name = 'SnapshotError';
  constructor(override readonly code: SnapshotErrorCode, message: string) {
    super(code, message);
  }
}

/** The HTTP status each failure answers with, wherever a snapshot is served over HTTP. */
/** The HTTP status of each snapshot refusal, and of a snapshot of a camera nobody knows. */
export const SNAPSHOT_HTTP_STATUS: Record<SnapshotErrorCode | 'unknown-camera', number> = { 'unknown-camera': 404, 'no-ffmpeg': 501, 'no-recent-picture': 404, 'no-picture': 404, stopped: 404, refused: 429, 'decode-failed': 502 };

export const NO_RECENT_PICTURE_MESSAGE = 'No recent picture: the camera is not streaming.';

/** What to do when ffmpeg is missing, after what needs it ("Snapshots are decoded by ffmpeg"). */
export function noFfmpegMessage(needs: string): string {
  return `${needs}, which was not found: install it (Debian/Ubuntu: apt install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) or give its path (arlo-rtsp: --ffmpeg or ARLO_RTSP_FFMPEG).`;
}

export const NO_FFMPEG_MESSAGE = noFfmpegMessage('Snapshots are decoded by ffmpeg');

/** How long a snapshot waits for a keyframe (a woken camera needs its session first). */
const KEYFRAME_TIMEOUT_MS = 15_000;
const DECODE_TIMEOUT_MS = 10_000;

/**
 * Where package managers put ffmpeg outside the PATH an app gets: a desktop app started from
 * Finder or the Dock has only /usr/bin:/bin:/usr/sbin:/sbin, not Homebrew's or MacPorts' folders.
 */
function wellKnownFfmpegDirs(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  switch (platform) {
    case 'darwin':
      return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];
    case 'win32':
      // winget's links folder (on the user's PATH, but not always on an app's started before the install).
      return env.LOCALAPPDATA ? [join(env.LOCALAPPDATA, 'Microsoft', 'WinGet', 'Links')] : [];
    default:
      return ['/usr/local/bin', '/snap/bin'];
  }
}

/** The ffmpeg to run: the configured one, else the first on PATH, else in a well-known folder; undefined when there is none. */
export function findFfmpeg(configured: string | undefined, path = process.env.PATH ?? '', knownDirs = wellKnownFfmpegDirs()): string | undefined {
  const executable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (configured) return executable(configured) ? configured : undefined;
  const names = process.platform === 'win32' ? ['ffmpeg.exe'] : ['ffmpeg'];
  for (const dir of [...path.split(delimiter).filter((d) => d !== ''), ...knownDirs]) {
    for (const name of names) if (executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export async function takeSnapshot(
  streams: StreamManager,
  deviceId: string,
  options: { wake: boolean; ffmpeg: string | undefined },
): Promise<Buffer> {
  const ffmpeg = findFfmpeg(options.ffmpeg);
  if (!ffmpeg) throw new SnapshotError('no-ffmpeg', NO_FFMPEG_MESSAGE);
  const { keyframe, codec } = await firstKeyframe(streams, deviceId, options.wake);
  return decodeToJpeg(ffmpeg, codec, keyframe);
}

async function firstKeyframe(streams: StreamManager, deviceId: string, wake: boolean): Promise<{ keyframe: Buffer; codec: 'h264' | 'h265' }> {
  let resolve: (unit: AccessUnit) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const picture = new Promise<AccessUnit>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let codec: 'h264' | 'h265' = 'h264';
  let parameterSets: Buffer[] = [];
  let detach: () => void;
  try {
    detach = await streams.attach(
      deviceId,
      (info) => {
        const tracks = requireLiveTracks(info);
        codec = tracks.video.codec;
        parameterSets = tracks.video.parameterSets;
        return new MediaTap(tracks, {
          video: (unit) => unit.keyframe && resolve(unit),
          audio: () => undefined,
          queued: () => 0,
          end: (reason) => reject(new SnapshotError('no-picture', reason)),
        });
      },
      { wake },
    );
  } catch (error) {
    if (error instanceof AttachError) {
      if (error.code === 'idle') throw new SnapshotError('no-recent-picture', NO_RECENT_PICTURE_MESSAGE);
      throw new SnapshotError(error.code === 'refused' ? 'refused' : 'stopped', error.message);
    }
    throw error;
  }
  const timer = setTimeout(() => reject(new SnapshotError('no-picture', 'The camera sent no keyframe in time.')), KEYFRAME_TIMEOUT_MS);
  try {
    const unit = await picture;
    // A keyframe without its parameter sets (they came in the SDP only) cannot be decoded alone.
    const nals = [...parameterSets, ...unit.nals];
    return { keyframe: Buffer.concat(nals.flatMap((nal) => [Buffer.from([0, 0, 0, 1]), nal])), codec };
  } finally {
    clearTimeout(timer);
    detach();
  }
}

function decodeToJpeg(ffmpeg: string, codec: 'h264' | 'h265', annexB: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ffmpeg,
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', codec === 'h264' ? 'h264' : 'hevc', '-i', 'pipe:0', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    let errors = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), DECODE_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdin.on('error', () => undefined); // ffmpeg may exit before reading all; its status says why
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new SnapshotError('decode-failed', `ffmpeg could not be run: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const jpeg = Buffer.concat(out);
      if (code === 0 && jpeg.length > 0) resolve(jpeg);
      else reject(new SnapshotError('decode-failed', `ffmpeg could not decode the picture (exit ${code}): ${errors.trim().slice(0, 300)}`));
    });
    child.stdin.end(annexB);
  });
}
