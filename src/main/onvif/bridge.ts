// The ONVIF side of the app: with the ONVIF setting on, every running camera is an ONVIF Profile S
// device (its own HTTP port, or its own address) that WS-Discovery announces; a camera that stops
// says Bye. The bridge follows the app's state: each published state is compared with what runs,
// and only what changed is started, restarted or stopped.

import { createHash } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { ONVIF_PORT_OFFSET, type AppState, type CameraStreamKind, type CameraStreamView, type CameraView } from '../../shared/api.js';
import type { Logger } from '../log.js';
import { OnvifAuth, type OnvifCredentials } from './auth.js';
import { OnvifDevice } from './device.js';
import { WsDiscovery } from './discovery.js';
import { DEVICE_PATH, scopesOf, type DeviceDescription, type StreamDescription } from './operations.js';

/** What is announced of a stream whose picture size or rate is not known yet (every Arlo camera so far is 16:9). */
const ASSUMED = { width: 1920, height: 1080, fps: 24 };

/** A camera's ONVIF port, on the listen address or its own address alike. */
export function onvifPort(rtspPort: number): number {
  return rtspPort + ONVIF_PORT_OFFSET;
}

/** The device service URL a user types into a recorder. */
export function onvifDeviceUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${DEVICE_PATH}`;
}

export interface OnvifBridgeOptions {
  logger: Logger;
  /** Makes each camera's device identity (UUID, hardware address) stable across restarts and distinct across installations. */
  installationId: string;
  snapshot(deviceId: string, options: { wake: boolean }): Promise<Buffer>;
}

interface Running {
  key: string;
  device: OnvifDevice;
  discoverable: { endpoint: string; scopes: string[]; xaddr(host: string): string; ownAddress?: string };
}

export class OnvifBridge {
  readonly #options: OnvifBridgeOptions;
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  /** `service` is absent when discovery could not listen: the devices still serve clients that are given their address. */
  #discovery: { addresses: string; service: WsDiscovery | undefined } | undefined;
  #auth: { key: string; auth: OnvifAuth } | undefined;
  /** Applies one state after the other: a start that is still binding is never raced by the next. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: OnvifBridgeOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** Brings the devices in line with `state` (the viewer credentials are not part of it). */
  apply(state: AppState, credentials: OnvifCredentials | undefined): Promise<void> {
    this.#queue = this.#queue.then(() => this.#apply(state, credentials)).catch((error: unknown) => {
      this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'ONVIF could not follow the app state');
    });
    return this.#queue;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await this.#stopAll();
  }

  async #apply(state: AppState, credentials: OnvifCredentials | undefined): Promise<void> {
    if (this.#closed) return;
    const { settings } = state;
    const wanted = settings.onvif ? state.cameras.filter((c) => c.running) : [];
    if (wanted.length === 0) return this.#stopAll();

    const authKey = credentials ? createHash('sha256').update(`${credentials.username}\0${credentials.password}`).digest('hex') : '';
    if (this.#auth?.key !== authKey) {
      // New credentials: every device restarts with them (their key includes this one).
      this.#auth = { key: authKey, auth: new OnvifAuth({ credentials }) };
    }
    const addresses = [...new Set(wanted.map((c) => settings.onvifAddresses[c.deviceId] ?? settings.listenAddress))].sort().join(' ');
    if (this.#discovery?.addresses !== addresses) {
      // Other interfaces to listen on: the devices stay up and are announced on the new ones.
      const previous = this.#discovery;
      const service = await WsDiscovery.start(addresses.split(' '), this.#log).catch((error: unknown) => {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'ONVIF discovery is off (recorders will not find the cameras by themselves: give them the ONVIF address)');
        return undefined;
      });
      this.#discovery = { addresses, service };
      await previous?.service?.close({ bye: false });
      for (const running of this.#running.values()) await service?.add(running.discoverable);
    }
    const discovery = this.#discovery.service;

    for (const [deviceId, running] of this.#running) {
      if (!wanted.some((c) => c.deviceId === deviceId)) await this.#stop(deviceId, running);
    }
    for (const camera of wanted) {
      const ownAddress = settings.onvifAddresses[camera.deviceId];
      const host = ownAddress ?? settings.listenAddress;
      const port = onvifPort(camera.port);
      const description = this.#describe(camera, ownAddress);
      const key = JSON.stringify({ host, port, auth: authKey });
      const running = this.#running.get(camera.deviceId);
      if (running?.key === key) {
        running.device.description = description;
        const scopes = scopesOf(description);
        // Renamed: announced again with its new scopes.
        if (scopes.join(' ') !== running.discoverable.scopes.join(' ')) {
          running.discoverable.scopes = scopes;
          await discovery?.add(running.discoverable);
        }
        continue;
      }
      if (running) await this.#stop(camera.deviceId, running);
      try {
        const device = await OnvifDevice.start({
          description,
          host,
          port,
          auth: this.#auth.auth,
          // A battery camera is woken only by viewers of its streams, never by a recorder's snapshot polling.
          snapshot: () => this.#options.snapshot(camera.deviceId, { wake: !camera.battery }),
          logger: this.#log.child({ deviceId: camera.deviceId }),
        });
        const discoverable = {
          endpoint: description.endpoint,
          scopes: scopesOf(description),
          xaddr: (address: string) => onvifDeviceUrl(address, device.port),
          ...(ownAddress ? { ownAddress } : {}),
        };
        this.#running.set(camera.deviceId, { key, device, discoverable });
        await discovery?.add(discoverable);
        this.#log.info({ deviceId: camera.deviceId, url: onvifDeviceUrl(host, device.port) }, 'ONVIF device started');
      } catch (error) {
        this.#log.warn({ deviceId: camera.deviceId, err: error instanceof Error ? error.message : String(error) }, 'ONVIF device not started');
      }
    }
  }

  #describe(camera: CameraView, ownAddress: string | undefined): DeviceDescription {
    const seed = createHash('sha256').update(`${this.#options.installationId}\0${camera.deviceId}`).digest();
    const stream = (kind: CameraStreamKind): CameraStreamView => camera.streams.find((s) => s.kind === kind)!;
    // An H.264 camera's own stream is H.264 already; an HEVC one's H.264 is its transcoded /h264.
    const main = stream(camera.codec === 'avc' ? 'native' : 'h264');
    const describe = (view: CameraStreamView, bitrateKbps: number): StreamDescription => {
      const fps = view.fps ?? ASSUMED.fps;
      return { path: view.path, width: view.width ?? ASSUMED.width, height: view.height ?? ASSUMED.height, fps, bitrateKbps, govLength: fps * 2 };
    };
    return {
      endpoint: `urn:uuid:${uuidFrom(seed)}`,
      name: camera.name,
      model: camera.model,
      firmware: 'Arlo Local RTSP',
      serialNumber: camera.deviceId,
      hardwareAddress: (ownAddress && interfaceMac(ownAddress)) ?? localMac(seed),
      rtspPort: camera.port,
      main: describe(main, 4096),
      sub: describe(stream('sub'), 512),
    };
  }

  async #stop(deviceId: string, running: Running): Promise<void> {
    this.#running.delete(deviceId);
    await this.#discovery?.service?.remove(running.discoverable);
    await running.device.close();
    this.#log.info({ deviceId }, 'ONVIF device stopped');
  }

  async #stopAll(): Promise<void> {
    for (const [deviceId, running] of [...this.#running]) await this.#stop(deviceId, running);
    await this.#discovery?.service?.close({ bye: true });
    this.#discovery = undefined;
  }
}

/** An RFC 4122 name-based UUID layout (version 5 bits) over the seed. */
function uuidFrom(seed: Buffer): string {
  const bytes = Buffer.from(seed.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A locally administered unicast MAC of the camera's own: recorders tell devices apart by it. */
function localMac(seed: Buffer): string {
  const bytes = Buffer.from(seed.subarray(16, 22));
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * The hardware address of an interface that holds `address` and no other IPv4 address (a macvlan
 * made for this camera); an interface with several would give several cameras the same one.
 */
function interfaceMac(address: string): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    const ipv4 = (entries ?? []).filter((e) => e.family === 'IPv4');
    if (ipv4.length === 1 && ipv4[0]!.address === address && ipv4[0]!.mac !== '00:00:00:00:00:00') return ipv4[0]!.mac;
  }
  return undefined;
}
