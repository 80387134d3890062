// A camera's derived streams (shared/streams.ts): `/h264`, the camera's own stream when it is H.264
// already, else a Transcoder; `/sub`, always a Transcoder. Both read the camera's hub through one
// loopback RTSP port of its own (a random path, no other served) and publish back to one ingest
// port, opened with the first start and closed with the camera.

import { randomBytes } from 'node:crypto';
import type { VideoCodec } from '../../shared/api.js';
import { subStreamSize, type CameraStreamKind } from '../../shared/streams.js';
import type { Logger } from '../log.js';
import type { CameraHub } from '../stream/hub.js';
import type { DerivedStreams } from '../stream/manager.js';
import { EndpointServer } from '../stream/server.js';
import type { StreamSource } from '../stream/source.js';
import { cameraPictureSize } from './command.js';
import type { H264Encoder } from './encoder.js';
import { IngestServer } from './ingest.js';
import { isTranscoded } from './views.js';
import { Transcoder, type Prepared } from './transcoder.js';

export type DerivedKind = Exclude<CameraStreamKind, 'native'>;

export interface CameraDerivedOptions {
  hub: CameraHub;
  logger: Logger;
  codec: VideoCodec;
  sub: { width: number; fps: number };
  /** The ffmpeg and encoder to use (probed once for the process), or why there is none. */
  encoder(): Promise<{ ffmpeg: string; encoder: H264Encoder } | { unavailable: string }>;
  knownSdp: Partial<Record<DerivedKind, string>>;
  onDescribed(kind: DerivedKind, sdpText: string): void;
  onChange(): void;
}

export class CameraDerivedStreams implements DerivedStreams {
  readonly #options: CameraDerivedOptions;
  readonly #transcoders = new Map<DerivedKind, Transcoder>();
  /** The loopback ports, opened with the first start. */
  #ports: Promise<{ input: EndpointServer; ingest: IngestServer; path: string }> | undefined;
  #closed = false;

  constructor(options: CameraDerivedOptions) {
    this.#options = options;
    for (const kind of ['h264', 'sub'] as const) {
      if (!isTranscoded(kind, options.codec)) continue;
      const known = options.knownSdp[kind];
      this.#transcoders.set(kind, new Transcoder({
        kind,
        logger: options.logger,
        camera: options.hub,
        prepare: () => this.#prepare(),
        ...(kind === 'sub' ? { scale: (camera) => ({ ...subStreamSize(options.sub.width, cameraPictureSize(camera)), fps: options.sub.fps }) } : {}),
        ...(known !== undefined ? { knownSdp: known } : {}),
        onDescribed: (sdpText) => options.onDescribed(kind, sdpText),
        onChange: options.onChange,
      }));
    }
  }

  source(kind: DerivedKind): StreamSource | undefined {
    return this.#transcoders.get(kind) ?? (kind === 'h264' ? this.#options.hub : undefined);
  }

  transcoder(kind: DerivedKind): Transcoder | undefined {
    return this.#transcoders.get(kind);
  }

  runtime(kind: CameraStreamKind): { transcoder?: Transcoder['state']; error?: string } | undefined {
    const transcoder = kind === 'native' ? undefined : this.#transcoders.get(kind);
    if (!transcoder) return undefined;
    const error = transcoder.error;
    return { transcoder: transcoder.state, ...(error !== undefined ? { error } : {}) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#transcoders.values()].map((t) => t.close()));
    const ports = await this.#ports?.catch(() => undefined);
    if (ports) await Promise.all([ports.input.close(), ports.ingest.close()]);
  }

  async #prepare(): Promise<Prepared | { unavailable: string }> {
    const choice = await this.#options.encoder();
    if ('unavailable' in choice) return choice;
    if (this.#closed) return { unavailable: 'this camera is stopped' };
    this.#ports ??= this.#openPorts();
    const { input, ingest, path } = await this.#ports;
    return { ...choice, input: `rtsp://127.0.0.1:${input.port}${path}`, ingest };
  }

  async #openPorts(): Promise<{ input: EndpointServer; ingest: IngestServer; path: string }> {
    const { hub, logger } = this.#options;
    // A random path: another local program that finds the port still gets nothing (404).
    const path = `/${randomBytes(12).toString('hex')}`;
    const input = await EndpointServer.listen({ route: (p) => (p === path ? hub : undefined), port: 0, listenAddress: '127.0.0.1', logger });
    const ingest = await IngestServer.listen(logger);
    return { input, ingest, path };
  }
}
