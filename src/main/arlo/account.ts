// The Arlo account as the app uses it: sign-in (with MFA and trusted-device pairing) or a pasted
// token, the device list merged into the store, and certificate enrollment per base station.
// The AppApi service and the CLI both drive this one class.

import type { AccountView, EnrollOutcome, SignInStep } from '../../shared/api.js';
import type { Logger } from '../log.js';
import type { DataStore } from '../store/types.js';
import { derBase64ToPem } from '../enroll/certificate.js';
import { chooseIssuedCertificate, readDerBase64 } from '../enroll/issued.js';
import { generatePrivateKeyPem, publicKeyForCloud } from '../enroll/key-pair.js';
import { ENROLL_REASON_TEXT, enrollmentDecision } from '../enroll/policy.js';
import { ArloApiClient } from './api-client.js';
import { ArloAuthClient } from './auth-client.js';
import { findDevices, mergeDevices, type FoundDevices } from './devices.js';
import { endpointsFromEnv, type ArloEndpoints } from './endpoints.js';
import { ARLO_MESSAGES, ArloError, asArloError } from './errors.js';
import { ArloHttp } from './http.js';
import { SignIn, type SignedIn } from './sign-in.js';
import type { HttpTransport } from './transport.js';
import { formatDate } from '../../shared/dates.js';

export interface ArloAccountOptions {
  /** Defaults to ARLO_API_URL / ARLO_AUTH_URL, else Arlo's own hosts. */
  endpoints?: ArloEndpoints;
  timeoutMs?: number;
  /** How calls reach the cloud: the desktop passes Chromium's network stack; undici by default. */
  transport?: HttpTransport;
  pushPollMs?: number;
  pushTimeoutMs?: number;
  /** Told when the sign-in step changes on its own (a PUSH approved or timed out). */
  onSignInStep?: (step: SignInStep, error?: ArloError) => void;
}

const NOT_SIGNED_IN = 'Not signed in to Arlo: sign in or paste a token first.';

export class ArloAccount {
  readonly #http: ArloHttp;
  #signIn: SignIn | undefined;
  #cookiesLoaded = false;

  constructor(
    private readonly store: DataStore,
    private readonly log: Logger,
    private readonly options: ArloAccountOptions = {},
  ) {
    this.#http = new ArloHttp(options.endpoints ?? endpointsFromEnv(), {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.transport ? { transport: options.transport } : {}),
    });
  }

  get signInStep(): SignInStep {
    return this.#signIn?.step ?? { step: 'signed-out' };
  }

  async signIn(email: string, password: string): Promise<SignInStep> {
    this.#signIn?.cancel();
    const data = await this.store.read();
    await this.#prepare();
    this.#signIn = new SignIn({
      http: this.#http,
      clientDeviceId: data.settings.clientDeviceId,
      logger: this.log,
      onSignedIn: (result) => this.#keep(result),
      ...(this.options.onSignInStep ? { onStep: this.options.onSignInStep } : {}),
      ...(this.options.pushPollMs === undefined ? {} : { pushPollMs: this.options.pushPollMs }),
      ...(this.options.pushTimeoutMs === undefined ? {} : { pushTimeoutMs: this.options.pushTimeoutMs }),
    });
    return this.#signIn.start(email, password);
  }

  chooseFactor(factorId: string): Promise<SignInStep> {
    return this.#current().chooseFactor(factorId);
  }

  submitMfaCode(code: string): Promise<SignInStep> {
    return this.#current().submitCode(code);
  }

  /** Resolves when a pending PUSH approval ends (signed-in), or rejects (push-timeout, cancelled). */
  waitForPush(): Promise<SignInStep> {
    return this.#current().waitForPush();
  }

  cancelSignIn(): SignInStep {
    return this.#signIn?.cancel() ?? { step: 'signed-out' };
  }

  /** Signs in with a token taken from a browser session; checked with the device list before it is kept. */
  async useToken(token: string): Promise<SignInStep> {
    const trimmed = token.trim();
    if (!/^[\x21-\x7e]{16,}$/.test(trimmed)) {
      throw new ArloError('token-rejected', 'That does not look like an Arlo token: copy the whole Authorization value from a signed-in my.arlo.com session.');
    }
    const data = await this.store.read();
    await this.#prepare();
    const api = new ArloApiClient(this.#http, trimmed);
    try {
      await api.startSession();
      await api.devices();
    } catch (error) {
      // A pasted token Arlo refuses was never a sign-in of this app's: it did not "expire".
      if (error instanceof ArloError && error.code === 'token-expired') throw new ArloError('token-rejected', ARLO_MESSAGES.tokenRejected);
      throw error;
    }
    // The sign-in host may tell whose token it is; a pasted token is still usable when it does not.
    const auth = new ArloAuthClient(this.#http, data.settings.clientDeviceId);
    auth.useToken(trimmed);
    const userId = await auth.validate().catch(() => undefined);
    await this.store.secrets.set('arloToken', trimmed);
    await this.store.secrets.set('trustedBrowserCode', await this.#http.saveCookies());
    await this.store.update((d) => {
      d.account = userId ? { userId } : {};
    });
    this.#signIn?.cancel();
    this.log.info('Using a pasted Arlo token');
    return { step: 'signed-in' };
  }

  /** Forgets the token; keeps certificates, the key and the device trust (they outlive a sign-in). */
  async signOut(): Promise<void> {
    this.#signIn?.cancel();
    await this.store.secrets.delete('arloToken');
    await this.store.update((d) => {
      d.account = {};
    });
  }

  async accountView(now = Date.now()): Promise<AccountView> {
    const [data, token] = await Promise.all([this.store.read(), this.store.secrets.get('arloToken')]);
    const { email, userId, tokenExpiresAt } = data.account;
    return {
      signedIn: token !== undefined,
      ...(email ? { email } : {}),
      ...(userId ? { userId } : {}),
      ...(tokenExpiresAt !== undefined ? { tokenExpiresAt } : {}),
      tokenExpired: token !== undefined && tokenExpiresAt !== undefined && tokenExpiresAt <= now,
    };
  }

  /** One call that proves the stored token still works (doctor): opens its session/v3. */
  async checkSession(): Promise<void> {
    const { api } = await this.#api();
    await this.#guard(() => api.startSession());
  }

  /** Fetches the device list and capabilities and merges them into the store. */
  async refreshDevices(): Promise<FoundDevices> {
    const { api, userId } = await this.#api();
    const found = await this.#guard(() => findDevices(api, userId));
    await this.store.update((d) => mergeDevices(d, found));
    return found;
  }

  /**
   * Makes sure each base station (all by default) holds a certificate that fits our key, asking the
   * cloud only where the policy says so: each request with our uuid revokes that uuid's older ones.
   * Account-wide failures (expired token, network, bot protection) throw; per-station ones are outcomes.
   */
  async enroll(baseStationIds?: string[]): Promise<EnrollOutcome[]> {
    const found = await this.refreshDevices();
    const { api } = await this.#api();
    const data = await this.store.read();
    const wanted = baseStationIds ?? data.baseStations.map((b) => b.deviceId);
    const outcomes: EnrollOutcome[] = [];
    let privateKeyPem = await this.store.secrets.get('clientPrivateKey');

    for (const baseStationId of wanted) {
      const record = (await this.store.read()).baseStations.find((b) => b.deviceId === baseStationId);
      const station = found.baseStations.find((b) => b.deviceId === baseStationId);
      if (!record || !station) {
        outcomes.push({ baseStationId, result: 'failed', message: `Base station ${baseStationId} is not on this Arlo account: check the id with \`arlo-rtsp devices\`.` });
        continue;
      }
      const decision = enrollmentDecision(record, privateKeyPem, new Date());
      if (!decision.enroll) {
        outcomes.push({ baseStationId, result: 'already-enrolled', message: `${record.name}: already enrolled, certificate valid until ${record.certificateExpires ? formatDate(record.certificateExpires) : 'an unknown date'}; nothing to do.` });
        continue;
      }
      if (station.owned === false) {
        outcomes.push({ baseStationId, result: 'failed', message: `${record.name}: ${ARLO_MESSAGES.notOwner}` });
        continue;
      }
      if (!privateKeyPem) {
        privateKeyPem = await generatePrivateKeyPem();
        await this.store.secrets.set('clientPrivateKey', privateKeyPem);
        this.log.info('Created this installation\'s RSA-2048 key');
      }
      try {
        const answer = await this.#guard(() =>
          api.createCertificate(
            { uuid: data.settings.installationId, uniqueIds: [record.uniqueId], publicKey: publicKeyForCloud(privateKeyPem ?? '') },
            { clientDeviceId: data.settings.clientDeviceId, userId: data.account.userId, xCloudId: station.xCloudId },
          ),
        );
        const issued = chooseIssuedCertificate(answer.certsData, record, privateKeyPem);
        const icaCertPem = answer.icaCert === undefined || !readDerBase64(answer.icaCert) ? undefined : derBase64ToPem(answer.icaCert);
        await this.store.update((d) => {
          const target = d.baseStations.find((b) => b.deviceId === baseStationId);
          if (!target) return;
          target.certificatePem = issued.certificatePem;
          const chain = [issued.deviceCertPem, icaCertPem].filter((pem) => pem !== undefined);
          if (chain.length > 0) target.caChainPem = chain;
          else delete target.caChainPem;
          target.certificateExpires = issued.expires.toISOString();
          delete target.certificateRejected;
          delete target.certificateAccepted;
        });
        this.log.info({ baseStationId, reason: decision.reason }, 'Enrolled with a base station');
        const until = formatDate(issued.expires);
        const message = decision.reason === 'missing'
          ? `${record.name}: enrolled, certificate valid until ${until}.`
          : `${record.name}: enrolled again because ${ENROLL_REASON_TEXT[decision.reason]}; the new certificate is valid until ${until}.`;
        outcomes.push({ baseStationId, result: 'enrolled', message });
      } catch (error) {
        const arlo = asArloError(error, 'Enrollment');
        if (arlo.code === 'token-expired' || arlo.code === 'network' || arlo.code === 'bot-protection') throw arlo;
        outcomes.push({ baseStationId, result: 'failed', message: `${record.name}: ${arlo.message}` });
      }
    }
    return outcomes;
  }

  /** The stream engine calls this when a base station refuses our certificate at the handshake. */
  async markCertificateRejected(baseStationId: string): Promise<void> {
    await this.store.update((d) => {
      const target = d.baseStations.find((b) => b.deviceId === baseStationId);
      if (target) target.certificateRejected = true;
    });
  }

  async close(): Promise<void> {
    this.#signIn?.cancel();
    await this.#http.close();
  }

  #current(): SignIn {
    if (!this.#signIn) throw new ArloError('unexpected', 'No sign-in is in progress: start the sign-in first.');
    return this.#signIn;
  }

  /** pyaarlo's "needed for new session": session/v3 before anything else uses the token. */
  async #keep(result: SignedIn): Promise<void> {
    await new ArloApiClient(this.#http, result.token).startSession();
    await this.store.secrets.set('arloToken', result.token);
    // Every cookie the hosts set, the trusted-device mark among them.
    await this.store.secrets.set('trustedBrowserCode', await this.#http.saveCookies());
    await this.store.update((d) => {
      d.account = { email: result.email, userId: result.userId, tokenExpiresAt: result.expiresAt };
    });
    this.log.info({ userId: result.userId }, 'Signed in to Arlo');
  }

  /**
   * Readies the client for a call: this installation's identity (identity.ts), and the cookie jar
   * kept from earlier sessions, read once per process (it is saved after each sign-in).
   */
  async #prepare(): Promise<void> {
    this.#http.useUserAgent((await this.store.read()).settings.userAgent);
    if (this.#cookiesLoaded) return;
    await this.#http.loadCookies(await this.store.secrets.get('trustedBrowserCode'));
    this.#cookiesLoaded = true;
  }

  async #api(): Promise<{ api: ArloApiClient; userId: string | undefined }> {
    await this.#prepare();
    const [token, data] = await Promise.all([this.store.secrets.get('arloToken'), this.store.read()]);
    if (!token) throw new ArloError('token-expired', NOT_SIGNED_IN);
    const expiresAt = data.account.tokenExpiresAt;
    if (expiresAt !== undefined && expiresAt <= Date.now()) throw new ArloError('token-expired', ARLO_MESSAGES.tokenExpired);
    return { api: new ArloApiClient(this.#http, token), userId: data.account.userId };
  }

  /** Runs a cloud call; a 401 marks the stored token as gone so the UI can say so. */
  async #guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ArloError && error.code === 'token-expired') {
        const now = Date.now();
        await this.store.update((d) => {
          if (d.account.tokenExpiresAt === undefined || d.account.tokenExpiresAt > now) d.account.tokenExpiresAt = now;
        });
      }
      throw error;
    }
  }
}
