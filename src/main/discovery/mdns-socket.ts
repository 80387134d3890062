// An mDNS endpoint (multicast-dns over a UDP socket we configure ourselves).
// Given an interface address, the socket joins the group on that interface only and sends only
// through it, set before the first packet leaves: multicast-dns alone would fall back to the
// default route if joining failed. Without one, multicast-dns's defaults apply (every interface).

import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import makeMdns from 'multicast-dns';

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;

export type Mdns = makeMdns.MulticastDNS;

export async function openMdns(options: { interface?: string; port?: number }): Promise<Mdns> {
  const port = options.port ?? MDNS_PORT;
  if (options.interface === undefined) {
    const mdns = makeMdns({ port });
    await new Promise<void>((resolve, reject) => {
      mdns.once('ready', resolve);
      mdns.once('error', reject);
    });
    return mdns;
  }
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  try {
    socket.bind(port, '0.0.0.0');
    await once(socket, 'listening');
    socket.setMulticastInterface(options.interface);
    socket.addMembership(MDNS_GROUP, options.interface);
    socket.setMulticastLoopback(true);
    socket.setMulticastTTL(255);
  } catch (error) {
    socket.close();
    throw new Error(`cannot use mDNS on interface ${options.interface}: ${(error as Error).message}`, { cause: error });
  }
  return makeMdns({ socket, bind: false, multicast: false, port, ip: MDNS_GROUP });
}

export function closeMdns(mdns: Mdns): Promise<void> {
  return new Promise((resolve) => mdns.destroy(() => resolve()));
}
