// One camera as an ONVIF device: an HTTP server of its own (its own port, or its own address)
// with the device and media services and the snapshot URI. Every URL it answers with names the
// address the client reached it on, so the answers work whichever interface the client is on.

import http from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Logger } from '../log.js';
import { SNAPSHOT_HTTP_STATUS, SnapshotError } from '../live/snapshot.js';
import type { AuthOutcome, OnvifAuth } from './auth.js';
import {
  DEVICE_PATH, MEDIA_PATH, PRE_AUTH_OPERATIONS, SNAPSHOT_PATH,
  deviceOperation, mediaOperation, type DeviceDescription, type RequestPlace,
} from './operations.js';
import { envelope, faultEnvelope, faultStatus, parseSoap, SoapParseError, type Fault } from './soap.js';

/** SOAP requests of these clients are a few kilobytes; anything far larger is not one. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface OnvifDeviceOptions {
  description: DeviceDescription;
  /** Where it listens: the listen address, or the camera's own address. */
  host: string;
  port: number;
  auth: OnvifAuth;
  /** The camera's picture as JPEG (may throw a SnapshotError). */
  snapshot: () => Promise<Buffer>;
  logger: Logger;
}

export class OnvifDevice {
  readonly #options: OnvifDeviceOptions;
  readonly #server: http.Server;
  readonly #log: Logger;

  private constructor(options: OnvifDeviceOptions) {
    // A copy: its description is replaced as the camera becomes better known.
    this.#options = { ...options };
    this.#log = options.logger;
    this.#server = http.createServer((req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'ONVIF request failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    this.#server.headersTimeout = 10_000;
    this.#server.requestTimeout = 30_000;
  }

  static async start(options: OnvifDeviceOptions): Promise<OnvifDevice> {
    const device = new OnvifDevice(options);
    await new Promise<void>((resolve, reject) => {
      device.#server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code === 'EADDRINUSE'
        ? `the ONVIF port ${options.port} on ${options.host} is already in use`
        : error.code === 'EADDRNOTAVAIL'
          ? `${options.host} is not an address of this machine (the camera's own ONVIF address must be set up first)`
          : `cannot serve ONVIF on ${options.host}:${options.port}: ${error.message}`)));
      device.#server.listen({ host: options.host, port: options.port }, () => resolve());
    });
    return device;
  }

  get description(): DeviceDescription {
    return this.#options.description;
  }

  /** What is known of the camera changed (its size once seen streaming, its name): answered from now on, connections kept. */
  set description(description: DeviceDescription) {
    this.#options.description = description;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://device').pathname;
    if (path === SNAPSHOT_PATH) return this.#serveSnapshot(req, res);
    if (path !== DEVICE_PATH && path !== MEDIA_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Nothing at ${path}: the ONVIF device service is ${DEVICE_PATH}.\n`);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' }).end('ONVIF services take SOAP requests by POST.\n');
      return;
    }
    const body = await readBody(req);
    if (body === undefined) return this.#sendFault(res, { code: 'env:Sender', subcodes: ['ter:InvalidArgs'], reason: 'The request is too large for a SOAP request.' });
    let request;
    try {
      request = parseSoap(body);
    } catch (error) {
      if (!(error instanceof SoapParseError)) throw error;
      return this.#sendFault(res, { code: 'env:Sender', subcodes: ['ter:WellFormed'], reason: `Not a SOAP request this device reads: ${error.message}.` });
    }
    const place = this.#place(req);
    if (!PRE_AUTH_OPERATIONS.has(request.operation)) {
      const address = req.socket.remoteAddress ?? '';
      let outcome: AuthOutcome = await this.#options.auth.checkUsernameToken(request.header, address);
      if (outcome.result === 'absent') outcome = await this.#options.auth.checkHttpDigest(req.headers.authorization, req.method, req.url ?? '', address);
      if (outcome.result !== 'accepted') return this.#refuse(res, outcome, request.operation, address);
    }
    const answer = path === DEVICE_PATH
      ? deviceOperation(request.operation, request.body, this.#options.description, place)
      : mediaOperation(request.operation, request.body, this.#options.description, place);
    if ('fault' in answer) return this.#sendFault(res, answer.fault);
    const xml = envelope(answer.body);
    res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) }).end(xml);
  }

  /**
   * A request without credentials gets 401 with a Digest challenge (clients that use HTTP Digest
   * answer it); wrong ones the ONVIF NotAuthorized fault (400), which clients show as such.
   */
  #refuse(res: http.ServerResponse, outcome: Exclude<AuthOutcome, { result: 'accepted' }>, operation: string, address: string): void {
    const fault: Fault = { code: 'env:Sender', subcodes: ['ter:NotAuthorized'], reason: 'Sender not authorized: use the viewer username and password set in Arlo Local RTSP.' };
    if (outcome.result === 'refused') this.#log.warn({ address, operation, reason: outcome.reason }, 'ONVIF client refused');
    if (outcome.result === 'refused' || outcome.result === 'blocked') return this.#sendFault(res, fault);
    const xml = faultEnvelope(fault);
    res.writeHead(401, { 'WWW-Authenticate': this.#options.auth.challenge(outcome.result === 'stale'), 'Content-Type': 'application/soap+xml; charset=utf-8' }).end(xml);
  }

  #sendFault(res: http.ServerResponse, fault: Fault): void {
    const xml = faultEnvelope(fault);
    res.writeHead(faultStatus(fault), { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) }).end(xml);
  }

  async #serveSnapshot(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const address = req.socket.remoteAddress ?? '';
    const outcome = await this.#options.auth.checkHttpDigest(req.headers.authorization, req.method, req.url ?? '', address);
    if (outcome.result !== 'accepted') {
      if (outcome.result === 'refused') this.#log.warn({ address, reason: outcome.reason }, 'ONVIF snapshot client refused');
      res.writeHead(401, { 'WWW-Authenticate': this.#options.auth.challenge(outcome.result === 'stale'), 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Use the viewer username and password (HTTP Digest).\n');
      return;
    }
    let jpeg: Buffer;
    try {
      jpeg = await this.#options.snapshot();
    } catch (error) {
      if (!(error instanceof SnapshotError)) throw error;
      res.writeHead(SNAPSHOT_HTTP_STATUS[error.code], { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${error.message}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : jpeg);
  }

  /** The address the client reached: the one every URL in the answer names. */
  #place(req: http.IncomingMessage): RequestPlace {
    const local = (req.socket.localAddress ?? this.#options.host).replace(/^::ffff:/, '');
    return { host: local.includes(':') ? `[${local}]` : local, httpPort: this.port, prefixLength: prefixLengthOf(local) };
  }
}

function prefixLengthOf(address: string): number {
  for (const entries of Object.values(networkInterfaces())) {
    const entry = entries?.find((e) => e.address === address);
    if (entry?.cidr) return Number(entry.cidr.split('/')[1]);
  }
  return 24;
}

/** The request body as text, or undefined when it is larger than a SOAP request can be. */
async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
