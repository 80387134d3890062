// SDP (RFC 4566) as the RTSP DESCRIBE body: parsed into session lines and media sections that keep
// every line in order, so a well-formed CRLF description writes back byte for byte. Helpers read
// the few attributes RTSP needs: control URLs (RFC 2326 C.1.1), rtpmap, fmtp and the parameter
// sets of H.264 (RFC 6184 §8.1) and H.265 (RFC 7798 §7.1).

import type { VideoCodecName } from './keyframe.js';

export interface SdpLine {
  /** The one-letter type before `=`. */
  type: string;
  value: string;
}

export interface SdpAttribute {
  name: string;
  /** Undefined for a flag attribute such as `a=recvonly`. */
  value?: string;
}

export interface MediaDescription {
  type: string;
  port: number;
  /** The `/<count>` after the port, when present. */
  portCount?: number;
  proto: string;
  formats: string[];
  /** The non-attribute lines of the section (i=, c=, b=, k=), in order; RFC 4566 puts them before a=. */
  lines: SdpLine[];
  attributes: SdpAttribute[];
}

export interface SessionDescription {
  /** Every session-level line (v=, o=, s=, ..., a=) in order. */
  session: SdpLine[];
  media: MediaDescription[];
}

export interface RtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
  channels?: number;
}

export class SdpParseError extends Error {
  override readonly name = 'SdpParseError';
  constructor(message: string, readonly line: number) {
    super(`invalid SDP at line ${line}: ${message}`);
  }
}

/**
 * Parses an SDP body (CRLF or LF lines) as FFmpeg's SDP reader does, the one behind every working
 * Arlo client: blanks around a line are ignored and a line that is not `x=value` (an empty line,
 * stray text) is skipped. Throws `SdpParseError` only when nothing is described or a media line
 * cannot be read (there would be nothing to set up).
 */
export function parseSdp(text: string): SessionDescription {
  const sd: SessionDescription = { session: [], media: [] };
  let current: MediaDescription | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    const match = /^([a-zA-Z])=(.*)$/.exec(raw.trim());
    if (!match) return;
    const type = match[1]!;
    const value = match[2]!;
    if (type === 'm') {
      current = parseMediaLine(value, lineNumber);
      sd.media.push(current);
    } else if (!current) {
      sd.session.push({ type, value });
    } else if (type === 'a') {
      current.attributes.push(parseAttribute(value));
    } else {
      current.lines.push({ type, value });
    }
  });
  if (sd.session.length === 0) throw new SdpParseError('empty description', 1);
  return sd;
}

export function writeSdp(sd: SessionDescription): string {
  let out = '';
  for (const line of sd.session) out += `${line.type}=${line.value}\r\n`;
  for (const m of sd.media) {
    const port = m.portCount === undefined ? `${m.port}` : `${m.port}/${m.portCount}`;
    out += `m=${[m.type, port, m.proto, ...m.formats].join(' ')}\r\n`;
    for (const line of m.lines) out += `${line.type}=${line.value}\r\n`;
    for (const a of m.attributes) out += a.value === undefined ? `a=${a.name}\r\n` : `a=${a.name}:${a.value}\r\n`;
  }
  return out;
}

/** The value of the first attribute of that name (media level, or session level for a description). */
export function attribute(target: MediaDescription | SessionDescription, name: string): string | undefined {
  const attributes = 'session' in target
    ? target.session.filter((l) => l.type === 'a').map((l) => parseAttribute(l.value))
    : target.attributes;
  return attributes.find((a) => a.name === name)?.value;
}

export function controlOf(target: MediaDescription | SessionDescription): string | undefined {
  return attribute(target, 'control');
}

/** Replaces the media's first `a=control` in place, or appends one. */
export function setControl(m: MediaDescription, value: string): void {
  const existing = m.attributes.find((a) => a.name === 'control');
  if (existing) existing.value = value;
  else m.attributes.push({ name: 'control', value });
}

/** The rtpmap of the media's first format (`a=rtpmap:96 H264/90000`), if it has one. */
export function rtpmapOf(m: MediaDescription): RtpMap | undefined {
  for (const value of attributeValues(m, 'rtpmap')) {
    const match = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?\s*$/.exec(value);
    if (!match || match[1] !== m.formats[0]) continue;
    const map: RtpMap = { payloadType: Number(match[1]), encoding: match[2]!, clockRate: Number(match[3]) };
    if (match[4] !== undefined) map.channels = Number(match[4]);
    return map;
  }
  return undefined;
}

/** The fmtp parameters of the media's first format, keys in lower case (they are case-insensitive). */
export function fmtpOf(m: MediaDescription): Map<string, string> {
  const params = new Map<string, string>();
  const prefix = `${m.formats[0] ?? ''} `;
  const value = attributeValues(m, 'fmtp').find((v) => v.startsWith(prefix));
  if (value === undefined) return params;
  for (const part of value.slice(prefix.length).split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return params;
}

/** H.264 `sprop-parameter-sets`: the SPS and PPS NAL units, base64-decoded. */
export function h264ParameterSets(m: MediaDescription): Buffer[] {
  return decodeList(fmtpOf(m).get('sprop-parameter-sets'));
}

/** H.265 `sprop-vps`, `sprop-sps`, `sprop-pps`, base64-decoded. */
export function h265ParameterSets(m: MediaDescription): { vps: Buffer[]; sps: Buffer[]; pps: Buffer[] } {
  const fmtp = fmtpOf(m);
  return {
    vps: decodeList(fmtp.get('sprop-vps')),
    sps: decodeList(fmtp.get('sprop-sps')),
    pps: decodeList(fmtp.get('sprop-pps')),
  };
}

/** The video codec named by the media's rtpmap, if it is one we carry. */
export function videoCodecOf(m: MediaDescription): VideoCodecName | undefined {
  const encoding = rtpmapOf(m)?.encoding.toUpperCase();
  if (encoding === 'H264') return 'h264';
  if (encoding === 'H265' || encoding === 'HEVC') return 'h265';
  return undefined;
}

/**
 * The URL a control attribute names (RFC 2326 C.1.1): `*` is the base itself, an absolute URL stands
 * alone, a path starting with `/` replaces the base's path, and anything else is appended to the
 * base (Content-Base, else the request URL) as a path segment: that is what servers expect and what
 * FFmpeg and live555 do, rather than RFC 3986 resolution that would drop the base's last segment.
 */
export function resolveControlUrl(base: string, control: string): string {
  if (control === '' || control === '*') return base;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(control)) return control;
  if (control.startsWith('/')) {
    const origin = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(base)?.[0] ?? '';
    return `${origin}${control}`;
  }
  return base.endsWith('/') ? `${base}${control}` : `${base}/${control}`;
}

function parseMediaLine(value: string, lineNumber: number): MediaDescription {
  const match = /^(\S+)\s+(\d+)(?:\/(\d+))?\s+(\S+)(.*)$/.exec(value);
  if (!match) throw new SdpParseError(`media line "m=${value.slice(0, 60)}" is not "<type> <port> <proto> <formats>"`, lineNumber);
  const m: MediaDescription = {
    type: match[1]!,
    port: Number(match[2]),
    proto: match[4]!,
    formats: match[5]!.split(/\s+/).filter((f) => f !== ''),
    lines: [],
    attributes: [],
  };
  if (match[3] !== undefined) m.portCount = Number(match[3]);
  return m;
}

function parseAttribute(value: string): SdpAttribute {
  const colon = value.indexOf(':');
  return colon < 0 ? { name: value } : { name: value.slice(0, colon), value: value.slice(colon + 1) };
}

function attributeValues(m: MediaDescription, name: string): string[] {
  return m.attributes.filter((a) => a.name === name && a.value !== undefined).map((a) => a.value!);
}

function decodeList(value: string | undefined): Buffer[] {
  if (!value) return [];
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => Buffer.from(s, 'base64'));
}
