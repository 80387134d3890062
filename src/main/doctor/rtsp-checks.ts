// doctor's two RTSP steps. DESCRIBE shows what the engine hides: each status line, the Public
// header, the SDP's media lines and the Nonce exchange, on a connection of its own. PLAY runs the
// engine's own UpstreamSession for some seconds and measures what arrives.

import type { TLSSocket } from 'node:tls';
import { makeRequest, serializeMessage, type RtspResponse } from '../rtsp/message.js';
import { NONCE_HEADER, NonceSequence } from '../rtsp/nonce.js';
import { RtspReader } from '../rtsp/reader.js';
import { parseRtpHeader } from '../rtsp/rtp.js';
import { h264ParameterSets, h265ParameterSets, rtpmapOf, videoCodecOf } from '../rtsp/sdp.js';
import { isKeyframeStart, type VideoCodecName } from '../rtsp/keyframe.js';
import { isSps, pictureSizeOf, type PictureSize } from '../rtsp/sps.js';
import { responseError, StreamError } from '../stream/errors.js';
import { UpstreamSession, USER_AGENT, type UpstreamOptions } from '../stream/upstream.js';

type Outcome = { pass: string } | { fail: string; fix: string };
/** `status`: the refusing answer's, when the base station refused OPTIONS or DESCRIBE. */
type ExchangeOutcome = { pass: string } | { fail: string; fix: string; status?: number };

const ANSWER_TIMEOUT_MS = 30_000;

/** OPTIONS then DESCRIBE of `url` on `socket` (TLS up to `where`), each with its Nonce; the socket is closed after. */
export async function describeExchange(socket: TLSSocket, where: string, url: string): Promise<ExchangeOutcome> {
  const nonces = new NonceSequence();
  const reader = new RtspReader();
  const lines: string[] = [];
  let cseq = 0;
  let waiting: ((response: RtspResponse | Error) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let item = reader.read(); item; item = reader.read()) {
      if (item.kind === 'response') waiting?.(item);
    }
  });
  socket.on('error', (error) => waiting?.(error));
  socket.on('close', () => waiting?.(new Error('the base station closed the connection')));
  const ask = (method: string, extra: Record<string, string> = {}): Promise<RtspResponse> => {
    const request = makeRequest(method, url, { ...extra, CSeq: ++cseq, 'User-Agent': USER_AGENT });
    const sent = nonces.next();
    request.headers.set(NONCE_HEADER, sent);
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${ANSWER_TIMEOUT_MS / 1000} s`)), ANSWER_TIMEOUT_MS);
      waiting = (answer) => {
        clearTimeout(timer);
        waiting = undefined;
        if (answer instanceof Error) return reject(answer);
        nonces.observe(answer);
        lines.push(`${method} (Nonce ${sent}) → ${answer.status} ${answer.reason} (Nonce ${answer.headers.get(NONCE_HEADER) ?? 'none'})`);
        resolve(answer);
      };
      socket.write(serializeMessage(request));
    });
  };
  try {
    const options = await ask('OPTIONS');
    if (options.status >= 300) return redirected(options, lines) ?? refused(where, 'OPTIONS', options, lines);
    lines.push(`Public: ${options.headers.get('Public') ?? '(none)'}`);
    const described = await ask('DESCRIBE', { Accept: 'application/sdp' });
    if (described.status >= 300) return redirected(described, lines) ?? refused(where, 'DESCRIBE', described, lines);
    const sdp = described.body.toString('utf8');
    lines.push(...sdp.split(/\r?\n/).filter((line) => line.startsWith('m=') || line.startsWith('a=rtpmap')));
    if (!/^m=video/m.test(sdp)) return { fail: lines.join('\n'), fix: 'The base station described no video for this camera: check that the camera is online in the Arlo app.' };
    return { pass: lines.join('\n') };
  } catch (error) {
    lines.push(error instanceof Error ? error.message : String(error));
    return { fail: lines.join('\n'), fix: 'The base station stopped answering RTSP: restart it (unplug it for ten seconds) and run the diagnosis again.' };
  } finally {
    socket.destroy();
  }
}

/**
 * A 3xx with a `Location` is an answer, not a refusal: the engine follows it as FFmpeg does (to the
 * same base station only), so this step shows where it points and PLAY shows whether it plays there.
 */
function redirected(response: RtspResponse, lines: string[]): Outcome | undefined {
  const location = response.headers.get('Location')?.trim();
  if (response.status >= 400 || !location) return undefined;
  lines.push(`Location: ${location} (streaming follows it to the same base station; the PLAY step shows whether it plays there)`);
  return { pass: lines.join('\n') };
}

function refused(where: string, method: string, response: RtspResponse, lines: string[]): ExchangeOutcome {
  return { fail: lines.join('\n'), fix: responseError(where, method, response).message, status: response.status };
}

/** PLAY through the engine's own session for `ms`, measuring the video; TEARDOWN at the end. */
export async function measurePlay(options: UpstreamOptions, ms: number): Promise<Outcome> {
  let video: { codec: VideoCodecName; clockRate: number } | undefined;
  let size: PictureSize | undefined;
  const timestamps = new Set<number>();
  const keyframes: number[] = [];
  let bytes = 0;
  let packets = 0;
  /** When the first video packet came: how long a camera takes to send after PLAY's answer is worth knowing. */
  let firstVideoAt: number | undefined;
  let session: UpstreamSession;
  try {
    session = await UpstreamSession.open({ ...options, responseTimeoutMs: ANSWER_TIMEOUT_MS }, {
      onFrame(track, rtcp, packet) {
        bytes += packet.length;
        if (rtcp || !track.codec) return;
        const header = parseRtpHeader(packet);
        if (!header) return;
        packets++;
        firstVideoAt ??= performance.now();
        video ??= { codec: track.codec, clockRate: track.clockRate };
        timestamps.add(header.timestamp);
        const payload = packet.subarray(header.payloadOffset, header.payloadEnd);
        if (isKeyframeStart(track.codec, payload) && keyframes.at(-1) !== header.timestamp) keyframes.push(header.timestamp);
        if (!size && isSps(track.codec, payload)) size = pictureSizeOf(track.codec, payload);
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { fail: message, fix: error instanceof StreamError ? message : 'Run the diagnosis again.' };
  }
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const seconds = (performance.now() - started) / 1000;
  size ??= sizeFromSdp(session);
  await session.close();
  if (!video || packets === 0) {
    return { fail: `no video arrived in ${seconds.toFixed(1)} s`, fix: 'The camera may be asleep or offline: check it in the Arlo app, then try again with a longer --play.' };
  }
  const span = spanSeconds([...timestamps], video.clockRate);
  const fps = span > 0 ? (timestamps.size - 1) / span : 0;
  const keyframeGaps = keyframes.slice(1).map((ts, i) => ((ts - keyframes[i]!) >>> 0) / video!.clockRate);
  const keyframeInterval = keyframeGaps.length > 0 ? `keyframe every ${(keyframeGaps.reduce((a, b) => a + b, 0) / keyframeGaps.length).toFixed(1)} s` : `${keyframes.length} keyframe(s)`;
  return {
    pass: [
      `${video.codec === 'h264' ? 'H.264' : 'H.265'} ${size ? `${size.width}x${size.height}` : '(size not declared)'}`,
      `${fps.toFixed(1)} fps`,
      keyframeInterval,
      `${((bytes * 8) / seconds / 1e6).toFixed(2)} Mbit/s over ${seconds.toFixed(1)} s`,
      // Frames before PLAY's answer count as 0 s.
      `first video ${(Math.max(0, (firstVideoAt ?? started) - started) / 1000).toFixed(1)} s after PLAY's answer`,
      'TEARDOWN sent',
    ].join(', '),
  };
}

function sizeFromSdp(session: UpstreamSession): PictureSize | undefined {
  for (const media of session.sdp.media) {
    const codec = videoCodecOf(media);
    if (!codec || !rtpmapOf(media)) continue;
    const sets = codec === 'h264' ? h264ParameterSets(media) : h265ParameterSets(media).sps;
    for (const nal of sets) {
      const size = isSps(codec, nal) ? pictureSizeOf(codec, nal) : undefined;
      if (size) return size;
    }
  }
  return undefined;
}

/** Seconds between the first and last RTP timestamp, across a 32-bit wrap. */
function spanSeconds(timestamps: number[], clockRate: number): number {
  if (timestamps.length < 2) return 0;
  const first = timestamps[0]!;
  const ticks = Math.max(...timestamps.map((ts) => (ts - first) >>> 0));
  return ticks / clockRate;
}

