// The base station's stream URL (PROTOCOL.md §5, a claim from the decompiled Android app):
// `rtsp://<host>:554/<cameraDeviceId>/<tcp|udp>/<avc|hevc>`, or just `/<cameraDeviceId>` for a
// camera that is its own base station. Kept in this one file so the guess is easy to change.

import type { VideoCodec } from '../../shared/api.js';

/** The base station's RTSP port. The working clients always use it, whatever mDNS announces. */
export const ARLO_RTSP_PORT = 554;

export type MediaTransport = 'tcp' | 'udp';

export interface ArloStreamOptions {
  /** How the media travels; only `tcp` (interleaved) is known to work through a proxy. Default `tcp`. */
  transport?: MediaTransport;
  /** `avc` = H.264 up to 1080p, `hevc` = H.265 4K. Default `avc`. */
  codec?: VideoCodec;
  /** A camera that is its own base station takes no transport/codec suffix. */
  ownBaseStation?: boolean;
}

export interface ArloStreamPath {
  cameraId: string;
  transport?: MediaTransport;
  codec?: VideoCodec;
}

export function arloStreamPath(cameraId: string, options: ArloStreamOptions = {}): string {
  if (cameraId === '') throw new TypeError('camera device id is empty');
  const id = `/${encodeURIComponent(cameraId)}`;
  if (options.ownBaseStation) return id;
  return `${id}/${options.transport ?? 'tcp'}/${options.codec ?? 'avc'}`;
}

/** The parts of a stream path (a URL's path, no query), or undefined when it is not one. */
export function parseArloStreamPath(path: string): ArloStreamPath | undefined {
  const match = /^\/([^/]+)(?:\/(tcp|udp)\/(avc|hevc))?\/?$/.exec(path);
  if (!match) return undefined;
  let cameraId: string;
  try {
    cameraId = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  if (match[2] === undefined) return { cameraId };
  return { cameraId, transport: match[2] as MediaTransport, codec: match[3] as VideoCodec };
}

/** `rtsp://host:port/path`, with an IPv6 literal host in brackets. */
export function arloStreamUrl(host: string, port: number, path: string): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `rtsp://${bracketed}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}
