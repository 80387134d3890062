// What the two Node reference relays (bench/naive-proxy.ts, bench/seed-relay.ts) share: the process
// around them and each viewer's connection pair. bench/run.ts forks one with a `RelayPlan`; it
// listens on loopback once per target and, per viewer connection, opens mutual TLS to the base
// station and hands both sockets to the relay once TLS is up (the viewer paused until then; either
// closing closes both). It answers with the ports; `stop` makes it exit.

import net from 'node:net';
import tls from 'node:tls';

export interface RelayPlan {
  /** Base-station ports, one listening port each. */
  targets: number[];
  identity: { certPem: string; keyPem: string };
}

/** Relays one viewer: called with the viewer's socket and its own upstream, connected. */
export type Relay = (viewer: net.Socket, upstream: tls.TLSSocket) => void;

function connectPair(viewer: net.Socket, target: number, identity: RelayPlan['identity'], relay: Relay): void {
  viewer.setNoDelay(true);
  viewer.pause();
  const upstream = tls.connect({ host: '127.0.0.1', port: target, cert: identity.certPem, key: identity.keyPem, rejectUnauthorized: false });
  upstream.setNoDelay(true);
  const close = () => {
    viewer.destroy();
    upstream.destroy();
  };
  viewer.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
  upstream.once('secureConnect', () => {
    relay(viewer, upstream);
    viewer.resume();
  });
}

export function serveRelay(relay: Relay): void {
  process.on('message', (plan: RelayPlan | 'stop') => {
    if (plan === 'stop') return void process.send?.('stopped', () => process.exit(0));
    void Promise.all(plan.targets.map((target) => new Promise<number>((resolve) => {
      const server = net.createServer((viewer) => connectPair(viewer, target, plan.identity, relay));
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    }))).then((ports) => process.send?.(ports));
  });
}
