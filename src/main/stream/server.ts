// A camera's downstream RTSP port: one TCP listener per camera, each connection a `DownstreamSession`
// fed by the camera's hub. Listens on loopback unless told otherwise; beyond loopback an
// authenticator is required, so a LAN never gets an open camera by accident.

import net from 'node:net';
import { isLoopbackAddress } from '../../shared/net.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RtspAuthenticator } from '../rtsp/auth.js';
import type { CameraHub } from './hub.js';
import { DownstreamSession } from './session.js';

export interface EndpointServerOptions {
  hub: CameraHub;
  port: number;
  listenAddress: string;
  /** Required unless `listenAddress` is a loopback address. */
  authenticator?: RtspAuthenticator;
  logger: Logger;
  /** Viewer connections at once; more are refused at accept. */
  maxConnections?: number;
  /** How long a viewer may take to send one request whole (default `REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs?: number;
  /** Why a new viewer is refused now (a daily streaming cap), or undefined to let it in. */
  admit?: () => string | undefined;
}


export class EndpointServer {
  readonly port: number;
  readonly #server: net.Server;
  /** Every open viewer connection, so that `close()` ends them all. */
  readonly #sessions: Set<DownstreamSession>;

  private constructor(server: net.Server, sessions: Set<DownstreamSession>, port: number) {
    this.#server = server;
    this.#sessions = sessions;
    this.port = port;
  }

  /** Listens; rejects with a sentence naming the port when it is taken or the address is not ours. */
  static async listen(options: EndpointServerOptions): Promise<EndpointServer> {
    const { hub, listenAddress, authenticator, logger } = options;
    if (!authenticator && !isLoopbackAddress(listenAddress)) {
      throw new AppError('lan-credentials-missing', `listening on ${listenAddress} needs a username and password for viewers: set them, or listen on 127.0.0.1`);
    }
    const sessions = new Set<DownstreamSession>();
    const server = net.createServer((socket) => {
      const session = new DownstreamSession(socket, hub, authenticator, logger, options.requestTimeoutMs, options.admit);
      sessions.add(session);
      socket.once('close', () => sessions.delete(session));
    });
    server.maxConnections = options.maxConnections ?? 64;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, listenAddress, options.port)));
      server.listen({ host: listenAddress, port: options.port }, () => resolve());
    });
    server.on('error', (error) => logger.warn({ err: error.message }, 'RTSP listener error'));
    const address = server.address();
    return new EndpointServer(server, sessions, typeof address === 'object' && address ? address.port : options.port);
  }

  /** Stops listening, closes every viewer connection and waits for their requests to finish. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const sessions = [...this.#sessions];
    for (const session of sessions) session.socket.destroy();
    await Promise.all([closed, ...sessions.map((session) => session.drained())]);
  }
}

/** Why a camera's port cannot listen, as the user reads it in the window, the web UI and the CLI. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): AppError {
  if (error.code === 'EADDRINUSE') {
    return new AppError('port-in-use', `Port ${port} on ${host} is already in use by another program: choose another port for this camera.`, { cause: error });
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return new AppError('address-not-available', `${host} is not an address of this computer: choose another listen address.`, { cause: error });
  }
  if (error.code === 'EACCES') return new AppError('port-not-allowed', `Not allowed to listen on port ${port}: choose a port above 1023.`, { cause: error });
  return new AppError('listen-failed', `Cannot listen on ${host}:${port}: ${error.message}`, { cause: error });
}
