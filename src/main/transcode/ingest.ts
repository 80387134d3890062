// Where ffmpeg's output comes back: a loopback RTSP server that takes a publisher's ANNOUNCE, SETUP
// (TCP interleaved) and RECORD, then hands its `$` frames on. ffmpeg does the RTP packetizing (H.264
// FU-A, AAC) and writes an SDP of its output; over TCP every packet arrives whole and in order,
// framed, exactly as a base station's do, so a derived stream is fed to the same fan-out as a camera.
//
// Each ffmpeg publishes to a path it was given (`/<random token>`); any other path is refused.

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Logger } from '../log.js';
import { makeResponse, serializeMessage, type RtspRequest, type RtspResponse } from '../rtsp/message.js';
import { RtspReader, frameBytes } from '../rtsp/reader.js';
import { infoOfSdp, type StreamInfo } from '../stream/source.js';
import type { UpstreamTrack } from '../stream/upstream.js';
import { pathOf } from '../stream/session.js';

export interface Publication {
  /** ffmpeg announced its output (the tracks on the channels it set up). */
  announced(info: StreamInfo): void;
  /** One interleaved frame: RTP (or RTCP) of a track, and the whole `$` frame as received. */
  frame(track: UpstreamTrack, rtcp: boolean, packet: Buffer, frame: Buffer): void;
  /** The publisher's connection closed. */
  closed(): void;
}

export class IngestServer {
  readonly #server: net.Server;
  readonly #log: Logger;
  readonly #expected = new Map<string, Publication>();
  readonly #connections = new Set<net.Socket>();

  private constructor(server: net.Server, log: Logger) {
    this.#server = server;
    this.#log = log;
  }

  static async listen(log: Logger): Promise<IngestServer> {
    const server = net.createServer();
    const ingest = new IngestServer(server, log);
    server.on('connection', (socket) => ingest.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    return ingest;
  }

  /** A new URL for one publisher, and the function that stops expecting it. */
  expect(publication: Publication): { url: string; forget(): void } {
    const token = randomBytes(12).toString('hex');
    this.#expected.set(`/${token}`, publication);
    const { port } = this.#server.address() as net.AddressInfo;
    return { url: `rtsp://127.0.0.1:${port}/${token}`, forget: () => this.#expected.delete(`/${token}`) };
  }

  async close(): Promise<void> {
    for (const socket of this.#connections) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    this.#connections.add(socket);
    socket.setNoDelay(true);
    const reader = new RtspReader();
    let publication: Publication | undefined;
    let info: StreamInfo | undefined;
    /** Interleaved channel → track, as SETUP set them up. */
    const channels = new Map<number, UpstreamTrack>();
    const session = randomBytes(8).toString('hex');
    const reply = (request: RtspRequest, response: RtspResponse): void => {
      response.headers.set('CSeq', request.headers.get('CSeq') ?? '0');
      response.headers.set('Session', session);
      socket.write(serializeMessage(response));
    };
    const handle = (request: RtspRequest): void => {
      switch (request.method) {
        case 'OPTIONS':
          reply(request, makeResponse(200, { Public: 'OPTIONS, ANNOUNCE, SETUP, RECORD, TEARDOWN' }));
          return;
        case 'ANNOUNCE': {
          publication = this.#expected.get(pathOf(request.uri));
          if (!publication) {
            reply(request, makeResponse(404));
            socket.end();
            return;
          }
          try {
            info = infoOfSdp(request.body.toString('utf8'));
          } catch {
            reply(request, makeResponse(400));
            return;
          }
          reply(request, makeResponse(200));
          return;
        }
        case 'SETUP': {
          const index = Number(/(?:streamid|trackID)=(\d+)\/?$/.exec(request.uri)?.[1] ?? NaN);
          const track = info?.tracks[index];
          const channel = Number(/interleaved=(\d+)/.exec(request.headers.get('Transport') ?? '')?.[1] ?? NaN);
          if (!track || !Number.isInteger(channel)) {
            reply(request, makeResponse(!track ? 404 : 461));
            return;
          }
          channels.set(channel, { ...track, rtpChannel: channel });
          reply(request, makeResponse(200, { Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1};mode=record` }));
          return;
        }
        case 'RECORD':
          if (!publication || !info || channels.size === 0) {
            reply(request, makeResponse(455));
            return;
          }
          reply(request, makeResponse(200));
          publication.announced({ sdpText: info.sdpText, tracks: [...channels.values()].sort((a, b) => a.index - b.index) });
          return;
        default:
          reply(request, makeResponse(200));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let item = reader.read(); item; item = reader.read()) {
        if (item.kind === 'frame') {
          const track = channels.get(item.channel) ?? channels.get(item.channel - 1);
          if (track && publication) publication.frame(track, item.channel !== track.rtpChannel, item.payload, frameBytes(item));
        } else if (item.kind === 'request') {
          handle(item);
        } else if (item.kind === 'error') {
          this.#log.debug({ err: item.error.message }, 'bad input from the transcoder');
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#connections.delete(socket);
      publication?.closed();
    });
  }
}
