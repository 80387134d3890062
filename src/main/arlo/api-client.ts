// The API host (PROTOCOL.md §2): devices, capabilities and certificate creation, with the exact
// headers and `{success, data}` envelope of myapi.arlo.com. Every answer is checked with zod here,
// so the rest of the app handles typed values only.

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { printable } from '../../shared/text.js';
import { ARLO_MESSAGES, ArloError } from './errors.js';
import { envelopeOf } from './envelope.js';
import type { ArloHttp, HttpAnswer } from './http.js';

export const arloDeviceSchema = z.object({
  deviceId: z.string().min(1),
  uniqueId: z.string().min(1),
  deviceType: z.string(),
  // Shown in the UI and printed by the CLI: control characters go at the door.
  deviceName: z.string().default('').transform(printable),
  modelId: z.string().min(1).transform(printable),
  parentId: z.string().optional(),
  userId: z.string().optional(),
  owner: z.object({ ownerId: z.string() }).partial().optional(),
  interfaceVersion: z.union([z.string(), z.number()]).transform(String).optional(),
  xCloudId: z.string().optional(),
  // Power state (batteryTech, chargerTech, batteryLevel…), under `properties` or at the top level as
  // pyaarlo reads it. Odd shapes are the reader's problem (devices.ts), never a reason to drop the device.
  properties: z.unknown().optional(),
  batteryTech: z.unknown().optional(),
});
export type ArloDevice = z.infer<typeof arloDeviceSchema>;

// `certsData` is a list keyed by `uniqueId` (PROTOCOL.md §7); which entry is ours and whether it can
// serve is enrollment's call (enroll/issued.ts), so every field is read leniently here.
const text = z.string().min(1).optional().catch(undefined);
const certificateSchema = z.object({
  certsData: z.array(z.object({
    uniqueId: text,
    peerCert: text,
    deviceCert: text,
    certId: z.union([z.string(), z.number()]).transform(String).optional().catch(undefined),
  }).catch({})).min(1),
  icaCert: text,
});
/** What the cloud returns for one certificate request: base64 DER, no armour. */
export type CertificateAnswer = z.infer<typeof certificateSchema>;

/**
 * Who asks, for the extras Scrypted sends with the request (PROTOCOL.md §7) and pyaarlo's `xcloudId`:
 * each is sent when known.
 */
export interface CertificateRequester {
  /** The id this installation signs in with (X-User-Device-Id at sign-in): sent as `x-user-device-id`. */
  clientDeviceId?: string;
  /** The signed-in user: sent as `x-forwarded-user`. */
  userId?: string;
  /** The base station's: pyaarlo sends it as `xcloudId` (Scrypted and the POC send none). */
  xCloudId?: string;
}

/** What Scrypted sends as Origin and Referer with the request: the API host's own origin. */
const API_ORIGIN = 'https://myapi.arlo.com';

export interface CertificateRequest {
  uuid: string;
  uniqueIds: string[];
  /** base64 DER SubjectPublicKeyInfo, no PEM armour or newlines. */
  publicKey: string;
}

/**
 * A JSON object without its null members, at any depth: a field the cloud sends as null is one it
 * has no value for, as Python's `.get()` (pyaarlo, Scrypted) reads both (a base station's
 * `"parentId": null` is no parent), never a reason to drop the device.
 */
function withoutNulls(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== null).map(([key, inner]) => [key, withoutNulls(inner)]));
}

/**
 * How the certificate service says "not the owner" is not documented [guess]: an HTTP 403 with JSON,
 * or a failure whose text speaks of ownership or permission. One place to change when we learn more.
 */
export function isNotOwnerRefusal(status: number, json: unknown): boolean {
  if (status === 403) return true;
  return /owner|permission|not allowed|access denied/i.test(envelopeOf(json)?.failure ?? '');
}

export class ArloApiClient {
  constructor(
    private readonly http: ArloHttp,
    private readonly token: string,
  ) {}

  /**
   * Opens the cloud session of a fresh token: pyaarlo calls it after every sign-in ("needed for new
   * session") and the cloud may refuse the device list and certificates without it.
   */
  async startSession(): Promise<void> {
    const answer = await this.#call('GET', '/hmsweb/users/session/v3');
    this.#data(answer, z.unknown(), 'Opening the Arlo session');
  }

  /**
   * The account's devices. An entry without the fields we need (a chime, a light, a device type
   * this app has never seen) is skipped rather than failing the whole list.
   */
  async devices(): Promise<ArloDevice[]> {
    const answer = await this.#call('GET', '/hmsweb/v2/users/devices');
    const entries = this.#data(answer, z.array(z.unknown()), 'Listing your Arlo devices');
    return entries.flatMap((entry) => {
      const device = arloDeviceSchema.safeParse(withoutNulls(entry));
      return device.success ? [device.data] : [];
    });
  }

  /** The capabilities document of a model, as the cloud serves it (no envelope). */
  async capabilities(modelId: string, interfaceVersion: string): Promise<unknown> {
    const model = modelId.toLowerCase();
    const answer = await this.#call('GET', `/resources/capabilities/${encodeURIComponent(model)}/${encodeURIComponent(model)}_${encodeURIComponent(interfaceVersion)}.json`);
    if (answer.status !== 200 || answer.json === undefined) {
      throw new ArloError('unexpected', `The Arlo cloud has no capabilities for model ${modelId} (HTTP ${answer.status}): try again later.`);
    }
    return answer.json;
  }

  /**
   * With the request extras the working clients send (PROTOCOL.md §7): Scrypted's headers and its
   * `eventId=FE!<uuid>&time=<ms>` query, pyaarlo's `xcloudId`; none of them is known to be needed.
   */
  async createCertificate(body: CertificateRequest, requester: CertificateRequester = {}): Promise<CertificateAnswer> {
    const query = new URLSearchParams({ eventId: `FE!${randomUUID()}`, time: String(Date.now()) });
    const answer = await this.#call('POST', `/hmsweb/users/devices/v2/security/cert/create?${query}`, body, {
      Origin: API_ORIGIN,
      Referer: `${API_ORIGIN}/`,
      ...(requester.clientDeviceId ? { 'x-user-device-id': requester.clientDeviceId } : {}),
      ...(requester.userId ? { 'x-forwarded-user': requester.userId } : {}),
      ...(requester.xCloudId ? { xcloudId: requester.xCloudId } : {}),
    });
    if (answer.status !== 401 && isNotOwnerRefusal(answer.status, answer.json)) {
      throw new ArloError('not-owner', ARLO_MESSAGES.notOwner);
    }
    return this.#data(answer, certificateSchema, 'Creating a certificate');
  }

  #call(method: 'GET' | 'POST', path: string, body?: unknown, deviceHeaders: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.http.send('api', method, path, {
      'Auth-Version': '2',
      Authorization: this.token,
      'Content-Type': 'application/json; charset=UTF-8',
      Accept: 'application/json',
      SchemaVersion: '1',
      ...deviceHeaders,
    }, body);
  }

  #data<T extends z.ZodType>(answer: HttpAnswer, schema: T, what: string): z.infer<T> {
    if (answer.status === 401) throw new ArloError('token-expired', ARLO_MESSAGES.tokenExpired);
    const envelope = envelopeOf(answer.json);
    if (!envelope) {
      throw new ArloError('unexpected', `${what} failed: the Arlo cloud answered HTTP ${answer.status} in a form this app does not know. Try again later.`);
    }
    if (!envelope.ok) {
      throw new ArloError('unexpected', `${what} failed: the Arlo cloud said "${envelope.failure ?? 'no reason given'}". Try again later.`);
    }
    const data = schema.safeParse(envelope.data);
    if (!data.success) {
      throw new ArloError('unexpected', `${what} failed: the Arlo cloud's answer is missing fields this app needs (${data.error.issues[0]?.path.join('.') || 'data'}).`);
    }
    return data.data;
  }
}
