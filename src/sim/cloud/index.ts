// The simulated Arlo cloud: two real HTTP servers on 127.0.0.1, one per Arlo host, sharing one
// memory. Tests and the demo point the app at them with ARLO_API_URL / ARLO_AUTH_URL.
//
//   const cloud = await startSimCloud({ tokenTtlMs: 1000 });
//   process.env.ARLO_API_URL = cloud.apiUrl; process.env.ARLO_AUTH_URL = cloud.authUrl;
//   cloud.lastCode(cloud.accounts.mfa.email);   // the code "sent" by email or SMS
//   await cloud.close();

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimCertificateAuthority } from '../ca.js';
import { apiHost, type CertsDataTools, type SimCertEntry } from './api-host.js';
import { authHost } from './auth-host.js';
import { BASE_STATION_CAPABILITIES, CAPABILITIES, defaultAccounts, devicesOf, type SimAccount, type SimAccounts, type SimDevice } from './fixtures.js';
import { header, sendTooManyRequests, sendWafBlock } from './http-util.js';
import { CloudState, RECORDED_HEADERS, type IssuedRecord, type SentCode, type SimRequest } from './state.js';

export { SIM_PASSWORD, stationCamerasOf, type SimAccount, type SimDevice } from './fixtures.js';
export type { SentCode, SimRequest } from './state.js';
export type { CertsDataTools, SimCertEntry } from './api-host.js';

export interface SimCloudOptions {
  /** The CA that issues client certificates; the simulated base station must trust the same one. */
  ca?: SimCertificateAuthority;
  /** Lifetime of issued tokens (default 2 hours, like Arlo's). */
  tokenTtlMs?: number;
  /** Lifetime of a verification code or push request (default 5 minutes). */
  codeTtlMs?: number;
  /** finishAuth polls before the `push` account's approval arrives (default 2). `pushNever` never approves. */
  pushApprovedAfterPolls?: number;
  /** Answer every request as a bot-protection firewall would (403 + HTML). */
  botProtection?: boolean;
  /**
   * Answer every request with HTTP 429 before sign-in starts, as Arlo's bot protection answers
   * clients whose TLS does not look like a browser's (hass-aarlo PR #1143, PROTOCOL.md §7).
   */
  tooManyRequests?: boolean;
  /**
   * getFactorId finds the browser trusted, then startAuth with that BROWSER factor answers 9204
   * "Browser is not trusted": the trust lapsed in between (hass-aarlo #978).
   */
  trustLapsesAtStartAuth?: boolean;
  /** startAuth of an EMAIL, SMS or PUSH factor answers 400 / 9261 "Invalid factor data" (hass-aarlo #1106, #1110). */
  invalidFactorData?: boolean;
  /**
   * A firewall that lets browsers through: a request without the browser header set (Accept-Language,
   * Cache-Control/Pragma no-cache, a Mozilla User-Agent), or a sign-in POST without its OPTIONS
   * preflight just before, gets the 403 HTML page.
   */
  requireBrowser?: boolean;
  /**
   * What the device list answers instead of the fixtures' devices (each as it would be sent): tests
   * change a model or send odd `properties`. Certificates and capabilities still go by the fixtures.
   */
  deviceList?: (devices: SimDevice[]) => unknown[];
  /**
   * The device list sends null for what a device has no value for, instead of leaving it out, as
   * JSON from nullable columns does: the base station's `parentId` (it has no parent) and `properties`.
   */
  nullFields?: boolean;
  /** The device list and certificate creation refuse a token until GET /hmsweb/users/session/v3 (pyaarlo: "needed for new session"). */
  requireSessionV3?: boolean;
  /** The name of the trusted-device cookie startPairingFactor sets (default `browser_trust_<userId prefix>`). */
  trustCookieName?: string;
  /** Failures carry message/reason at the top level of the body, not under `data`/`meta` (pyaarlo reads both). */
  topLevelErrors?: boolean;
  /**
   * /api/auth says whether a verification is needed only as `MFA_State: 'ENABLED' | 'DISABLED'`,
   * without `authCompleted` (Scrypted reads nothing else).
   */
  mfaStateOnly?: boolean;
  /** Token answers carry `expiresIn` and `issued` as decimal strings (neither Python client does arithmetic on them). */
  numbersAsStrings?: boolean;
  /**
   * The sign-in host answers in the API host's envelope, `{success, data}`, with a failure's `error`
   * and `message` under `data`; pyaarlo and Scrypted read either envelope from either host.
   */
  authSuccessEnvelope?: boolean;
  /**
   * What getFactors lists instead of the account's factors (each as sent, with `factorRole`): tests
   * add a method this app cannot use or send odd nicknames. Verification still goes by the fixtures.
   */
  factorList?: (factors: unknown[]) => unknown[];
  /**
   * The base station's capabilities document instead of the fixture's (which lists
   * `sipLiveStream: {supported}`): tests leave sipLiveStream out or shape it otherwise.
   */
  baseStationCapabilities?: unknown;
  certificateValidDays?: number;
  /** The certificate answer carries only `peerCert` (no `deviceCert`, no `icaCert`): all a client needs for mutual TLS. */
  peerCertOnly?: boolean;
  /**
   * `certsData` answers a certificate for another base station of the account first and the one asked
   * for second (the cloud answers a list keyed by `uniqueId`, PROTOCOL.md §7). The other certificate is
   * real, on the same key and CA, and issued for that other base station: a base station told its
   * uniqueId (SimBaseStationOptions.uniqueId) refuses it.
   */
  otherBaseStationCertFirst?: boolean;
  /**
   * What `certsData` answers instead of the entries issued (one per uniqueId asked, each a real
   * certificate); `tools.issue` makes more. Tests damage, reorder or add entries. Applied after
   * `otherBaseStationCertFirst`.
   */
  certsData?: (entries: SimCertEntry[], tools: CertsDataTools) => unknown[];
  /**
   * The API host answers in the envelope the sign-in host uses, `{meta: {code, error, message}, data}`
   * (an endpoint moved to the newer style); pyaarlo and Scrypted read either envelope from either host.
   */
  metaEnvelope?: boolean;
  /**
   * The API host has moved: every request is answered with this redirect status and a `Location`
   * of `location(pathAndQuery)` (default: the same path under `/moved` on this host, where it is served).
   */
  apiRedirect?: { status: 301 | 302 | 303 | 307 | 308; location?: (pathAndQuery: string) => string };
  /** Called with each verification code as it is "sent" by email or SMS (the demo prints them). */
  onCodeSent?: (sent: SentCode) => void;
}

export interface SimCloud {
  apiUrl: string;
  authUrl: string;
  ca: SimCertificateAuthority;
  accounts: SimAccounts;
  /** The devices an account sees (the owner's, for a shared account). */
  devicesOf(account: SimAccount): SimDevice[];
  /** The last code sent to this email address (EMAIL or SMS factor). */
  lastCode(email: string): string | undefined;
  /** Every certificate issued, in order. */
  issued: readonly IssuedRecord[];
  /** Every request as received; `authorized` when it carried an Authorization header. */
  requests: readonly SimRequest[];
  setBotProtection(on: boolean): void;
  setTooManyRequests(on: boolean): void;
  /** Makes every token issued so far expire now. */
  expireTokens(): void;
  /** Every token needs session/v3 again (with `requireSessionV3`). */
  forgetSessions(): void;
  close(): Promise<void>;
}

export async function startSimCloud(options: SimCloudOptions = {}): Promise<SimCloud> {
  const ca = options.ca ?? (await SimCertificateAuthority.create());
  const accounts = defaultAccounts();
  const state = new CloudState(Object.values(accounts), options.tokenTtlMs ?? 2 * 60 * 60 * 1000, options.onCodeSent);
  let botProtection = options.botProtection ?? false;
  let tooManyRequests = options.tooManyRequests ?? false;
  const pushApprovals = new Map([[accounts.push.email, options.pushApprovedAfterPolls ?? 2]]);

  /** Paths each client (X-User-Device-Id) preflighted and has not POSTed yet. */
  const preflighted = new Set<string>();
  const serve = (host: 'auth' | 'api', handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    createServer((req, res) => {
      const [path = '', query = ''] = (req.url ?? '').split('?');
      const headers = Object.fromEntries(RECORDED_HEADERS.flatMap((name) => {
        const value = header(req, name);
        return value === undefined ? [] : [[name, value]];
      }));
      state.requests.push({ host, method: req.method ?? '', path, query, authorized: header(req, 'authorization') !== undefined, headers });
      if (host === 'api' && options.apiRedirect) {
        const { status, location = (at: string) => `${MOVED}${at}` } = options.apiRedirect;
        if (!req.url?.startsWith(MOVED)) return void res.writeHead(status, { Location: location(req.url ?? '/') }).end();
        req.url = req.url.slice(MOVED.length);
      }
      if (botProtection) return sendWafBlock(res);
      if (tooManyRequests) return sendTooManyRequests(res);
      if (options.requireBrowser && !looksLikeBrowser(req)) return sendWafBlock(res);
      const preflight = `${header(req, 'x-user-device-id') ?? ''} ${path}`;
      if (req.method === 'OPTIONS') {
        preflighted.add(preflight);
        res.writeHead(204, {
          'Access-Control-Allow-Origin': 'https://my.arlo.com',
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Allow-Methods': 'GET, POST, PUT, OPTIONS',
          'Access-Control-Allow-Headers': '*',
        });
        res.end();
        return;
      }
      if (host === 'auth' && req.method === 'POST' && options.requireBrowser && !preflighted.delete(preflight)) return sendWafBlock(res);
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  const topLevelErrors = options.topLevelErrors ?? false;
  const authServer = serve('auth', authHost(state, {
    codeTtlMs: options.codeTtlMs ?? 5 * 60 * 1000,
    pushApprovals,
    topLevelErrors,
    mfaStateOnly: options.mfaStateOnly ?? false,
    numbersAsStrings: options.numbersAsStrings ?? false,
    successEnvelope: options.authSuccessEnvelope ?? false,
    trustLapsesAtStartAuth: options.trustLapsesAtStartAuth ?? false,
    invalidFactorData: options.invalidFactorData ?? false,
    ...(options.factorList ? { factorList: options.factorList } : {}),
    ...(options.trustCookieName ? { trustCookieName: options.trustCookieName } : {}),
  }));
  const apiServer = serve('api', apiHost(state, {
    ca,
    certificateValidDays: options.certificateValidDays ?? 365,
    requireSessionV3: options.requireSessionV3 ?? false,
    topLevelErrors,
    peerCertOnly: options.peerCertOnly ?? false,
    capabilities: options.baseStationCapabilities === undefined ? CAPABILITIES : { ...CAPABILITIES, [BASE_STATION_CAPABILITIES]: options.baseStationCapabilities },
    ...(options.otherBaseStationCertFirst || options.certsData ? { certsData: certsDataOf(options) } : {}),
    metaEnvelope: options.metaEnvelope ?? false,
    deviceList: (devices) => {
      const listed = options.deviceList ? options.deviceList(devices) : devices;
      return options.nullFields ? listed.map(withNulls) : listed;
    },
  }));
  const [authUrl, apiUrl] = await Promise.all([listen(authServer), listen(apiServer)]);

  return {
    apiUrl,
    authUrl,
    ca,
    accounts,
    devicesOf: (account) => devicesOf(account.sharedFrom ? (state.account(account.sharedFrom) ?? account) : account),
    lastCode: (email) => state.sent.filter((s) => s.email === email).at(-1)?.code,
    issued: state.issued,
    requests: state.requests,
    setBotProtection: (on) => {
      botProtection = on;
    },
    setTooManyRequests: (on) => {
      tooManyRequests = on;
    },
    expireTokens: () => {
      for (const record of state.tokens.values()) record.expiresAt = 0;
    },
    forgetSessions: () => {
      for (const record of state.tokens.values()) record.sessionStarted = false;
    },
    close: async () => {
      await Promise.all([closeServer(authServer), closeServer(apiServer)]);
    },
  };
}

/** The certificate answer's `certsData` as `otherBaseStationCertFirst` and `certsData` shape it. */
function certsDataOf(options: SimCloudOptions): (entries: SimCertEntry[], tools: CertsDataTools) => unknown[] {
  return (entries, tools) => {
    const listed = options.otherBaseStationCertFirst
      ? [...entries.map((entry) => tools.issue(`${entry.uniqueId}-OTHER`, tools.publicKey)), ...entries]
      : entries;
    return options.certsData ? options.certsData(listed, tools) : listed;
  };
}

/** A device-list entry as `nullFields` sends it. */
function withNulls(entry: unknown): unknown {
  const device = entry as { deviceType?: unknown };
  return device.deviceType === 'basestation' ? { ...device, parentId: null, properties: null } : entry;
}

/** Where `apiRedirect` sends requests by default, on the API host itself. */
const MOVED = '/moved';

/** The headers my.arlo.com's browser sends and a firewall checks for (pyaarlo's header set). */
function looksLikeBrowser(req: IncomingMessage): boolean {
  return /^Mozilla\//.test(header(req, 'user-agent') ?? '')
    && header(req, 'accept-language') !== undefined
    && header(req, 'cache-control') === 'no-cache'
    && header(req, 'pragma') === 'no-cache';
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
