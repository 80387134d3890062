// The SDP a simulated camera answers DESCRIBE with: what a real Arlo base station announces (video
// H.264 or H.265 with its parameter sets, AAC-hbr audio), one `a=control:trackID=N` per track.
// Quirks reshape it (track order, absolute controls, session-level control) without changing ids:
// trackID=0 is always the video, trackID=1 the audio.

import { writeSdp, type MediaDescription, type SdpAttribute, type SdpLine } from '../main/rtsp/sdp.js';
import type { SimQuirks } from './quirks.js';
import type { SimMedia } from './source.js';

export const VIDEO_PAYLOAD_TYPE = 96;
export const AUDIO_PAYLOAD_TYPE = 97;
export const VIDEO_CLOCK_RATE = 90_000;

/** Track ids: 0 = video, 1 = audio (when the media has audio and the quirks keep it). */
export function trackCount(media: SimMedia, quirks: SimQuirks = {}): number {
  return media.audio && !quirks.videoOnly ? 2 : 1;
}

/** A track of one RTP payload type; its port is 0, as RTSP's SETUP, not the SDP, sets up the transport. */
function rtpTrack(type: 'video' | 'audio', payloadType: number, attributes: SdpAttribute[]): MediaDescription {
  return { type, port: 0, proto: 'RTP/AVP', formats: [String(payloadType)], lines: [], attributes };
}

/** `base` is the stream's URL ending in `/`, for absolute controls. */
export function describeMedia(media: SimMedia, host: string, base: string, quirks: SimQuirks = {}): string {
  const control = (track: number): string => (quirks.absoluteControl ? `${base}trackID=${track}` : `trackID=${track}`);
  const b64 = (nal: Buffer) => nal.toString('base64');
  const { vps, sps, pps } = media.parameterSets;
  const inSdp = !quirks.inBandParameterSetsOnly;
  const videoFmtp = media.codec === 'avc'
    ? `packetization-mode=1;profile-level-id=${sps.subarray(1, 4).toString('hex')}${inSdp ? `;sprop-parameter-sets=${b64(sps)},${b64(pps)}` : ''}`
    : inSdp ? `sprop-vps=${b64(vps!)};sprop-sps=${b64(sps)};sprop-pps=${b64(pps)}` : undefined;
  const video = rtpTrack('video', VIDEO_PAYLOAD_TYPE, [
    { name: 'rtpmap', value: `${VIDEO_PAYLOAD_TYPE} ${media.codec === 'avc' ? 'H264' : 'H265'}/${VIDEO_CLOCK_RATE}` },
    ...(videoFmtp === undefined ? [] : [{ name: 'fmtp', value: `${VIDEO_PAYLOAD_TYPE} ${videoFmtp}` }]),
    { name: 'framerate', value: String(media.fps) },
    { name: 'control', value: control(0) },
  ]);
  const tracks = [video];
  if (media.audio && trackCount(media, quirks) > 1) {
    const { sampleRate, channels, config } = media.audio;
    const audio = rtpTrack('audio', AUDIO_PAYLOAD_TYPE, [
      { name: 'rtpmap', value: `${AUDIO_PAYLOAD_TYPE} MPEG4-GENERIC/${sampleRate}/${channels}` },
      {
        name: 'fmtp',
        value: `${AUDIO_PAYLOAD_TYPE} streamtype=5;profile-level-id=15;mode=AAC-hbr;config=${config};sizelength=13;indexlength=3;indexdeltalength=3`,
      },
      { name: 'control', value: control(1) },
    ]);
    if (quirks.audioFirst) tracks.unshift(audio);
    else tracks.push(audio);
  }
  const sessionId = Date.now();
  const sessionControl = quirks.sessionControl ?? '*';
  const session: SdpLine[] = [
    { type: 'v', value: '0' },
    { type: 'o', value: `- ${sessionId} 1 IN IP4 ${host}` },
    { type: 's', value: 'Arlo Simulated Camera' },
    { type: 'c', value: 'IN IP4 0.0.0.0' },
    { type: 't', value: '0 0' },
  ];
  if (sessionControl !== 'none') session.push({ type: 'a', value: `control:${sessionControl === '*' ? '*' : base}` });
  session.push({ type: 'a', value: 'range:npt=0-' });
  return writeSdp({ session, media: tracks });
}
