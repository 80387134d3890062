// Which H.264 encoder derived streams use: the first hardware encoder of this machine that ffmpeg
// lists and that survives a tiny test encode (listed is not working: a VAAPI encoder without a
// GPU, an NVENC one without the driver), else libx264 with a fast preset. Probed once per process.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface H264Encoder {
  /** ffmpeg's name for it. */
  name: string;
  hardware: boolean;
  /** Arguments before the input (a device to open). */
  inputArgs: readonly string[];
  /** Filters after scaling, to hand the picture to the encoder (a hardware upload). */
  uploadFilter?: string;
  /** Encoder options, for a stream of about this many bits per second. */
  encodeArgs(bitrate: number): string[];
}

const VAAPI_DEVICE = '/dev/dri/renderD128';

/** Every encoder we know how to drive, hardware first in the order a platform usually has them. */
const CANDIDATES: Record<string, H264Encoder> = {
  h264_videotoolbox: { name: 'h264_videotoolbox', hardware: true, inputArgs: [], encodeArgs: (b) => ['-realtime', '1', '-b:v', String(b)] },
  h264_nvenc: { name: 'h264_nvenc', hardware: true, inputArgs: [], encodeArgs: (b) => ['-preset', 'p2', '-tune', 'll', '-b:v', String(b)] },
  h264_qsv: { name: 'h264_qsv', hardware: true, inputArgs: [], encodeArgs: (b) => ['-preset', 'veryfast', '-b:v', String(b)] },
  h264_vaapi: {
    name: 'h264_vaapi',
    hardware: true,
    inputArgs: ['-vaapi_device', VAAPI_DEVICE],
    uploadFilter: 'format=nv12,hwupload',
    encodeArgs: (b) => ['-b:v', String(b)],
  },
  h264_amf: { name: 'h264_amf', hardware: true, inputArgs: [], encodeArgs: (b) => ['-usage', 'lowlatency', '-b:v', String(b)] },
};

/** The software fallback: constant quality, capped near the hardware encoders' bitrate. */
export const LIBX264: H264Encoder = {
  name: 'libx264',
  hardware: false,
  inputArgs: [],
  encodeArgs: (b) => ['-preset', 'veryfast', '-tune', 'zerolatency', '-crf', '23', '-maxrate', String(b), '-bufsize', String(2 * b)],
};

function candidatesFor(platform: NodeJS.Platform): H264Encoder[] {
  const names = platform === 'darwin'
    ? ['h264_videotoolbox']
    : platform === 'win32'
      ? ['h264_nvenc', 'h264_qsv', 'h264_amf']
      : ['h264_nvenc', 'h264_qsv', ...(existsSync(VAAPI_DEVICE) ? ['h264_vaapi'] : [])];
  return names.map((name) => CANDIDATES[name]!);
}

export type EncoderProbe = { ok: true; encoder: H264Encoder } | { ok: false; message: string };

const PROBE_TIMEOUT_MS = 15_000;

/** Encodes a few frames of a small test picture with `encoder`; true when ffmpeg finishes cleanly. */
async function works(ffmpeg: string, encoder: H264Encoder): Promise<boolean> {
  const filter = ['format=yuv420p', ...(encoder.uploadFilter ? [encoder.uploadFilter] : [])].join(',');
  try {
    await run(ffmpeg, [
      '-hide_banner', '-nostdin', '-loglevel', 'error', ...encoder.inputArgs,
      '-f', 'lavfi', '-i', 'color=c=black:s=256x144:r=10', '-frames:v', '5', '-vf', filter,
      '-c:v', encoder.name, ...encoder.encodeArgs(500_000), '-f', 'null', '-',
    ], { timeout: PROBE_TIMEOUT_MS, windowsHide: true });
    return true;
  } catch {
    return false;
  }
}

/** The encoder to use with this ffmpeg: a working hardware one, else libx264; or why there is none. */
export async function probeEncoder(ffmpeg: string, platform: NodeJS.Platform = process.platform): Promise<EncoderProbe> {
  let listed: string;
  try {
    listed = (await run(ffmpeg, ['-hide_banner', '-encoders'], { timeout: PROBE_TIMEOUT_MS, windowsHide: true, maxBuffer: 4 * 1024 * 1024 })).stdout;
  } catch (error) {
    return { ok: false, message: `ffmpeg at ${ffmpeg} could not be run (${error instanceof Error ? error.message : String(error)}): derived streams need a working ffmpeg.` };
  }
  const has = (name: string): boolean => new RegExp(`^\\s*V\\S*\\s+${name}\\s`, 'm').test(listed);
  for (const candidate of candidatesFor(platform)) {
    if (has(candidate.name) && (await works(ffmpeg, candidate))) return { ok: true, encoder: candidate };
  }
  if (has(LIBX264.name) && (await works(ffmpeg, LIBX264))) return { ok: true, encoder: LIBX264 };
  return { ok: false, message: 'This ffmpeg has no working H.264 encoder (libx264 or a hardware one): install an ffmpeg built with libx264 for the H.264 and sub-streams.' };
}
