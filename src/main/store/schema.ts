// The one definition of what settings.json may hold. `types.ts` states the same shape as plain
// interfaces for readers; the checks at the bottom make the compiler fail if the two drift apart.

import { z } from 'zod';
import { SUB_STREAM_FPS_RANGE, SUB_STREAM_WIDTH_RANGE } from '../../shared/streams.js';
import { browserUserAgent } from '../arlo/identity.js';
import { URL_HOST_FORMS } from '../rtsp/url-host.js';
import type { AccountRecord, AppData, AppSettings, BaseStationRecord, CameraRecord } from './types.js';

export const DATA_VERSION = 1;

const videoCodec = z.enum(['avc', 'hevc']);
const port = z.number().int().min(1).max(65535);
/** A SHA-256 digest as colon-separated hex, as Node writes certificate fingerprints. */
const sha256Hex = z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/i);

export const baseStationSchema = z.object({
  deviceId: z.string().min(1),
  name: z.string(),
  model: z.string(),
  uniqueId: z.string(),
  host: z.string().min(1).optional(),
  port: port.optional(),
  addressSource: z.enum(['typed', 'mdns']).optional(),
  announcedPort: port.optional(),
  certificatePem: z.string().optional(),
  caChainPem: z.array(z.string()).optional(),
  certificateExpires: z.iso.datetime().optional(),
  pinnedFingerprint: sha256Hex.optional(),
  // Absent in data written before keys were pinned: added at the next stream whose certificate matches.
  pinnedKey: sha256Hex.optional(),
  certificateRejected: z.boolean().optional(),
  certificateAccepted: z.boolean().optional(),
  mdnsHostName: z.string().min(1).optional(),
  urlHostForm: z.enum(URL_HOST_FORMS).optional(),
  localStreaming: z.boolean().optional(),
  localStreamingSaid: z.string().optional(),
});

export const cameraSchema = z.object({
  deviceId: z.string().min(1),
  name: z.string(),
  model: z.string(),
  baseStationId: z.string(),
  ownBaseStation: z.boolean(),
  codecs: z.array(videoCodec),
  codec: videoCodec,
  localStreaming: z.boolean(),
  port,
  running: z.boolean(),
  battery: z.boolean().optional(),
  reportedBattery: z.boolean().optional(),
  knownSdp: z.object({
    codec: videoCodec,
    native: z.string().max(16_384).optional(),
    h264: z.string().max(16_384).optional(),
    sub: z.string().max(16_384).optional(),
  }).optional(),
});

export const settingsSchema = z.object({
  listenAddress: z.string().min(1),
  portBase: port,
  lanUsername: z.string().optional(),
  lanAllowBasic: z.boolean().default(false),
  launchAtLogin: z.boolean(),
  notifications: z.boolean().default(true),
  updateChecks: z.boolean().default(true),
  requireAccessToken: z.boolean().default(false),
  lingerSeconds: z.number().min(0).max(3600),
  installationId: z.uuid(),
  clientDeviceId: z.uuid(),
  // Settings written before the identity kept a User-Agent get this computer's now, saved at once (data-store.ts).
  userAgent: z.string().min(1).default(() => browserUserAgent()),
  batteryWarnMinutes: z.number().min(0).max(1440).optional(),
  batteryCapMinutes: z.number().min(0).max(1440).optional(),
  demo: z.literal(true).optional(),
  onvif: z.boolean().default(false),
  onvifAddresses: z.record(z.string(), z.ipv4().or(z.ipv6())).default({}),
  subStreamWidth: z.number().int().min(SUB_STREAM_WIDTH_RANGE.min).max(SUB_STREAM_WIDTH_RANGE.max).optional(),
  subStreamFps: z.number().int().min(SUB_STREAM_FPS_RANGE.min).max(SUB_STREAM_FPS_RANGE.max).optional(),
});

export const accountSchema = z.object({
  email: z.string().optional(),
  userId: z.string().optional(),
  tokenExpiresAt: z.number().optional(),
});

export const appDataSchema = z.object({
  version: z.literal(DATA_VERSION),
  settings: settingsSchema,
  account: accountSchema,
  baseStations: z.array(baseStationSchema),
  cameras: z.array(cameraSchema),
  streamingTime: z.record(z.string(), z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.number().min(0))).optional(),
});

// Compile-time proof that the schema and the interfaces describe the same data, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const SCHEMA_MATCHES_TYPES: [
  Same<z.infer<typeof appDataSchema>, AppData>,
  Same<z.infer<typeof settingsSchema>, AppSettings>,
  Same<z.infer<typeof accountSchema>, AccountRecord>,
  Same<z.infer<typeof baseStationSchema>, BaseStationRecord>,
  Same<z.infer<typeof cameraSchema>, CameraRecord>,
] = [true, true, true, true, true];
