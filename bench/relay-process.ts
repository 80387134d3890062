// What the two Node reference relays (bench/naive-proxy.ts, bench/seed-relay.ts) share: the process
// around them. bench/run.ts forks one with a `RelayPlan`; it listens on loopback once per target,
// hands each viewer connection to the relay, and answers with the ports; `stop` makes it exit.

import net from 'node:net';

export interface RelayPlan {
  /** Base-station ports, one listening port each. */
  targets: number[];
  identity: { certPem: string; keyPem: string };
}

export type Relay = (viewer: net.Socket, target: number, identity: RelayPlan['identity']) => void;

export function serveRelay(relay: Relay): void {
  process.on('message', (plan: RelayPlan | 'stop') => {
    if (plan === 'stop') return void process.send?.('stopped', () => process.exit(0));
    void Promise.all(plan.targets.map((target) => new Promise<number>((resolve) => {
      const server = net.createServer((viewer) => {
        viewer.setNoDelay(true);
        relay(viewer, target, plan.identity);
      });
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    }))).then((ports) => process.send?.(ports));
  });
}
