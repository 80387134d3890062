// doctor's two RTSP steps. DESCRIBE shows what the engine hides: each status line, the Public
// header, the SDP's media lines and the Nonce exchange, on a connection of its own. PLAY runs the
// engine's own UpstreamSession for some seconds and measures what arrives.

import type { TLSSocket } from 'node:tls';
import { makeRequest, serializeMessage, type RtspResponse } from '../rtsp/message.js';
import { NONCE_HEADER, NonceSequence } from '../rtsp/nonce.js';
import { RtspReader } from '../rtsp/reader.js';
import { parseRtpHeader } from '../rtsp/rtp.js';
import { h264ParameterSets, h265ParameterSets, rtpmapOf, videoCodecOf } from '../rtsp/sdp.js';
import { isKeyframeStart } from '../rtsp/keyframe.js';
import { isSps, pictureSizeOf, type PictureSize } from '../rtsp/sps.js';
import { NO_VIDEO_ADVICE, STREAM_ADVICE, type Outcome } from './outcome.js';
import { PlayMeter } from './play-meter.js';
import { responseError, StreamError } from '../stream/errors.js';
import { UpstreamSession, USER_AGENT, type UpstreamOptions } from '../stream/upstream.js';
import type { CaptureRecorder } from '../capture/recorder.js';

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
function redirected(response: RtspResponse, lines: string[]): { pass: string } | undefined {
  const location = response.headers.get('Location')?.trim();
  if (response.status >= 400 || !location) return undefined;
  lines.push(`Location: ${location} (streaming follows it to the same base station; the PLAY step shows whether it plays there)`);
  return { pass: lines.join('\n') };
}

function refused(where: string, method: string, response: RtspResponse, lines: string[]): ExchangeOutcome {
  const error = responseError(where, method, response);
  return { fail: [...lines, error.message].join('\n'), fix: STREAM_ADVICE[error.code], status: response.status };
}

/** PLAY through the engine's own session for `ms`, measuring the video; TEARDOWN at the end. A recorder, if given, captures it all. */
export async function measurePlay(options: UpstreamOptions, ms: number, recorder?: CaptureRecorder): Promise<Outcome> {
  let meter: PlayMeter | undefined;
  let session: UpstreamSession;
  try {
    session = await UpstreamSession.open({ ...options, responseTimeoutMs: ANSWER_TIMEOUT_MS }, {
      ...(recorder ? { onWire: recorder.onWire } : {}),
      onFrame(track, rtcp, packet) {
        recorder?.onFrame(track, rtcp, packet);
        // The meter starts at the first frame or PLAY's answer, whichever comes first.
        meter ??= new PlayMeter("PLAY's answer");
        meter.bytes(packet.length);
        if (rtcp || !track.codec) return;
        const header = parseRtpHeader(packet);
        if (!header) return;
        const payload = packet.subarray(header.payloadOffset, header.payloadEnd);
        meter.video(track.codec, track.clockRate, header.timestamp, isKeyframeStart(track.codec, payload));
        if (!meter.size && isSps(track.codec, payload)) meter.size = pictureSizeOf(track.codec, payload);
      },
    });
  } catch (error) {
    if (error instanceof StreamError) return { fail: error.message, fix: STREAM_ADVICE[error.code] };
    return { fail: error instanceof Error ? error.message : String(error), fix: 'Run the diagnosis again.' };
  }
  meter ??= new PlayMeter("PLAY's answer");
  await new Promise((resolve) => setTimeout(resolve, ms));
  meter.size ??= sizeFromSdp(session);
  await session.close();
  if (!meter.sawVideo) return { fail: meter.summary('TEARDOWN sent'), fix: NO_VIDEO_ADVICE };
  return { pass: meter.summary('TEARDOWN sent') };
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
