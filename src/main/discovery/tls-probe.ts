// One TLS handshake with a base station and nothing else (no RTSP): what it presents and how the
// handshake went. Discovery uses it to check that a base station answering at a new address is
// the one we pinned before following it there; `doctor` uses it for its TLS step.

import { isIP } from 'node:net';
import tls from 'node:tls';
import { connectTimeout, connectionError, type StreamError } from '../stream/errors.js';
import { peerIdentity, type PeerIdentity } from '../stream/identity.js';

export interface TlsProbeOptions {
  host: string;
  port: number;
  certificatePem: string;
  privateKeyPem: string;
  timeoutMs?: number;
}

export interface TlsFacts {
  protocol: string;
  cipher: string;
  /** What the base station presented: its certificate's and its key's SHA-256 (identity.ts). */
  identity: PeerIdentity | undefined;
}

export type TlsProbeResult = ({ ok: true } & TlsFacts) | { ok: false; error: StreamError };

/** A handshake, then the connection closes. */
export async function probeTls(options: TlsProbeOptions): Promise<TlsProbeResult> {
  const result = await connectTls(options);
  if (!result.ok) return result;
  result.socket.on('error', () => undefined);
  result.socket.destroy();
  return { ok: true, protocol: result.protocol, cipher: result.cipher, identity: result.identity };
}

/** A handshake; the open socket is the caller's to use and close. */
export function connectTls(options: TlsProbeOptions): Promise<({ ok: true; socket: tls.TLSSocket } & TlsFacts) | { ok: false; error: StreamError }> {
  const { host, port } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const where = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    // The same handshake the stream engine makes (upstream.ts): our client certificate, TLS 1.2+,
    // the base station's self-signed certificate accepted here and its identity compared with the pin by the caller.
    const socket = tls.connect({
      host,
      port,
      cert: options.certificatePem,
      key: options.privateKeyPem,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: false,
      servername: isIP(host) ? '' : host,
    });
    let tcpConnected = false;
    const fail = (error: StreamError): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve({ ok: false, error });
    };
    const timer = setTimeout(() => fail(connectTimeout(where, timeoutMs)), timeoutMs);
    socket.once('connect', () => (tcpConnected = true));
    socket.once('error', (error) => fail(connectionError(error, where, tcpConnected)));
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({
        ok: true,
        socket,
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: socket.getCipher().name,
        identity: peerIdentity(socket),
      });
    });
  });
}
