// Finds Arlo base stations on the LAN by mDNS (PROTOCOL.md §4): browse `_arlo-video._tcp.local`,
// follow each instance's SRV (host name, port) and TXT (`deviceid`), and the host's A record.

import type { RemoteInfo } from 'node:dgram';
import type { Answer } from 'dns-packet';
import { closeMdns, openMdns } from './mdns-socket.js';

export { mergeDiscovered } from './merge.js';

export const ARLO_SERVICE = '_arlo-video._tcp.local';

export interface DiscoveredBaseStation {
  deviceId: string;
  host: string;
  port: number;
  /** e.g. `VMB5000.local`. */
  hostname: string;
}

export interface DiscoverOptions {
  /** How long to listen for answers. */
  timeoutMs: number;
  /** IPv4 address of the interface to browse on; every interface when absent. */
  interface?: string;
  /** UDP port (5353 unless testing). */
  port?: number;
  signal?: AbortSignal;
}

/** Browses for `timeoutMs` and returns every base station answered completely (deviceId and address), one per deviceId. */
export async function discoverBaseStations(options: DiscoverOptions): Promise<DiscoveredBaseStation[]> {
  options.signal?.throwIfAborted();
  const mdns = await openMdns(options);
  const records = new RecordBook();
  const asked = new Set<string>();
  const ask = (name: string, type: 'PTR' | 'SRV' | 'TXT' | 'A') => {
    if (asked.has(`${type} ${name}`)) return;
    asked.add(`${type} ${name}`);
    mdns.query([{ name, type }]);
  };

  mdns.on('response', (packet, rinfo) => {
    for (const answer of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) records.add(answer, rinfo);
    // Follow what the responder left out, once per name.
    for (const instance of records.instances()) {
      if (!records.srv.has(instance.toLowerCase())) ask(instance, 'SRV');
      if (!records.txt.has(instance.toLowerCase())) ask(instance, 'TXT');
      const target = records.srv.get(instance.toLowerCase())?.target;
      if (target && !records.a.has(target.toLowerCase())) ask(target, 'A');
    }
  });

  // Queries get lost on busy networks: ask for the service again every second.
  const browse = () => mdns.query([{ name: ARLO_SERVICE, type: 'PTR' }]);
  browse();
  const repeat = setInterval(browse, 1000);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.timeoutMs);
      mdns.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`mDNS browse failed: ${error.message}`, { cause: error }));
      });
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(options.signal?.reason);
        },
        { once: true },
      );
    });
  } finally {
    clearInterval(repeat);
    await closeMdns(mdns);
  }
  return records.stations();
}

/** What the answers so far say, keyed by lower-case name (DNS names are case-insensitive). */
class RecordBook {
  /** Instance names as announced: follow-up questions keep their case, for responders that compare exactly. */
  private readonly ptr = new Map<string, string>();
  readonly srv = new Map<string, { target: string; port: number; from: string }>();
  readonly txt = new Map<string, Map<string, string>>();
  readonly a = new Map<string, string>();

  add(answer: Answer, rinfo: RemoteInfo): void {
    const name = answer.name.toLowerCase();
    if (answer.type === 'PTR' && name === ARLO_SERVICE) this.ptr.set(answer.data.toLowerCase(), answer.data);
    else if (answer.type === 'SRV') this.srv.set(name, { target: answer.data.target, port: answer.data.port, from: rinfo.address });
    else if (answer.type === 'TXT') this.txt.set(name, parseTxt(answer.data));
    else if (answer.type === 'A') this.a.set(name, answer.data);
  }

  instances(): string[] {
    return [...this.ptr.values()];
  }

  stations(): DiscoveredBaseStation[] {
    const found = new Map<string, DiscoveredBaseStation>();
    for (const instance of this.instances()) {
      const srv = this.srv.get(instance.toLowerCase());
      const deviceId = this.txt.get(instance.toLowerCase())?.get('deviceid');
      if (!srv || !deviceId) continue;
      // Without an A record, the address the answer came from is the best we know.
      const host = this.a.get(srv.target.toLowerCase()) ?? srv.from;
      found.set(deviceId, { deviceId, host, port: srv.port, hostname: srv.target });
    }
    return [...found.values()];
  }
}

/** TXT strings `key=value`; keys are case-insensitive (RFC 6763 §6.4). */
function parseTxt(data: string | Buffer | (string | Buffer)[]): Map<string, string> {
  const entries = new Map<string, string>();
  for (const item of Array.isArray(data) ? data : [data]) {
    const text = item.toString();
    const eq = text.indexOf('=');
    if (eq > 0) entries.set(text.slice(0, eq).toLowerCase(), text.slice(eq + 1));
  }
  return entries;
}
