// The simulated API host (myapi.arlo.com, PROTOCOL.md §2): raw token in Authorization with
// Auth-Version 2, the `{success, data}` envelope, 401 for an expired token, devices, capabilities,
// and certificate creation that refuses non-owners and revokes a uuid's earlier certificates.

import { createPublicKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCertificateAuthority } from '../ca.js';
import { devicesOf, type SimDevice } from './fixtures.js';
import { header, readJson, sendJson } from './http-util.js';
import type { CloudState } from './state.js';

export interface ApiHostOptions {
  ca: SimCertificateAuthority;
  certificateValidDays: number;
  /** Devices and certificates only after GET /hmsweb/users/session/v3 with this token. */
  requireSessionV3: boolean;
  /** Failure text at the top level (`{success: false, message, reason}`) instead of under `data`. */
  topLevelErrors: boolean;
  /** The certificate answer without `deviceCert` and `icaCert`. */
  peerCertOnly: boolean;
  /** Capabilities documents by lower-case `{model}_{interfaceVersion}`. */
  capabilities: Record<string, unknown>;
  /** `certsData` as answered, from the entries issued (see SimCloudOptions.certsData). */
  certsData?: (entries: SimCertEntry[], tools: CertsDataTools) => unknown[];
  /** The device list as answered, from the account's devices. */
  deviceList: (devices: SimDevice[]) => unknown[];
  /** Every answer in the sign-in host's `{meta: {code, error, message}, data}` envelope. */
  metaEnvelope: boolean;
}

/** One entry of the certificate answer's `certsData`, as the real cloud shapes it (PROTOCOL.md §7). */
export interface SimCertEntry {
  uniqueId: string;
  peerCert: string;
  deviceCert?: string;
  certId: string;
}

export interface CertsDataTools {
  /** Issues another real certificate from the cloud's CA for `uniqueId` on `publicKey` (base64 DER SPKI). */
  issue(uniqueId: string, publicKey: string): SimCertEntry;
  /** The public key of the request being answered. */
  publicKey: string;
}

export function apiHost(state: CloudState, options: ApiHostOptions) {
  const failure = (res: ServerResponse, status: number, error: string, message: string) =>
    sendJson(res, status, options.metaEnvelope
      ? { meta: { code: status, error: Number(error), message } }
      : options.topLevelErrors
        ? { success: false, error, message, reason: message }
        : { success: false, data: { error, message, reason: message } });
  const success = (res: ServerResponse, data: unknown) =>
    sendJson(res, 200, options.metaEnvelope ? { meta: { code: 200 }, data } : { success: true, data });
  const caDer = pemToDerBase64(options.ca.certificatePem);
  const intermediateDer = pemToDerBase64(options.ca.intermediatePem);

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const capabilities = /^\/resources\/capabilities\/([^/]+)\/([^/]+)\.json$/.exec(url.pathname);
    if (req.method === 'GET' && capabilities) {
      const [, model, file] = capabilities;
      const document = model && file?.startsWith(`${model}_`) ? options.capabilities[file] : undefined;
      // The real host serves these from lower-case paths only.
      if (!document || !model || model !== model.toLowerCase()) return failure(res, 404, '404', 'Not found');
      return sendJson(res, 200, document);
    }

    if (header(req, 'auth-version') !== '2' || header(req, 'accept') !== 'application/json') {
      return failure(res, 400, '2001', 'Missing Auth-Version or Accept header');
    }
    const record = state.token(header(req, 'authorization'));
    if (!record || !record.full) return failure(res, 401, '2015', 'Your session has expired. Please log in.');
    const account = state.account(record.userId);
    if (!account) return failure(res, 401, '2015', 'Your session has expired. Please log in.');
    const owner = account.sharedFrom ? state.account(account.sharedFrom) : account;
    const devices: SimDevice[] = owner ? devicesOf(owner) : [];

    if (req.method === 'GET' && url.pathname === '/hmsweb/users/session/v3') {
      record.sessionStarted = true;
      return success(res, { userId: account.userId, supportsMultiLocation: false });
    }
    if (options.requireSessionV3 && !record.sessionStarted) {
      return failure(res, 400, '2017', 'No session: start one with /hmsweb/users/session/v3 first');
    }

    if (req.method === 'GET' && url.pathname === '/hmsweb/v2/users/devices') {
      return success(res, options.deviceList(devices));
    }

    if (req.method === 'POST' && url.pathname === '/hmsweb/users/devices/v2/security/cert/create') {
      if (!/^application\/json/i.test(header(req, 'content-type') ?? '')) return failure(res, 400, '2001', 'Content-Type must be JSON');
      const body = await readJson(req);
      const uuid = body?.uuid;
      const uniqueIds = body?.uniqueIds;
      const publicKey = body?.publicKey;
      if (typeof uuid !== 'string' || uuid.length === 0 || !Array.isArray(uniqueIds) || uniqueIds.length === 0 || typeof publicKey !== 'string') {
        return failure(res, 400, '2002', 'uuid, uniqueIds and publicKey are required');
      }
      if (!isRsa2048SpkiBase64(publicKey)) {
        return failure(res, 400, '2003', 'publicKey must be the base64 DER SubjectPublicKeyInfo of an RSA-2048 key');
      }
      const targets = uniqueIds.map((id) => devices.find((d) => d.uniqueId === id && d.deviceId === d.parentId));
      if (targets.some((t) => t === undefined)) return failure(res, 400, '2004', 'Unknown device in uniqueIds');
      if (targets.some((t) => t?.owner.ownerId !== account.userId)) {
        return failure(res, 403, '2214', 'Access denied: only the owner of the device can create certificates');
      }
      // Scrypted's extras (PROTOCOL.md §7) are optional; when sent they must be right [guess: a browser's always are].
      const forwardedUser = header(req, 'x-forwarded-user');
      if (forwardedUser !== undefined && forwardedUser !== account.userId) return failure(res, 400, '2006', 'x-forwarded-user does not name the signed-in user');
      const eventId = url.searchParams.get('eventId');
      if (eventId !== null && !/^FE![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(eventId)) return failure(res, 400, '2007', 'eventId must be FE!<uuid>');
      const time = url.searchParams.get('time');
      if (time !== null && !/^\d{13}$/.test(time)) return failure(res, 400, '2007', 'time must be milliseconds since 1970');
      // Optional (Scrypted and the POC send none); when sent it must name the base station [guess: the cloud routes by it].
      const xcloudId = header(req, 'xcloudid');
      if (xcloudId !== undefined && targets.some((t) => t?.xCloudId !== xcloudId)) {
        return failure(res, 400, '2005', 'xcloudId does not match the device');
      }
      const entry = (uniqueId: string, key: string): SimCertEntry => {
        const issued = options.ca.issueClientCertificate(key, { commonName: uuid, validDays: options.certificateValidDays, forDevice: uniqueId });
        const peerCert = issued.der.toString('base64');
        return { uniqueId, peerCert, ...(options.peerCertOnly ? {} : { deviceCert: intermediateDer }), certId: issued.serial };
      };
      const issuedNow = (uniqueIds as string[]).map((uniqueId) => {
        // A uuid enrolling again replaces its earlier certificate for that base station [claim].
        for (const earlier of state.issued.filter((i) => i.uuid === uuid && i.uniqueId === uniqueId)) {
          options.ca.revoke(earlier.serial);
        }
        const made = entry(uniqueId, publicKey);
        state.issued.push({ uuid, uniqueId, serial: made.certId, userId: account.userId, ...(xcloudId === undefined ? {} : { xcloudId }) });
        return made;
      });
      const certsData = options.certsData ? options.certsData(issuedNow, { issue: entry, publicKey }) : issuedNow;
      return success(res, options.peerCertOnly ? { certsData } : { certsData, icaCert: caDer });
    }

    return failure(res, 404, '404', 'Not found');
  };
}

function pemToDerBase64(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

/** Strict like the real service: bare base64 (no armour, no newlines) of an RSA-2048 SPKI. */
function isRsa2048SpkiBase64(value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'rsa' && key.asymmetricKeyDetails?.modulusLength === 2048;
  } catch {
    return false;
  }
}
