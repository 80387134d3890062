// WS-Discovery (2005/04, as ONVIF Core §7 specifies it) for the ONVIF devices: answers a Probe
// sent to 239.255.255.250:3702 on the interfaces they are served on with one ProbeMatches message
// per matching device (clients such as libonvif read one device per datagram), and announces each
// device with Hello when it starts and Bye when it stops.

import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { Logger } from '../log.js';
import { child, envelope, parseSoap, text, type XmlTree } from './soap.js';

export const DISCOVERY_GROUP = '239.255.255.250';
export const DISCOVERY_PORT = 3702;
const ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
const DISCOVERY_TO = 'urn:schemas-xmlsoap-org:ws:2005:04:discovery';
const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
/** The types a Probe may ask for that these devices are (local names; clients pick their own prefixes). */
const TYPES = ['NetworkVideoTransmitter', 'Device'];

export interface DiscoverableDevice {
  /** `urn:uuid:...` */
  endpoint: string;
  scopes: string[];
  /** The device service URL at one of its addresses. */
  xaddr(host: string): string;
  /** Its own address, when it has one; else it is reached at every address served. */
  ownAddress?: string;
}

interface Interface {
  /** The interface's name (`eth0`): the group is joined once per interface, whatever its addresses. */
  name: string;
  address: string;
  netmask: string;
}

export class WsDiscovery {
  readonly #socket: dgram.Socket;
  readonly #interfaces: Interface[];
  readonly #devices = new Set<DiscoverableDevice>();
  readonly #log: Logger;
  /** AppSequence: this run's instance, and a counter of the messages it sent. */
  readonly #instanceId = Math.floor(Date.now() / 1000);
  #messageNumber = 0;

  private constructor(socket: dgram.Socket, interfaces: Interface[], logger: Logger) {
    this.#socket = socket;
    this.#interfaces = interfaces;
    this.#log = logger;
    socket.on('message', (message, from) => this.#received(message, from));
    socket.on('error', (error) => this.#log.warn({ err: error.message }, 'WS-Discovery socket error'));
  }

  /** Listens on the group on each IPv4 interface that holds one of `addresses` (all of them for a wildcard). */
  static async start(addresses: string[], logger: Logger): Promise<WsDiscovery> {
    const interfaces = servedInterfaces(addresses);
    if (interfaces.length === 0) throw new Error(`no IPv4 interface holds ${addresses.join(', ')}: ONVIF discovery has nowhere to listen`);
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`cannot listen for ONVIF discovery on UDP port ${DISCOVERY_PORT}: ${error.message}`)));
      socket.bind(DISCOVERY_PORT, () => resolve());
    });
    for (const { address } of new Map(interfaces.map((i) => [i.name, i])).values()) socket.addMembership(DISCOVERY_GROUP, address);
    socket.setMulticastTTL(1);
    return new WsDiscovery(socket, interfaces, logger);
  }

  async add(device: DiscoverableDevice): Promise<void> {
    this.#devices.add(device);
    await this.#announce('Hello', device, {
      'wsd:Hello': { ...endpointReference(device), ...this.#description(device, undefined) },
    });
  }

  async remove(device: DiscoverableDevice): Promise<void> {
    if (!this.#devices.delete(device)) return;
    await this.#announce('Bye', device, { 'wsd:Bye': endpointReference(device) });
  }

  /** Stops listening; with `bye`, says Bye for each device first (not when another listener takes over). */
  async close(options: { bye: boolean }): Promise<void> {
    if (options.bye) for (const device of [...this.#devices]) await this.remove(device);
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #received(message: Buffer, from: dgram.RemoteInfo): void {
    let probe;
    try {
      probe = parseSoap(message.toString('utf8'));
    } catch {
      return;
    }
    if (probe.operation !== 'Probe') return;
    const relatesTo = text(child(probe.header, 'MessageID'));
    const wantedTypes = (text(child(probe.body, 'Types')) ?? '').split(/\s+/).filter((t) => t !== '').map((t) => t.slice(t.indexOf(':') + 1));
    const wantedScopes = (text(child(probe.body, 'Scopes')) ?? '').split(/\s+/).filter((s) => s !== '');
    for (const device of this.#devices) {
      if (!wantedTypes.every((t) => TYPES.includes(t))) continue;
      if (!wantedScopes.every((wanted) => device.scopes.some((scope) => scopeMatches(wanted, scope)))) continue;
      const xml = envelope({ 'wsd:ProbeMatches': { 'wsd:ProbeMatch': { ...endpointReference(device), ...this.#description(device, from.address) } } }, {
        'wsa:MessageID': `urn:uuid:${randomUUID()}`,
        ...(relatesTo ? { 'wsa:RelatesTo': relatesTo } : {}),
        'wsa:To': ANONYMOUS,
        'wsa:Action': `${ACTION}/ProbeMatches`,
        ...this.#appSequence(),
      });
      this.#socket.send(xml, from.port, from.address, (error) => {
        if (error) this.#log.warn({ err: error.message }, 'could not answer a WS-Discovery probe');
      });
    }
  }

  /** Types, scopes and the device URL at the addresses a client at `from` can reach (all served ones when unknown). */
  #description(device: DiscoverableDevice, from: string | undefined): XmlTree {
    const hosts = device.ownAddress ? [device.ownAddress] : this.#hostsFor(from);
    return {
      'wsd:Types': 'dn:NetworkVideoTransmitter tds:Device',
      'wsd:Scopes': device.scopes.join(' '),
      'wsd:XAddrs': hosts.map((host) => device.xaddr(host)).join(' '),
      'wsd:MetadataVersion': 1,
    };
  }

  #hostsFor(from: string | undefined): string[] {
    const same = from === undefined ? undefined : this.#interfaces.find((i) => sameSubnet(i, from));
    return same ? [same.address] : this.#interfaces.map((i) => i.address);
  }

  async #announce(kind: 'Hello' | 'Bye', device: DiscoverableDevice, body: XmlTree): Promise<void> {
    const header = {
      'wsa:MessageID': `urn:uuid:${randomUUID()}`,
      'wsa:To': DISCOVERY_TO,
      'wsa:Action': `${ACTION}/${kind}`,
      ...this.#appSequence(),
    };
    const xml = envelope(body, header);
    const served = device.ownAddress ? this.#interfaces.filter((i) => i.address === device.ownAddress) : this.#interfaces;
    // Once per interface, from one of its addresses.
    for (const { address } of new Map(served.map((i) => [i.name, i])).values()) {
      this.#socket.setMulticastInterface(address);
      await new Promise<void>((resolve) => this.#socket.send(xml, DISCOVERY_PORT, DISCOVERY_GROUP, (error) => {
        if (error) this.#log.warn({ err: error.message, address }, `could not send WS-Discovery ${kind}`);
        resolve();
      }));
    }
  }

  #appSequence(): XmlTree {
    return { 'wsd:AppSequence': { '@_InstanceId': this.#instanceId, '@_MessageNumber': ++this.#messageNumber } };
  }
}

function endpointReference(device: DiscoverableDevice): XmlTree {
  return { 'wsa:EndpointReference': { 'wsa:Address': device.endpoint } };
}

/** RFC 3986 matching (WS-Discovery's default): equal, or `wanted` is a leading run of whole path segments of `scope`. */
function scopeMatches(wanted: string, scope: string): boolean {
  const a = wanted.replace(/\/+$/, '');
  const b = scope.replace(/\/+$/, '');
  return a.toLowerCase() === b.toLowerCase() || b.toLowerCase().startsWith(`${a.toLowerCase()}/`);
}

/** The IPv4 interfaces holding `addresses` (each one of a wildcard). */
function servedInterfaces(addresses: string[]): Interface[] {
  const all = Object.entries(networkInterfaces()).flatMap(([name, entries]) =>
    (entries ?? []).filter((a) => a.family === 'IPv4').map((a) => ({ name, address: a.address, netmask: a.netmask })));
  const wildcard = addresses.some((a) => a === '0.0.0.0' || a === '::' || a === '');
  return wildcard ? all : all.filter((a) => addresses.includes(a.address));
}

function sameSubnet(entry: Interface, address: string): boolean {
  const toNumber = (ip: string): number | undefined => {
    const parts = ip.replace(/^::ffff:/, '').split('.').map(Number);
    return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0 : undefined;
  };
  const [a, b, mask] = [toNumber(entry.address), toNumber(address), toNumber(entry.netmask)];
  return a !== undefined && b !== undefined && mask !== undefined && ((a & mask) >>> 0) === ((b & mask) >>> 0);
}
