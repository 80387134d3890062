// The simulated cloud's people and hardware. Every owner account owns one VMB5000 base station with
// a 4K HEVC-capable camera and an avc-only one, both on battery (the 4K one on its charger); the
// friend account sees the owner's devices shared.

import type { VideoCodec } from '../../shared/api.js';
import type { SimCamera } from '../basestation.js';

export type SimFactorType = 'EMAIL' | 'SMS' | 'PUSH';

export interface SimAccount {
  email: string;
  password: string;
  userId: string;
  factors: { factorId: string; factorType: SimFactorType; factorNickname: string }[];
  /** For a shared (friend) account: the owner whose devices it sees. */
  sharedFrom?: string;
}

export interface SimDevice {
  deviceId: string;
  uniqueId: string;
  deviceType: 'basestation' | 'camera';
  deviceName: string;
  modelId: string;
  parentId: string;
  userId: string;
  owner: { ownerId: string };
  interfaceVersion: number;
  xCloudId: string;
  /** A camera's state as the device list carries it (the keys pyaarlo reads: battery, charger, connection). */
  properties?: Record<string, unknown>;
}

export const SIM_PASSWORD = 'correct horse battery staple';

function account(name: string, factors: SimFactorType[], sharedFrom?: string): SimAccount {
  const userId = `${name.toUpperCase()}-USER-0001`;
  return {
    email: `${name}@example.com`,
    password: SIM_PASSWORD,
    userId,
    factors: factors.map((factorType, i) => ({
      factorId: `${userId}-${factorType}-${i}`,
      factorType,
      factorNickname: factorType === 'EMAIL' ? `${name}@example.com` : factorType === 'SMS' ? '+1 555-0100' : 'Pixel 8',
    })),
    ...(sharedFrom ? { sharedFrom } : {}),
  };
}

export function defaultAccounts() {
  const owner = account('owner', []);
  return {
    /** No MFA: /api/auth completes at once. */
    owner,
    /** EMAIL and SMS factors: the user chooses. */
    mfa: account('mfa', ['EMAIL', 'SMS']),
    /** Only EMAIL: the code is sent at once. */
    email: account('email', ['EMAIL']),
    /** PUSH, approved after a few polls. */
    push: account('push', ['PUSH']),
    /** PUSH that nobody approves. */
    pushNever: account('pushnever', ['PUSH']),
    /** Sees the owner's devices, shared with it; may not create certificates. */
    friend: account('friend', [], owner.userId),
  };
}

export type SimAccounts = ReturnType<typeof defaultAccounts>;

/** The devices an owner owns; ids derive from the owner so accounts never share hardware by accident. */
export function devicesOf(owner: SimAccount): SimDevice[] {
  const prefix = owner.userId.split('-')[0] ?? 'X';
  const baseStationId = `${prefix}BS5000`;
  const device = (deviceId: string, deviceType: SimDevice['deviceType'], deviceName: string, modelId: string, interfaceVersion: number, properties?: Record<string, unknown>): SimDevice => ({
    deviceId,
    uniqueId: `${owner.userId}_${deviceId}`,
    deviceType,
    deviceName,
    modelId,
    parentId: baseStationId,
    userId: owner.userId,
    owner: { ownerId: owner.userId },
    interfaceVersion,
    xCloudId: `XC-${deviceId}`,
    ...(properties ? { properties } : {}),
  });
  return [
    device(baseStationId, 'basestation', 'Home base', 'VMB5000', 4),
    device(`${prefix}CAM4K01`, 'camera', 'Driveway 4K', 'VMC5040', 3, {
      batteryLevel: 100, batteryTech: 'Rechargeable', chargerTech: 'QuickCharger', chargingState: 'On', connectionState: 'available', signalStrength: 4,
    }),
    device(`${prefix}CAMHD01`, 'camera', 'Back door', 'VMC2030', 2, {
      batteryLevel: 62, batteryTech: 'Rechargeable', chargerTech: 'None', chargingState: 'Off', connectionState: 'available', signalStrength: 3,
    }),
  ];
}

/** The capabilities document of the base station every owner owns (a VMB5000 of interface version 4). */
export const BASE_STATION_CAPABILITIES = 'vmb5000_4';

/** Capabilities documents by lower-case `{model}_{interfaceVersion}`, in the two shapes seen. */
export const CAPABILITIES: Record<string, unknown> = {
  vmc5040_3: {
    Capabilities: {
      Streaming: { LocalStreaming: true },
      Video: [{ Codecs: { H264: { MaxResolution: '1920x1080' } } }, { Codecs: { HEVC: { MaxResolution: '3840x2160' } } }],
      PowerSource: { Battery: { indicatorVisible: true }, AC: { indicatorVisible: true } },
    },
  },
  vmc2030_2: {
    Capabilities: {
      Streaming: { LocalStreaming: true },
      Video: { Codecs: { H264: { MaxResolution: '1920x1080' } } },
      PowerSource: { Battery: { indicatorVisible: true } },
    },
  },
  // The base station's own word on local streaming is sipLiveStream; Scrypted checks only that it
  // holds a `supported` key [code], so its value here is a guess.
  [BASE_STATION_CAPABILITIES]: { Capabilities: { Streaming: { LocalStreaming: true }, sipLiveStream: { supported: true } } },
};

/** The cameras a simulated base station serves for this owner, each with the codecs its capabilities list. */
export function stationCamerasOf(owner: SimAccount): SimCamera[] {
  return devicesOf(owner)
    .filter((d) => d.deviceType === 'camera')
    .map((d) => ({ deviceId: d.deviceId, codecs: codecsOf(CAPABILITIES[`${d.modelId.toLowerCase()}_${d.interfaceVersion}`]) }));
}

function codecsOf(capabilities: unknown): VideoCodec[] {
  const video = (capabilities as { Capabilities?: { Video?: unknown } } | undefined)?.Capabilities?.Video;
  const names = (Array.isArray(video) ? video : [video]).flatMap((v) => Object.keys((v as { Codecs?: object } | undefined)?.Codecs ?? {}));
  const codecs: VideoCodec[] = [];
  if (names.includes('H264')) codecs.push('avc');
  if (names.includes('HEVC')) codecs.push('hevc');
  return codecs;
}
