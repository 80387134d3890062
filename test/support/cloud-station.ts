// The simulated Arlo cloud with a strict simulated base station beside it, whose certificates come
// from the cloud's CA: what sign-in, enrollment and streaming from an account's devices need.

import { SimBaseStation, type SimBaseStationOptions, type SimCamera } from '../../src/sim/basestation.js';
import { startSimCloud, stationCamerasOf, type SimCloud, type SimCloudOptions } from '../../src/sim/cloud/index.js';

export interface CloudAndStation {
  cloud: SimCloud;
  station: SimBaseStation;
  /** Stops the base station, then the cloud. */
  close(): Promise<void>;
}

export interface CloudAndStationOptions {
  /** Whose cameras the base station serves (default the owner's). */
  account?: keyof SimCloud['accounts'];
  /** What the base station serves instead of those cameras as their capabilities describe them. */
  cameras?: (owned: SimCamera[]) => SimCamera[];
  /** The base station's TLS identity (a fresh one by default): another station with it is the same base station. */
  identity?: SimBaseStationOptions['identity'];
  /** How the simulated cloud differs from its default. */
  cloud?: SimCloudOptions;
}

export async function startCloudAndStation(options: CloudAndStationOptions = {}): Promise<CloudAndStation> {
  const cloud = await startSimCloud(options.cloud);
  const person = cloud.accounts[options.account ?? 'owner'];
  const owned = stationCamerasOf(person);
  const baseStation = cloud.devicesOf(person).find((device) => device.deviceType === 'basestation');
  const station = new SimBaseStation({
    ca: cloud.ca,
    // It refuses a certificate the cloud issued for another base station, as the real one must.
    ...(baseStation ? { uniqueId: baseStation.uniqueId } : {}),
    cameras: options.cameras ? options.cameras(owned) : owned,
    ...(options.identity ? { identity: options.identity } : {}),
  });
  await station.start();
  return {
    cloud,
    station,
    async close() {
      await station.stop();
      await cloud.close();
    },
  };
}

/** The cameras with H.264 alone, whatever else they could send. */
export const h264Only = (cameras: SimCamera[]): SimCamera[] => cameras.map((camera) => ({ ...camera, codecs: ['avc'] }));
