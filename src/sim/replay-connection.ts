// One client connection to a replaying base station (replay.ts): each request is checked as the
// simulator checks any (CSeq, the Nonce rule, the recorded path, the recorded Session), then
// answered with the recorded answer to the next request of that method, after the recorded delay;
// a request the recording left unanswered stays unanswered. After PLAY's answer, media goes out at
// the recorded times, RTP timestamps, sequence numbers, SSRC and payload types, with the
// simulator's own clip as payload, cut to the recorded largest packet.

import type { Socket } from 'node:net';
import { frameHeader, makeResponse, serializeMessage, type RtspRequest } from '../main/rtsp/message.js';
import { NONCE_HEADER, parseNonce } from '../main/rtsp/nonce.js';
import { RtspReader } from '../main/rtsp/reader.js';
import { writeRtpHeader } from '../main/rtsp/rtp.js';
import type { CapturedFrame } from '../main/capture/format.js';
import type { StationContext } from './connection.js';
import { NonceVerifier } from './nonce-verifier.js';
import { packetizeAac, packetizeNal } from './packetizer.js';
import { ReplayNonces, originOf, pathOf, payloadTypesOf, replayHead, replaySdp, type ReplayExchange, type ReplayPlan, type ReplayScript } from './replay.js';
import type { SimMedia } from './source.js';
import { recordRequest } from './stats.js';

/** Media waiting in the socket beyond this is a client not keeping up: further frames are dropped. */
const MAX_PENDING_BYTES = 1024 * 1024;
/** A recorded wait longer than this is cut to it: a replay is for tests, and a client gives up anyway. */
const MAX_ANSWER_DELAY_MS = 30_000;

export class ReplayConnection {
  readonly #reader = new RtspReader();
  readonly #verifier: NonceVerifier;
  #script: ReplayScript | undefined;
  /** Index of the first recorded exchange not yet replayed. */
  #cursor = 0;
  #pump: ReplayPump | undefined;
  #claimed: string | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();

  /** `media`: the simulator's clip for the captured camera's codec. */
  constructor(
    private readonly socket: Socket,
    private readonly station: StationContext,
    private readonly plan: ReplayPlan,
    private readonly media: SimMedia,
  ) {
    const nonces = new ReplayNonces(plan.nonces);
    this.#verifier = new NonceVerifier(() => nonces.next());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => this.#close());
    socket.on('error', () => socket.destroy());
    this.#armIdleTimer();
  }

  pauseMedia(): void {
    this.#pump?.stop();
  }

  #onData(chunk: Buffer): void {
    this.#reader.push(chunk);
    for (let item = this.#reader.read(); item && !this.socket.destroyed; item = this.#reader.read()) {
      if (item.kind === 'request') this.#handle(item);
      else if (item.kind === 'error') this.#refuse(item.error.status, undefined);
      // Frames from the client (RTCP receiver reports) and its answers are ignored.
    }
  }

  #handle(request: RtspRequest): void {
    const nonceHeader = request.headers.get(NONCE_HEADER);
    const record = (status: number) => recordRequest(this.station.stats, { method: request.method, uri: request.uri, nonce: nonceHeader, status });
    const cseqText = request.headers.get('CSeq')?.trim();
    const cseq = cseqText !== undefined && /^\d+$/.test(cseqText) ? Number(cseqText) : undefined;
    if (cseq === undefined) return record(this.#refuse(400, undefined));
    if (request.method === 'TEARDOWN') this.station.stats.teardowns++;
    if (!this.#verifier.check(parseNonce(nonceHeader))) {
      this.station.stats.nonceViolations++;
      return record(this.#refuse(400, cseq));
    }
    if (request.method === 'TEARDOWN') this.station.stats.teardownsWithValidNonce++;
    this.#armIdleTimer();
    this.#script ??= this.plan.nextScript();

    const exchange = this.#exchangeFor(request.method);
    if (!exchange) return record(this.#refuse(501, cseq));
    if (exchange.path !== pathOf(request.uri)) return record(this.#refuse(404, cseq, 'Not Found (not the path the capture recorded)'));
    const session = request.headers.get('Session')?.split(';')[0]?.trim();
    if (exchange.session !== undefined && session !== exchange.session) return record(this.#refuse(454, cseq));
    const { answer } = exchange;
    record(answer?.status ?? 0);
    if (!answer) return;
    const ok = answer.status >= 200 && answer.status < 300;
    if (ok && request.method === 'SETUP' && this.#claimed === undefined) {
      const refusal = this.station.claimSession(this.plan.capture.camera.deviceId);
      if (refusal) return void this.#refuse(refusal.status, cseq, refusal.reason);
      this.#claimed = this.plan.capture.camera.deviceId;
    }
    const reply = (): void => {
      if (this.socket.destroyed) return;
      const play = ok && request.method === 'PLAY' && !this.#pump;
      if (play) this.#pump = new ReplayPump(this.#script!, this.media, this.socket, this.station);
      // Media that the recording shows before PLAY's answer goes before it here too.
      if (play && (this.#script!.frames[0]?.at ?? 0) < 0) this.#pump!.start();
      this.#answer(exchange, request.uri, cseq);
      if (play) this.#pump!.start();
      if (ok && request.method === 'TEARDOWN') this.#endSession();
    };
    const delay = Math.min(answer.delayMs, MAX_ANSWER_DELAY_MS);
    if (delay < 1) return reply();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      reply();
    }, delay);
    this.#timers.add(timer);
  }

  /** The next recorded exchange of this method; past the last, the last one again (keep-alives run on). */
  #exchangeFor(method: string): ReplayExchange | undefined {
    const exchanges = this.#script!.exchanges;
    const next = exchanges.findIndex((e, i) => i >= this.#cursor && e.method === method);
    if (next >= 0) {
      this.#cursor = next + 1;
      return exchanges[next];
    }
    return exchanges.findLast((e) => e.method === method);
  }

  #answer(exchange: ReplayExchange, uri: string, cseq: number): void {
    const answer = exchange.answer!;
    const script = this.#script!;
    const origin = originOf(uri) ?? script.origin;
    const body = /^v=0/.test(answer.body) ? replaySdp(answer.body, this.media, script.origin, origin) : answer.body.split(script.origin).join(origin);
    const bodyBytes = Buffer.from(body, 'latin1');
    const head = replayHead(answer, { cseq, nonce: () => this.#verifier.issue(), origin, recordedOrigin: script.origin, bodyLength: bodyBytes.length });
    // The head ends in its last header's line end; the blank line after it uses the same.
    const end = head.endsWith('\r\n') ? '\r\n' : '\n';
    this.#write(Buffer.concat([Buffer.from(`${head}${end}`, 'latin1'), bodyBytes]));
  }

  /** The simulator's own answer where the recording has none to give (a check failed, or an unrecorded method). */
  #refuse(status: number, cseq: number | undefined, reason?: string): number {
    const response = reason === undefined ? makeResponse(status) : makeResponse(status, {}, undefined, reason);
    if (cseq !== undefined) response.headers.set('CSeq', cseq);
    response.headers.set(NONCE_HEADER, this.#verifier.issue());
    this.#write(serializeMessage(response));
    return status;
  }

  #write(bytes: Buffer): void {
    if (!this.socket.writable) return;
    this.socket.write(bytes);
    this.station.stats.bytesSent += bytes.length;
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#claimed !== undefined) this.station.stats.sessionTimeouts++;
      this.socket.destroy();
    }, (this.plan.sessionTimeoutSeconds ?? this.station.sessionTimeoutSeconds) * 1000);
  }

  #endSession(): void {
    this.#pump?.stop();
    this.#pump = undefined;
    if (this.#claimed !== undefined) this.station.releaseSession(this.#claimed);
    this.#claimed = undefined;
  }

  #close(): void {
    clearTimeout(this.#idleTimer);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#endSession();
  }
}

/** One track's recorded units (a video picture or an audio frame: packets of one RTP timestamp). */
interface TrackPlan {
  kind: 'video' | 'audio';
  channel: number;
  payloadType: number;
  ssrc: number;
  /** Ms after PLAY's answer and RTP timestamp of each recorded unit. */
  units: { at: number; timestamp: number }[];
  /** Extrapolation past the recording: ms and ticks per unit. */
  intervalMs: number;
  ticksPerUnit: number;
  maxPayload: number;
  sequence: number;
  index: number;
}

const CLIP_AUDIO_SAMPLES_PER_FRAME = 1024;
const RTP_HEADER_BYTES = 12;
/** The payload the replay cuts to is the recorded largest packet's, within what a `$` frame holds and above a floor that keeps FU headers a small share. */
const MAX_INTERLEAVED_PAYLOAD = 0xffff - RTP_HEADER_BYTES;
const MIN_PAYLOAD = 200;

/** Sends the clip's pictures and audio frames at the recorded units' times and timestamps, then on at the recorded pace. */
class ReplayPump {
  readonly #tracks: TrackPlan[];
  #start = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    script: ReplayScript,
    private readonly media: SimMedia,
    private readonly socket: Socket,
    private readonly station: StationContext,
  ) {
    const sdp = script.exchanges.find((e) => e.method === 'DESCRIBE')?.answer?.body ?? '';
    const types = payloadTypesOf(sdp);
    this.#tracks = [];
    const video = types.video === undefined ? undefined : trackPlan('video', script.frames, types.video, 1000 / media.fps, 90_000 / media.fps);
    if (video) this.#tracks.push(video);
    const audioRate = media.audio?.sampleRate ?? 16_000;
    const audio = types.audio === undefined || !media.audio ? undefined
      : trackPlan('audio', script.frames, types.audio, (CLIP_AUDIO_SAMPLES_PER_FRAME * 1000) / audioRate, CLIP_AUDIO_SAMPLES_PER_FRAME);
    if (audio) this.#tracks.push(audio);
  }

  start(): void {
    if (this.#timer || this.#tracks.length === 0) return;
    // The clock is PLAY's answer's: units recorded before it (negative times) are due at once.
    this.#start = performance.now();
    this.#tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    const elapsed = performance.now() - this.#start;
    let next = Infinity;
    for (const track of this.#tracks) {
      while (due(track, track.index).at <= elapsed) this.#send(track);
      next = Math.min(next, due(track, track.index).at);
    }
    this.#timer = setTimeout(this.#tick, Math.max(0, next - (performance.now() - this.#start)));
  };

  #send(track: TrackPlan): void {
    const { timestamp } = due(track, track.index);
    const index = track.index++;
    if (!this.socket.writable || this.socket.writableLength > MAX_PENDING_BYTES) {
      this.station.stats.framesDropped++;
      return;
    }
    const payloads = track.kind === 'video'
      ? this.media.videoFrame(index).nals.flatMap((nal) => packetizeNal(this.media.codec, nal, track.maxPayload))
      : [packetizeAac(this.media.audioFrame(index))];
    this.socket.cork();
    payloads.forEach((payload, i) => {
      const header = writeRtpHeader({ payloadType: track.payloadType, sequence: track.sequence, timestamp, ssrc: track.ssrc, marker: i === payloads.length - 1 });
      track.sequence = (track.sequence + 1) & 0xffff;
      this.socket.write(frameHeader(track.channel, header.length + payload.length));
      this.socket.write(header);
      this.socket.write(payload);
      this.station.stats.bytesSent += 4 + header.length + payload.length;
    });
    this.socket.uncork();
  }
}

/** Unit `index`: recorded, or past the recording at the recorded pace. */
function due(track: TrackPlan, index: number): { at: number; timestamp: number } {
  const recorded = track.units[index];
  if (recorded) return recorded;
  const last = track.units.at(-1) ?? { at: 0, timestamp: 0 };
  const beyond = index - (track.units.length - 1);
  return { at: last.at + beyond * track.intervalMs, timestamp: (last.timestamp + Math.round(beyond * track.ticksPerUnit)) >>> 0 };
}

function trackPlan(kind: 'video' | 'audio', frames: CapturedFrame[], payloadType: number, clipIntervalMs: number, clipTicks: number): TrackPlan | undefined {
  const packets = frames.filter((f) => f.rtp?.payloadType === payloadType);
  const first = packets[0];
  if (!first?.rtp) return undefined;
  const units: { at: number; timestamp: number }[] = [];
  for (const packet of packets) {
    if (units.at(-1)?.timestamp !== packet.rtp!.timestamp) units.push({ at: packet.at, timestamp: packet.rtp!.timestamp });
  }
  const span = units.length >= 2 ? units.length - 1 : 0;
  const lastUnit = units.at(-1)!;
  return {
    kind,
    channel: first.channel,
    payloadType,
    ssrc: first.rtp.ssrc,
    units,
    intervalMs: span > 0 ? (lastUnit.at - units[0]!.at) / span : clipIntervalMs,
    ticksPerUnit: span > 0 ? ((lastUnit.timestamp - units[0]!.timestamp) >>> 0) / span : clipTicks,
    maxPayload: Math.min(MAX_INTERLEAVED_PAYLOAD, Math.max(MIN_PAYLOAD, Math.max(...packets.map((p) => p.size)) - RTP_HEADER_BYTES)),
    sequence: first.rtp.sequence,
    index: 0,
  };
}
