// Transcoding for the whole app: which ffmpeg and H.264 encoder derived streams use (found as
// snapshots find ffmpeg, the encoder probed once, in the background from the start so the UI can
// show it), and each camera's derived streams, handed to the stream engine as `derive`.

import type { VideoCodec } from '../../shared/api.js';
import type { TranscoderView } from '../../shared/streams.js';
import { findFfmpeg, noFfmpegMessage } from '../live/snapshot.js';
import type { Logger } from '../log.js';
import type { CameraHub } from '../stream/hub.js';
import type { DerivedStreams } from '../stream/manager.js';
import { CameraDerivedStreams, type DerivedKind } from './derived.js';
import { probeEncoder, type H264Encoder } from './encoder.js';

export interface TranscodingOptions {
  /** The configured ffmpeg (`--ffmpeg`), else the one found on PATH. */
  ffmpeg: string | undefined;
  logger: Logger;
  onChange(): void;
}

export interface CameraTranscodeOptions {
  codec: VideoCodec;
  sub: { width: number; fps: number };
  knownSdp: Partial<Record<DerivedKind, string>>;
  onDescribed(kind: DerivedKind, sdpText: string): void;
}

type Choice = { ffmpeg: string; encoder: H264Encoder } | { unavailable: string };

export class Transcoding {
  readonly #options: TranscodingOptions;
  #choice: Promise<Choice> | undefined;
  #settled: Choice | undefined;

  constructor(options: TranscodingOptions) {
    this.#options = options;
  }

  /** Starts the probe (once); derived streams wait for it. */
  encoder(): Promise<Choice> {
    this.#choice ??= this.#probe().then((choice) => {
      this.#settled = choice;
      if ('unavailable' in choice) this.#options.logger.warn({ err: choice.unavailable }, 'no H.264 encoder for derived streams');
      else this.#options.logger.info({ encoder: choice.encoder.name, hardware: choice.encoder.hardware }, 'H.264 encoder for derived streams');
      this.#options.onChange();
      return choice;
    });
    return this.#choice;
  }

  view(): TranscoderView {
    const choice = this.#settled;
    if (!choice) return { available: false, hardware: false, probing: true };
    if ('unavailable' in choice) return { available: false, hardware: false, probing: false, error: choice.unavailable };
    return { available: true, encoder: choice.encoder.name, hardware: choice.encoder.hardware, probing: false };
  }

  /** The `derive` of a camera's endpoint. */
  forCamera(camera: CameraTranscodeOptions): (hub: CameraHub, logger: Logger) => DerivedStreams {
    return (hub, logger) => new CameraDerivedStreams({ hub, logger, ...camera, encoder: () => this.encoder(), onChange: this.#options.onChange });
  }

  async #probe(): Promise<Choice> {
    const ffmpeg = findFfmpeg(this.#options.ffmpeg);
    if (!ffmpeg) return { unavailable: noFfmpegMessage('The H.264 and sub-streams are made by ffmpeg') };
    const probe = await probeEncoder(ffmpeg);
    return probe.ok ? { ffmpeg, encoder: probe.encoder } : { unavailable: probe.message };
  }
}
