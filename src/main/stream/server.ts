// A camera's downstream RTSP port: one TCP listener per camera, each connection a `DownstreamSession`
// fed by the camera's hub. Listens on loopback unless told otherwise; beyond loopback an
// authenticator is required, so a LAN never gets an open camera by accident.
//
// Connections that have not authenticated yet get a small budget of their own (`ConnectionBudget`),
// so that no number of them can keep a viewer with the password out: each lives a fixed time that
// requests do not extend (and is closed after a few failed attempts, see auth.ts), and a new
// connection replaces the oldest unauthenticated one when the budget is full.

import net from 'node:net';
import { isLoopbackAddress } from '../../shared/net.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RtspAuthenticator } from '../rtsp/auth.js';
import { DownstreamSession, type DownstreamOptions } from './session.js';
import type { SourceRoute } from './source.js';

export interface EndpointServerOptions {
  /** Which stream a request path plays (the camera's native one, or one derived from it). */
  route: SourceRoute;
  port: number;
  listenAddress: string;
  /** Required unless `listenAddress` is a loopback address. */
  authenticator?: RtspAuthenticator;
  logger: Logger;
  /** Viewer connections at once; more are refused at accept. */
  maxConnections?: number;
  /** Limits on connections that have not authenticated (defaults `UNAUTHENTICATED_LIMITS`). */
  unauthenticated?: Partial<UnauthenticatedLimits>;
  /** Each viewer connection's timeouts and admission. */
  viewer?: DownstreamOptions;
}

export interface UnauthenticatedLimits {
  /** Unauthenticated connections on the port at once. */
  perPort: number;
  /** Unauthenticated connections from one address at once. */
  perAddress: number;
  /** How long a connection may stay unauthenticated, from its opening; requests do not extend it. */
  lifetimeMs: number;
}

export const UNAUTHENTICATED_LIMITS: UnauthenticatedLimits = { perPort: 16, perAddress: 8, lifetimeMs: 10_000 };
/** Connections from one address at once, authenticated or not. */
const MAX_CONNECTIONS_PER_ADDRESS = 32;



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
    const { route, listenAddress, authenticator, logger } = options;
    if (!authenticator && !isLoopbackAddress(listenAddress)) {
      throw new AppError('lan-credentials-missing', `listening on ${listenAddress} needs a username and password for viewers: set them, or listen on 127.0.0.1`);
    }
    const sessions = new Set<DownstreamSession>();
    const budget = new ConnectionBudget({ ...UNAUTHENTICATED_LIMITS, ...options.unauthenticated });
    const server = net.createServer((socket) => {
      const address = socket.remoteAddress ?? '';
      if (!budget.admit(socket, address, authenticator !== undefined)) {
        logger.warn({ address }, 'viewer connection refused: too many connections from this address');
        socket.destroy();
        return;
      }
      const auth = authenticator?.connection(address, logger);
      if (auth) auth.onAuthenticated = () => budget.authenticated(socket);
      const session = new DownstreamSession(socket, route, auth, logger, options.viewer);
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

interface Admitted {
  socket: net.Socket;
  address: string;
  /** Set while the connection has not authenticated: the timer that closes it. */
  deadline: NodeJS.Timeout | undefined;
}

/** Who is connected to one port, and which unauthenticated connection goes when a new one comes. */
class ConnectionBudget {
  readonly #limits: UnauthenticatedLimits;
  readonly #connections = new Map<net.Socket, Admitted>();
  /** Unauthenticated connections, oldest first (a Map keeps insertion order). */
  readonly #unauthenticated = new Map<net.Socket, Admitted>();

  constructor(limits: UnauthenticatedLimits) {
    this.#limits = limits;
  }

  /** Takes a new connection in, making room by closing the oldest unauthenticated ones; false if the address has too many authenticated ones. */
  admit(socket: net.Socket, address: string, needsAuth: boolean): boolean {
    if (this.#count(address) >= MAX_CONNECTIONS_PER_ADDRESS && !this.#evictOldest(address)) return false;
    const admitted: Admitted = { socket, address, deadline: undefined };
    this.#connections.set(socket, admitted);
    socket.once('close', () => this.#forget(admitted));
    if (!needsAuth) return true;
    if (this.#count(address, this.#unauthenticated) >= this.#limits.perAddress) this.#evictOldest(address);
    if (this.#unauthenticated.size >= this.#limits.perPort) this.#evictOldest();
    admitted.deadline = setTimeout(() => socket.destroy(), this.#limits.lifetimeMs);
    this.#unauthenticated.set(socket, admitted);
    return true;
  }

  authenticated(socket: net.Socket): void {
    const admitted = this.#unauthenticated.get(socket);
    if (!admitted) return;
    clearTimeout(admitted.deadline);
    this.#unauthenticated.delete(socket);
  }

  #forget(admitted: Admitted): void {
    clearTimeout(admitted.deadline);
    this.#connections.delete(admitted.socket);
    this.#unauthenticated.delete(admitted.socket);
  }

  #count(address: string, among: Map<net.Socket, Admitted> = this.#connections): number {
    let count = 0;
    for (const admitted of among.values()) if (admitted.address === address) count++;
    return count;
  }

  /** Closes the oldest unauthenticated connection (of `address`, if given); false if there is none. */
  #evictOldest(address?: string): boolean {
    for (const admitted of this.#unauthenticated.values()) {
      if (address !== undefined && admitted.address !== address) continue;
      this.#forget(admitted);
      admitted.socket.destroy();
      return true;
    }
    return false;
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
