// The account's base stations and cameras as this app needs them: which cameras stream locally,
// which codecs they offer, who owns them, what Arlo says of their power; and how a fresh list
// merges into the stored records without losing ports, addresses, certificates or the user's choices.

import type { VideoCodec } from '../../shared/api.js';
import { printable } from '../../shared/text.js';
import type { AppData, BaseStationRecord, CameraRecord } from '../store/types.js';
import type { ArloApiClient, ArloDevice } from './api-client.js';
import { ArloError } from './errors.js';

export interface FoundBaseStation {
  deviceId: string;
  name: string;
  model: string;
  uniqueId: string;
  /** The signed-in user owns it (only owners may enroll); undefined when we do not know the user. */
  owned: boolean | undefined;
  /** Its cloud routing id, which pyaarlo sends as `xcloudId` with every call about the base station. */
  xCloudId?: string;
  /** Whether Arlo lists local live streaming for it (`Capabilities.sipLiveStream`); absent for a camera that is its own base station. */
  localStreaming?: StationLocalStreaming;
}

/** What a base station's capabilities say of local live streaming; `said` tells what Arlo said when it is not listed. */
export interface StationLocalStreaming {
  supported: boolean;
  said?: string;
}

export interface FoundCamera {
  deviceId: string;
  name: string;
  model: string;
  baseStationId: string;
  ownBaseStation: boolean;
  localStreaming: boolean;
  codecs: VideoCodec[];
  owned: boolean | undefined;
  /** What the cloud says of its power: true on battery, false on mains, undefined when it does not say. */
  reportedBattery: boolean | undefined;
}

export interface FoundDevices {
  baseStations: FoundBaseStation[];
  cameras: FoundCamera[];
}

const CAMERA_TYPES = new Set(['camera', 'doorbell']);

export async function findDevices(api: ArloApiClient, userId: string | undefined): Promise<FoundDevices> {
  const devices = await api.devices();
  const documents = new Map<string, Promise<unknown>>();
  /** Each model's capabilities document, fetched once; undefined when the cloud has none. */
  const documentOf = (device: ArloDevice): Promise<unknown> => {
    const key = `${device.modelId}_${device.interfaceVersion ?? ''}`;
    let document = documents.get(key);
    if (!document) documents.set(key, (document = capabilitiesDocument(api, device)));
    return document;
  };
  const owned = (device: ArloDevice): boolean | undefined =>
    userId === undefined || device.owner?.ownerId === undefined ? undefined : device.owner.ownerId === userId;

  const baseStations: FoundBaseStation[] = [];
  const cameras: FoundCamera[] = [];
  for (const device of devices) {
    const type = device.deviceType.toLowerCase();
    const ownBaseStation = CAMERA_TYPES.has(type) && (!device.parentId || device.parentId === device.deviceId);
    if (type === 'basestation' || ownBaseStation) {
      baseStations.push({
        deviceId: device.deviceId, name: device.deviceName, model: device.modelId, uniqueId: device.uniqueId, owned: owned(device), xCloudId: device.xCloudId,
        ...(type === 'basestation' ? { localStreaming: stationLocalStreaming(await documentOf(device)) } : {}),
      });
    }
    if (!CAMERA_TYPES.has(type)) continue;
    const document = await documentOf(device);
    const { localStreaming, codecs, battery } = document === undefined ? NO_CAPABILITIES : parseCapabilities(document);
    cameras.push({
      deviceId: device.deviceId,
      name: device.deviceName,
      model: device.modelId,
      baseStationId: ownBaseStation ? device.deviceId : (device.parentId ?? device.deviceId),
      ownBaseStation,
      // Scrypted streams locally only from an owned camera behind a separate base station.
      localStreaming: localStreaming && owned(device) !== false,
      codecs,
      owned: owned(device),
      reportedBattery: batteryTechOf(device) ?? battery,
    });
  }
  return { baseStations, cameras };
}

export interface CameraCapabilities {
  localStreaming: boolean;
  codecs: VideoCodec[];
  /** The model's power source: true with a battery, false on mains only, undefined when not said. */
  battery: boolean | undefined;
}

/**
 * Reads `Capabilities.Streaming.LocalStreaming` (present and not `false`), the codecs of
 * `Capabilities.Video` (an object with `Codecs`, or a list of such) and `Capabilities.PowerSource`.
 */
export function parseCapabilities(document: unknown): CameraCapabilities {
  const capabilities = field(document, 'Capabilities');
  const local = field(field(capabilities, 'Streaming'), 'LocalStreaming');
  // Scrypted's rule: the key present means supported; only an explicit `false` says otherwise.
  const localStreaming = local !== undefined && local !== null && local !== false;
  const video = field(capabilities, 'Video');
  const words = codecWords(Array.isArray(video) ? video.map((entry) => field(entry, 'Codecs')) : field(video, 'Codecs'));
  const hevc = words.some((word) => /hevc|h\.?265/i.test(word));
  return { localStreaming, codecs: hevc ? ['avc', 'hevc'] : ['avc'], battery: powerSourceBattery(field(capabilities, 'PowerSource')) };
}

/**
 * Scrypted's reading of `PowerSource`: on battery when it lists a `Battery` whose indicator is not
 * hidden, and no `AC` entry with a hidden indicator (a camera sold with a battery but set up
 * powered). An entry is an object (`indicatorVisible` false hides it) or `true`; anything else is
 * a shape we do not know, so the document says nothing.
 */
function powerSourceBattery(powerSource: unknown): boolean | undefined {
  const battery = visibility(field(powerSource, 'Battery'));
  const ac = visibility(field(powerSource, 'AC'));
  if (battery === 'unreadable' || ac === 'unreadable' || (battery === 'absent' && ac === 'absent')) return undefined;
  return battery === 'shown' && ac !== 'hidden';
}

function visibility(entry: unknown): 'absent' | 'shown' | 'hidden' | 'unreadable' {
  if (entry === undefined || entry === null) return 'absent';
  if (entry === true) return 'shown';
  if (typeof entry !== 'object' || Array.isArray(entry)) return 'unreadable';
  return field(entry, 'indicatorVisible') === false ? 'hidden' : 'shown';
}

/**
 * pyaarlo's reading of the device itself: `batteryTech` (under `properties`, else at the top level)
 * names the battery, "None" when there is none. This is the camera's own word, so it goes before
 * its model's capabilities. Anything but a non-empty string says nothing.
 */
export function batteryTechOf(device: Pick<ArloDevice, 'properties' | 'batteryTech'>): boolean | undefined {
  const tech = field(device.properties, 'batteryTech') ?? device.batteryTech;
  if (typeof tech !== 'string' || tech.trim() === '') return undefined;
  return tech.trim().toLowerCase() !== 'none';
}

/** Folds a fresh device list into the stored data, keeping what the user and enrollment set. */
export function mergeDevices(data: AppData, found: FoundDevices): void {
  const oldStations = new Map(data.baseStations.map((b) => [b.deviceId, b]));
  data.baseStations = found.baseStations.map((b): BaseStationRecord => {
    const { localStreaming: _before, localStreamingSaid: _said, ...old } = oldStations.get(b.deviceId) ?? {};
    return {
      ...old,
      deviceId: b.deviceId,
      name: b.name,
      model: b.model,
      uniqueId: b.uniqueId,
      ...(b.localStreaming ? { localStreaming: b.localStreaming.supported } : {}),
      ...(b.localStreaming?.said !== undefined ? { localStreamingSaid: b.localStreaming.said } : {}),
    };
  });

  const oldCameras = new Map(data.cameras.map((c) => [c.deviceId, c]));
  const kept = found.cameras.filter((c) => oldCameras.has(c.deviceId));
  const taken = new Set(kept.map((c) => oldCameras.get(c.deviceId)?.port));
  data.cameras = found.cameras.map((c): CameraRecord => {
    const old = oldCameras.get(c.deviceId);
    const port = old?.port ?? nextFreePort(data.settings.portBase, taken);
    taken.add(port);
    return {
      deviceId: c.deviceId,
      name: c.name,
      model: c.model,
      baseStationId: c.baseStationId,
      ownBaseStation: c.ownBaseStation,
      codecs: c.codecs,
      codec: old && c.codecs.includes(old.codec) ? old.codec : 'avc',
      localStreaming: c.localStreaming,
      port,
      running: old?.running ?? false,
      ...(old?.battery === undefined ? {} : { battery: old.battery }),
      ...(c.reportedBattery === undefined ? {} : { reportedBattery: c.reportedBattery }),
      ...(old?.knownSdp ? { knownSdp: old.knownSdp } : {}),
    };
  });
}

function nextFreePort(base: number, taken: Set<number | undefined>): number {
  let port = base;
  while (taken.has(port)) port++;
  return port;
}

/** A camera whose model has no capabilities document cannot be streamed; the rest of the list still counts. */
const NO_CAPABILITIES: CameraCapabilities = { localStreaming: false, codecs: ['avc'], battery: undefined };

/** The model's capabilities document, or undefined when the cloud has none for it. */
async function capabilitiesDocument(api: ArloApiClient, device: ArloDevice): Promise<unknown> {
  if (!device.interfaceVersion) return undefined;
  try {
    return await api.capabilities(device.modelId, device.interfaceVersion);
  } catch (error) {
    if (error instanceof ArloError && error.code === 'unexpected') return undefined;
    throw error;
  }
}

/**
 * A base station's `Capabilities.sipLiveStream`, as Scrypted reads it (a `supported` key), and
 * tolerant of other shapes: `true`, the word "supported", a list holding it. Anything else, its
 * absence included, is not listed, and `said` tells the user what Arlo said instead.
 */
export function stationLocalStreaming(document: unknown): StationLocalStreaming {
  if (document === undefined) return { supported: false, said: 'Arlo has no capabilities document for this model' };
  const capabilities = field(document, 'Capabilities');
  if (capabilities === undefined) return { supported: false, said: 'its capabilities document has no Capabilities section' };
  const sip = field(capabilities, 'sipLiveStream');
  if (sip === undefined || sip === null) return { supported: false, said: 'its capabilities do not list sipLiveStream' };
  const supported = sip === true
    || (typeof sip === 'string' && sip.trim().toLowerCase() === 'supported')
    || (Array.isArray(sip) && sip.some((entry) => typeof entry === 'string' && entry.trim().toLowerCase() === 'supported'))
    || (typeof sip === 'object' && !Array.isArray(sip) && 'supported' in sip && field(sip, 'supported') !== false);
  return supported ? { supported: true } : { supported: false, said: `its capabilities say sipLiveStream: ${shortJson(sip)}` };
}

/** The sentence the UI and the CLI show for a base station whose capabilities do not list local live streaming. */
export function localStreamingNotListed(said: string | undefined): string {
  return `Arlo does not list local live streaming (sipLiveStream) for this base station: ${said ?? 'it said nothing of it'}. Its cameras are still offered, but the working clients stream only where Arlo lists it.`;
}

/** A value as compact JSON, cut to a line's length, with control characters gone (it is shown). */
function shortJson(value: unknown): string {
  const json = printable(JSON.stringify(value) ?? String(value));
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function codecWords(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(codecWords);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...codecWords(inner)]);
  }
  return [];
}
