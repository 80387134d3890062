// The app: owns the store, the Arlo account, discovery and the stream engine, implements AppApi
// for both shells, and publishes AppState. Everything a shell does goes through here.

import { isIP } from 'node:net';
import type {
  AppApiClient,
  AppState,
  CameraPicture,
  CertificateWarning,
  CameraView,
  DiagnoseRequest,
  Diagnosis,
  EnrollOutcome,
  SettingsPatch,
  SettingsView,
  SignInStep,
  UsageNotice,
  UpdateView,
  VideoCodec,
} from '../shared/api.js';
import { MIN_LAN_PASSWORD_LENGTH } from '../shared/api.js';
import { ArloAccount } from './arlo/account.js';
import { certificateWarning } from './enroll/lifetime.js';
import { CertificateRenewal } from './enroll/renewal.js';
import type { ArloEndpoints } from './arlo/endpoints.js';
import type { HttpTransport } from './arlo/transport.js';
import { localStreamingNotListed } from './arlo/devices.js';
import { discoverBaseStations, mergeDiscovered, type DiscoverOptions, type DiscoveredBaseStation } from './discovery/mdns.js';
import { probeTls } from './discovery/tls-probe.js';
import { diagnose, diagnoseRequestSchema } from './doctor/engine.js';
import { heldSessionsOf } from './doctor/live-session.js';
import { AppError } from './errors.js';
import type { Logger } from './log.js';
import { ARLO_RTSP_PORT } from './rtsp/url.js';
import { forgetPin, pinOf, storePin, urlHostNamingOf } from './store/base-stations.js';
import { openDataStore, type SettingsDocument } from './store/data-store.js';
import type { AppData, BaseStationRecord, CameraRecord, DataStore, SecretStore } from './store/types.js';
import type { StreamErrorCode } from './stream/errors.js';
import { checkPin, isPinned, type PeerIdentity } from './stream/identity.js';
import { StreamManager, viewerUrl, type EndpointOptions } from './stream/manager.js';
import { isLoopbackAddress } from '../shared/net.js';
import { hostProblem, portProblem } from '../shared/address.js';
import { formatDateTime } from '../shared/dates.js';
import type { CameraMedia } from './live/media.js';
import { DEFAULT_BATTERY_WARN_MINUTES, powerOf, usageNotice, type BatteryBudget } from './usage/battery.js';
import { StreamingTime } from './usage/streaming-time.js';
import { takeSnapshot } from './live/snapshot.js';
import { cameraStreamViews, pictureSizeOfSdp } from './transcode/views.js';
import { checkSubStreamFps, checkSubStreamWidth, subStreamSettings } from './transcode/settings.js';
import { Transcoding } from './transcode/transcoding.js';
import { STREAM_PATH_SUFFIX, type CameraStreamKind } from '../shared/streams.js';
import { watchLive, type LiveOptions, type LiveSink } from './live/watch.js';
import { OnvifBridge } from './onvif/bridge.js';
import type { OnvifCredentials } from './onvif/auth.js';

export interface AppServiceOptions {
  dataDir: string;
  /** `dataDir` also holds the shell's own files (Electron's userData): adopted although not empty. */
  sharedDataDir?: boolean;
  /** `arlo-rtsp demo`'s service: the data dir is marked as the demo's (see OpenDataStoreOptions.demo). */
  demo?: boolean;
  /** Encrypts secrets at rest headless (ARLO_RTSP_PASSPHRASE). */
  passphrase?: string;
  /** A keychain-backed store (the desktop shell's); overrides the passphrase store. */
  secrets?: SecretStore;
  /** What reads and writes settings.json (the desktop's electron-store); else our own writer. */
  settingsDocument?: SettingsDocument;
  logger: Logger;
  shell: 'desktop' | 'web';
  /** Where the Arlo cloud lives; defaults to ARLO_API_URL / ARLO_AUTH_URL, else Arlo's own hosts. */
  arloEndpoints?: ArloEndpoints;
  /** How calls reach the Arlo cloud (the desktop's Chromium network stack); Node's undici by default. */
  arloTransport?: HttpTransport;
  /** The ffmpeg that decodes snapshots (`--ffmpeg`); else the one on PATH. */
  ffmpegPath?: string;
  /** How this shell installs a downloaded update (the desktop's updater); absent where it cannot. */
  restartToUpdate?: () => Promise<void>;
  /** How this shell opens a URL in a player; absent where it cannot (the web UI). */
  openInPlayer?: (url: string) => Promise<void>;
  /** Command-line choices, saved as settings so the next start keeps them. */
  overrides?: {
    listenAddress?: string;
    portBase?: number;
    requireAccessToken?: boolean;
    baseStationAddresses?: Record<string, { host: string; port?: number }>;
    onvif?: boolean;
    /** Cameras whose ONVIF device gets an address of its own (deviceId → IP). */
    onvifAddresses?: Record<string, string>;
  };
  /**
   * Browse mDNS for base stations without a typed address at start and on refresh (on every
   * interface by default); `false` turns it off, which tests do: they never multicast off loopback.
   */
  discovery?: false | Omit<DiscoverOptions, 'timeoutMs' | 'signal'>;
}

export interface AppService extends AppApiClient, CameraMedia {
  /** What the shell's updater found, for the state (the desktop's; see UpdateView). */
  setUpdate(update: UpdateView | undefined): void;
  /** The computer is going to sleep (the desktop's powerMonitor): streaming time stops counting. */
  suspended(): Promise<void>;
  /** The computer woke: live base-station sessions are replaced at once (the base station dropped them). */
  resumed(): Promise<void>;
  close(): Promise<void>;
}

export async function createAppService(options: AppServiceOptions): Promise<AppService> {
  const store = await openDataStore(options.dataDir, {
    passphrase: options.passphrase,
    secrets: options.secrets,
    ...(options.settingsDocument ? { document: options.settingsDocument } : {}),
    logger: options.logger,
    ...(options.sharedDataDir ? { sharedDir: true } : {}),
    ...(options.demo ? { demo: true } : {}),
  });
  const service = new Service(store, options);
  await service.init();
  return service;
}

const BASE_STATION_PORT = ARLO_RTSP_PORT;
/** The engine's failures the service reacts to. */
type UpstreamFailure = Extract<StreamErrorCode, 'unreachable' | 'fingerprint-changed' | 'certificate-rejected'>;
const DISCOVERY_TIMEOUT_MS = 3000;
/** A base station that keeps failing is browsed for at most this often. */
const FOLLOW_INTERVAL_MS = 10_000;

class Service implements AppService {
  readonly #store: DataStore;
  readonly #options: AppServiceOptions;
  readonly #log: Logger;
  readonly #account: ArloAccount;
  readonly #streams: StreamManager;
  readonly #transcoding: Transcoding;
  readonly #certificates: CertificateRenewal;
  readonly #listeners = new Set<(state: AppState) => void>();
  readonly #warnings: string[] = [];
  /** Per base station, what the app did on its own that the UI should say (re-enrolled, moved). */
  readonly #notices = new Map<string, string>();
  /** Per base station, the certificate an automatic re-enrollment brought: refused too, it is left to the user. */
  readonly #autoEnrolled = new Map<string, string | undefined>();
  /** Per base station, when the last browse after a failure started (and whether one is running). */
  readonly #following = new Map<string, { at: number; running: boolean }>();
  #streamingTime: StreamingTime | undefined;
  /** Per battery camera, its daily budget (read from the data whenever it is read). */
  readonly #budgets = new Map<string, BatteryBudget>();
  /** Each camera's last picture taken while this app runs, so a card shows it again after a page reload. */
  readonly #lastPictures = new Map<string, CameraPicture>();
  #update: UpdateView | undefined;
  /** The viewers' password, decrypted once and written through on change (the state needs it for every URL). */
  #lanPasswordCache: { value: string | undefined } | undefined;
  #onvif: OnvifBridge | undefined;

  constructor(store: DataStore, options: AppServiceOptions) {
    this.#store = store;
    this.#options = options;
    this.#log = options.logger;
    this.#account = new ArloAccount(store, options.logger, {
      ...(options.arloEndpoints ? { endpoints: options.arloEndpoints } : {}),
      ...(options.arloTransport ? { transport: options.arloTransport } : {}),
      // A PUSH approved on the phone ends the sign-in without a call from the UI.
      onSignInStep: (step) => void this.#signedInStep(step),
    });
    this.#streams = new StreamManager({ logger: options.logger });
    this.#transcoding = new Transcoding({ ffmpeg: options.ffmpegPath, logger: options.logger, onChange: () => this.#publish() });
    this.#streams.on('described', (deviceId, sdpText) => void this.#rememberSdp(deviceId, 'native', sdpText));
    this.#certificates = new CertificateRenewal({
      store,
      logger: options.logger,
      canEnroll: async () => {
        const account = await this.#account.accountView();
        return account.signedIn && !account.tokenExpired;
      },
      enroll: (ids) => this.enroll(ids),
      changed: () => this.#publish(),
    });
    this.#streams.on('change', () => {
      this.#publish();
      void this.#streamingTime?.changed().catch((error: unknown) => this.#log.warn({ err: String(error) }, 'could not save streaming time'));
    });
    // An answer with a Nonce after the handshake: the base station accepted our certificate.
    this.#streams.on('identityPinned', (baseStationId: string, identity: PeerIdentity) => {
      void this.#updateBaseStation(baseStationId, (b) => {
        storePin(b, identity);
        b.certificateAccepted = true;
      });
    });
    this.#streams.on('urlHostWorked', (baseStationId, outcome) => {
      void this.#updateBaseStation(baseStationId, (b) => {
        b.urlHostForm = outcome.used.form;
      });
    });
    // The engine's reports of a failing base station, each to one reaction (#onUpstreamFailure).
    this.#streams.on('unreachable', (baseStationId) => this.#react(baseStationId, 'unreachable'));
    this.#streams.on('fingerprintChanged', (baseStationId) => this.#react(baseStationId, 'fingerprint-changed'));
    this.#streams.on('certificateRejected', (baseStationId) => this.#react(baseStationId, 'certificate-rejected'));
  }

  async init(): Promise<void> {
    const { overrides } = this.#options;
    if (overrides) {
      await this.#store.update((data) => {
        if (overrides.listenAddress) data.settings.listenAddress = checkListenAddress(overrides.listenAddress);
        if (overrides.portBase !== undefined) reassignPorts(data, checkPortBase(overrides.portBase));
        if (overrides.requireAccessToken !== undefined) data.settings.requireAccessToken = overrides.requireAccessToken;
        for (const [id, address] of Object.entries(overrides.baseStationAddresses ?? {})) {
          const record = data.baseStations.find((b) => b.deviceId === id);
          if (!record) throw new AppError('unknown-base-station', `No base station with id ${id} is known: run "arlo-rtsp devices" to list them.`);
          Object.assign(record, { host: address.host, port: address.port ?? BASE_STATION_PORT, addressSource: 'typed' });
        }
        if (overrides.onvif !== undefined) data.settings.onvif = overrides.onvif;
        for (const [id, address] of Object.entries(overrides.onvifAddresses ?? {})) {
          findCamera(data, id);
          if (isIP(address) === 0) throw new AppError('invalid-setting', `The ONVIF address "${address}" of camera ${id} is not an IP address.`);
          data.settings.onvifAddresses[id] = address;
        }
      });
    }
    if (this.#store.secrets.warning) this.#warnings.push(this.#store.secrets.warning);
    if (this.#options.discovery !== false) await this.#discover();
    // The encoder is probed once, in the background, so the UI shows it before a derived stream runs.
    void this.#transcoding.encoder();
    await this.#certificates.start();
    this.#streamingTime = await StreamingTime.start({
      store: {
        load: async () => (await this.#store.read()).streamingTime ?? {},
        save: async (usage) => {
          await this.#store.update((d) => { d.streamingTime = usage; });
        },
      },
      streaming: () => this.#streams.runtimes().filter((r) => r.state === 'media').map((r) => r.deviceId),
    });
    const data = await this.#store.read();
    this.#rememberBudgets(data);
    // ONVIF follows every published state; the viewer credentials are the RTSP ports' own.
    const onvif = new OnvifBridge({ logger: this.#log, installationId: data.settings.installationId, snapshot: (id, options) => this.snapshot(id, options) });
    this.#onvif = onvif;
    this.subscribe((state) => void this.#viewerCredentials(state.settings.lanUsername).then((credentials) => onvif.apply(state, credentials)));
    for (const camera of data.cameras.filter((c) => c.running)) {
      await this.startCamera(camera.deviceId).catch((error: unknown) => {
        this.#log.warn({ deviceId: camera.deviceId, err: String(error) }, 'could not resume camera');
      });
    }
  }

  // ---- state ----

  /** Every state published from now on; the current one is `getState()`'s (callers take both). */
  subscribe(listener: (state: AppState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async getState(): Promise<AppState> {
    const data = await this.#store.read();
    this.#rememberBudgets(data);
    const lanPassword = await this.#lanPassword();
    return {
      account: await this.#account.accountView(),
      signIn: this.#account.signInStep,
      baseStations: data.baseStations.map((b) => ({
        deviceId: b.deviceId,
        name: b.name,
        model: b.model,
        host: b.host,
        port: b.port,
        addressSource: b.addressSource,
        ...(b.announcedPort !== undefined && b.announcedPort !== b.port ? { announcedPort: b.announcedPort } : {}),
        ...(b.pinnedFingerprint ? { pinnedFingerprint: b.pinnedFingerprint } : {}),
        enrolled: Boolean(b.certificatePem) && !b.certificateRejected,
        certificateExpires: b.certificateExpires,
        ...withCertificateWarning(b),
        error: b.certificateRejected ? 'The base station refused our certificate: enroll again.' : undefined,
        ...(this.#notices.has(b.deviceId) ? { notice: this.#notices.get(b.deviceId) } : {}),
        ...(b.localStreaming === false ? { localStreamingNotListed: localStreamingNotListed(b.localStreamingSaid) } : {}),
      })),
      cameras: await Promise.all(data.cameras.map((c) => this.#cameraView(c, data))),
      settings: settingsView(data, lanPassword !== undefined),
      transcoder: this.#transcoding.view(),
      warnings: [...this.#warnings],
      shell: this.#options.shell,
      ...(this.#update ? { update: this.#update } : {}),
    };
  }

  async #cameraView(camera: CameraRecord, data: AppData): Promise<CameraView> {
    const runtime = this.#streams.runtime(camera.deviceId);
    const url = runtime?.url ?? viewerUrl({
      deviceId: camera.deviceId,
      listenAddress: data.settings.listenAddress,
      port: camera.port,
      credentials: await this.#lanCredentials(data),
    });
    const power = powerOf(camera);
    return {
      deviceId: camera.deviceId,
      name: camera.name,
      model: camera.model,
      baseStationId: camera.baseStationId,
      codecs: camera.codecs,
      codec: camera.codec,
      port: camera.port,
      url,
      streams: cameraStreamViews({
        deviceId: camera.deviceId,
        codec: camera.codec,
        url,
        size: pictureSizeOfSdp(knownSdpOf(camera, 'native')),
        sub: subStreamSettings(data),
        runtime: (kind) => runtime?.paths[kind],
      }),
      running: runtime?.running ?? false,
      state: runtime?.state ?? 'idle',
      error: runtime?.error,
      waitReason: runtime?.waitReason,
      retryAt: runtime?.retryAt,
      viewers: runtime?.viewers ?? 0,
      bytesIn: runtime?.bytesIn ?? 0,
      bytesOut: runtime?.bytesOut ?? 0,
      bitrate: runtime?.bitrate ?? 0,
      upstreamSessions: runtime?.upstreamSessions ?? 0,
      reconnects: runtime?.reconnects ?? 0,
      packetsDropped: runtime?.packetsDropped ?? 0,
      streamingToday: Math.round(this.#streamingTime?.today(camera.deviceId) ?? 0),
      streamingWeek: Math.round(this.#streamingTime?.week(camera.deviceId) ?? 0),
      battery: power.battery,
      batterySource: power.source,
      usageNotice: this.#usageNotice(camera.deviceId),
      keepAliveFailures: runtime?.keepAliveFailures ?? 0,
      mediaSilences: runtime?.mediaSilences ?? 0,
      authFailures: runtime?.authFailures ?? 0,
    };
  }

  // ---- battery budget ----

  #rememberBudgets(data: AppData): void {
    this.#budgets.clear();
    const budget: BatteryBudget = {
      warnMinutes: data.settings.batteryWarnMinutes ?? DEFAULT_BATTERY_WARN_MINUTES,
      capMinutes: data.settings.batteryCapMinutes,
    };
    for (const camera of data.cameras) if (powerOf(camera).battery) this.#budgets.set(camera.deviceId, budget);
  }

  #usageNotice(deviceId: string): UsageNotice | undefined {
    const budget = this.#budgets.get(deviceId);
    return budget && usageNotice(this.#streamingTime?.today(deviceId) ?? 0, budget);
  }

  /** Why the camera's endpoint refuses a new viewer now (its daily cap), or undefined. */
  #refusal(deviceId: string): string | undefined {
    const notice = this.#usageNotice(deviceId);
    return notice?.level === 'capped' ? notice.message : undefined;
  }

  async setCameraBattery(deviceId: string, battery: boolean | null): Promise<void> {
    if (typeof battery !== 'boolean' && battery !== null) throw new AppError('bad-request', "Say true or false for whether the camera runs on battery, or null to go by what Arlo says.");
    const data = await this.#store.update((d) => {
      const camera = findCamera(d, deviceId);
      if (battery === null) delete camera.battery;
      else camera.battery = battery;
    });
    this.#rememberBudgets(data);
    this.#publish();
  }

  #publish(): void {
    if (this.#listeners.size === 0) return;
    void this.getState().then(
      (state) => { for (const listener of this.#listeners) listener(state); },
      (error: unknown) => this.#log.error({ err: String(error) }, 'could not publish state'),
    );
  }

  async #changed<T>(result: T): Promise<T> {
    this.#publish();
    return result;
  }

  // ---- account ----

  /** Publishes a sign-in step; once signed in, fetches the devices so the UI can go on at once. */
  async #signedInStep(step: SignInStep): Promise<SignInStep> {
    if (step.step === 'signed-in') {
      await this.refreshDevices().catch((error: unknown) => {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not fetch devices after sign-in');
      });
      // The one action every certificate warning names: sign in, and what is due renews.
      await this.#certificates.renewDue().catch((error: unknown) => {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not renew certificates after sign-in');
      });
    }
    return this.#changed(step);
  }

  async signIn(email: string, password: string): Promise<SignInStep> {
    return this.#signedInStep(await this.#account.signIn(email, password));
  }

  async chooseFactor(factorId: string): Promise<SignInStep> {
    return this.#signedInStep(await this.#account.chooseFactor(factorId));
  }

  async submitMfaCode(code: string): Promise<SignInStep> {
    return this.#signedInStep(await this.#account.submitMfaCode(code));
  }

  async cancelSignIn(): Promise<SignInStep> {
    return this.#changed(this.#account.cancelSignIn());
  }

  async useToken(token: string): Promise<SignInStep> {
    return this.#signedInStep(await this.#account.useToken(token));
  }

  async signOut(): Promise<void> {
    return this.#changed(await this.#account.signOut());
  }

  async refreshDevices(): Promise<void> {
    await this.#account.refreshDevices();
    // What Arlo now says of each camera's power decides its budget at once (new viewers may be refused).
    this.#rememberBudgets(await this.#store.read());
    await this.#discover();
    this.#publish();
  }

  async enroll(baseStationIds?: string[]): Promise<EnrollOutcome[]> {
    const outcomes = await this.#account.enroll(baseStationIds);
    // The user enrolled: an automatic re-enrollment may happen again after the next refusal.
    for (const outcome of outcomes) if (outcome.result === 'enrolled') this.#autoEnrolled.delete(outcome.baseStationId);
    // A running endpoint holds the certificate it started with; a new one reaches it only by a restart.
    for (const outcome of outcomes) {
      if (outcome.result === 'enrolled') await this.#restartCamerasOf(outcome.baseStationId);
    }
    await this.#certificates.check();
    return this.#changed(outcomes);
  }

  // ---- base stations ----

  async setBaseStationAddress(baseStationId: string, host: string | null, port?: number): Promise<void> {
    const problem = host === null ? undefined : hostProblem(host) ?? (port === undefined ? undefined : portProblem(port));
    if (problem) throw new AppError('invalid-address', problem);
    await this.#updateBaseStation(baseStationId, (b) => {
      if (host === null) {
        delete b.host;
        delete b.port;
        delete b.addressSource;
      } else {
        Object.assign(b, { host, port: port ?? BASE_STATION_PORT, addressSource: 'typed' });
      }
    });
    if (host === null) await this.#discover();
    await this.#restartCamerasOf(baseStationId);
    this.#publish();
  }

  async forgetPinnedCertificate(baseStationId: string): Promise<void> {
    if (typeof baseStationId !== 'string') throw new AppError('invalid-request', 'Name the base station whose pinned certificate to forget.');
    await forgetPin(this.#store, baseStationId);
    this.#streams.forgetFingerprint(baseStationId);
    this.#log.info({ baseStationId }, 'forgot the pinned base-station certificate; the next session pins anew');
    this.#publish();
  }

  async diagnose(request: DiagnoseRequest): Promise<Diagnosis> {
    const parsed = diagnoseRequestSchema.safeParse(request);
    if (!parsed.success) throw new AppError('invalid-request', 'Diagnose needs a base station id (and optionally a camera id and 0 to 60 seconds of PLAY).');
    return diagnose({
      store: this.#store,
      account: this.#account,
      discovery: this.#options.discovery === false ? false : { ...this.#options.discovery },
      held: heldSessionsOf(this.#streams),
    }, parsed.data);
  }

  #react(baseStationId: string, reason: UpstreamFailure): void {
    this.#onUpstreamFailure(baseStationId, reason).catch((failure: unknown) => {
      this.#log.warn({ baseStationId, err: failure instanceof Error ? failure.message : String(failure) }, 'could not react to a base-station failure');
    });
  }

  /**
   * What the service does when a base-station session fails, beyond the engine's own retries
   * (the lifecycle's `waiting(unreachable)` and `failed(...)` phases): an mDNS-found base station
   * that stops answering or presents another certificate may have moved (DHCP), so browse and
   * follow it; a refused certificate with a valid sign-in is replaced once, automatically.
   */
  async #onUpstreamFailure(baseStationId: string, code: UpstreamFailure): Promise<void> {
    if (code === 'unreachable' || code === 'fingerprint-changed') await this.#follow(baseStationId);
    else if (code === 'certificate-rejected') await this.#certificateRefused(baseStationId);
  }

  async #follow(baseStationId: string): Promise<void> {
    const record = (await this.#store.read()).baseStations.find((b) => b.deviceId === baseStationId);
    if (!record || record.addressSource !== 'mdns' || this.#options.discovery === false) return;
    const last = this.#following.get(baseStationId);
    if (last && (last.running || Date.now() - last.at < FOLLOW_INTERVAL_MS)) return;
    this.#following.set(baseStationId, { at: Date.now(), running: true });
    let at = Date.now();
    try {
      const moved = (await this.#discover()).find((b) => b.deviceId === baseStationId);
      if (!moved?.host) return;
      // Followed: a failure after this is news, not the same outage again.
      at = 0;
      this.#log.info({ baseStationId, host: moved.host }, 'the base station moved (mDNS): following it to its new address');
      this.#notices.set(baseStationId, `Found again on the network at ${moved.host} (its address changed) and followed it there.`);
      this.#streams.moveBaseStation(baseStationId, moved.host, moved.port ?? BASE_STATION_PORT);
      this.#publish();
    } finally {
      this.#following.set(baseStationId, { at, running: false });
    }
  }

  async #certificateRefused(baseStationId: string): Promise<void> {
    await this.#account.markCertificateRejected(baseStationId);
    await this.#certificates.check();
    this.#publish();
    const record = (await this.#store.read()).baseStations.find((b) => b.deviceId === baseStationId);
    const account = await this.#account.accountView();
    if (!record || !account.signedIn || account.tokenExpired) return;
    // Replaced automatically once already and refused again: no loop, the user decides.
    if (this.#autoEnrolled.has(baseStationId) && this.#autoEnrolled.get(baseStationId) === record.certificatePem) return;
    this.#autoEnrolled.set(baseStationId, record.certificatePem);
    this.#log.warn({ baseStationId }, 'the base station refused our certificate; enrolling again automatically');
    let message: string;
    try {
      const [outcome] = await this.#account.enroll([baseStationId]);
      if (outcome?.result === 'enrolled') {
        const fresh = (await this.#store.read()).baseStations.find((b) => b.deviceId === baseStationId);
        this.#autoEnrolled.set(baseStationId, fresh?.certificatePem);
        await this.#restartCamerasOf(baseStationId);
        message = `The base station refused the old certificate, so the app enrolled again on its own (${formatDateTime(Date.now())}) and restarted its cameras.`;
        this.#log.warn({ baseStationId }, 'enrolled again automatically and restarted the cameras of this base station');
      } else {
        message = `The base station refused the certificate and enrolling again on its own failed: ${outcome?.message ?? 'no answer'}`;
        this.#log.warn({ baseStationId }, 'automatic re-enrollment failed');
      }
    } catch (error) {
      message = `The base station refused the certificate and enrolling again on its own failed: ${error instanceof Error ? error.message : String(error)}`;
      this.#log.warn({ baseStationId, err: error instanceof Error ? error.message : String(error) }, 'automatic re-enrollment failed');
    }
    this.#notices.set(baseStationId, message);
    this.#publish();
  }

  async #updateBaseStation(baseStationId: string, change: (b: AppData['baseStations'][number]) => void): Promise<void> {
    await this.#store.update((data) => {
      const record = data.baseStations.find((b) => b.deviceId === baseStationId);
      if (!record) throw new AppError('unknown-base-station', `No base station with id ${baseStationId} is known; refresh the device list.`);
      change(record);
    });
    this.#publish();
  }

  /** Browses mDNS and stores what it found; returns the base stations whose address changed. */
  async #discover(): Promise<BaseStationRecord[]> {
    if (this.#options.discovery === false) return [];
    const data = await this.#store.read();
    if (!data.baseStations.some((b) => b.addressSource !== 'typed')) return [];
    try {
      const found = await discoverBaseStations({ ...this.#options.discovery, timeoutMs: DISCOVERY_TIMEOUT_MS });
      if (found.length === 0) return [];
      const strangers = await this.#strangers(data.baseStations, found);
      const updated = await this.#store.update((d) => {
        d.baseStations = mergeDiscovered(d.baseStations, found, (record) => strangers.has(record.deviceId));
      });
      return updated.baseStations.filter((b) => {
        const before = data.baseStations.find((old) => old.deviceId === b.deviceId);
        return b.host !== undefined && before?.host !== undefined && before.host !== b.host;
      });
    } catch (error) {
      this.#log.warn({ err: String(error) }, 'mDNS discovery failed');
      return [];
    }
  }

  /**
   * The pinned base stations mDNS places at a new address where another key answers (or
   * none we can check): never followed there, whatever the answer claims.
   */
  async #strangers(records: readonly BaseStationRecord[], found: readonly DiscoveredBaseStation[]): Promise<Set<string>> {
    const strangers = new Set<string>();
    const privateKeyPem = await this.#store.secrets.get('clientPrivateKey');
    for (const seen of found) {
      const record = records.find((b) => b.deviceId === seen.deviceId);
      const pin = record && pinOf(record);
      if (!record || !isPinned(pin) || record.addressSource === 'typed' || record.host === seen.host) continue;
      const probe = record.certificatePem && privateKeyPem
        ? await probeTls({ host: seen.host, port: BASE_STATION_PORT, certificatePem: record.certificatePem, privateKeyPem })
        : undefined;
      if (probe?.ok && checkPin(pin, probe.identity) !== 'changed') continue;
      strangers.add(seen.deviceId);
      this.#log.warn(
        { baseStationId: seen.deviceId, host: seen.host },
        'mDNS places this base station at a new address, but what answers there does not present its pinned key: not following',
      );
    }
    return strangers;
  }

  // ---- cameras ----

  async startCamera(deviceId: string): Promise<void> {
    const data = await this.#store.read();
    const endpoint = await this.#endpointFor(deviceId, data);
    await this.#streams.start(endpoint);
    await this.#setRunning(deviceId, true);
  }

  async stopCamera(deviceId: string): Promise<void> {
    await this.#streams.stop(deviceId);
    await this.#setRunning(deviceId, false);
  }

  async startAll(): Promise<void> {
    const data = await this.#store.read();
    const failures: string[] = [];
    for (const camera of data.cameras.filter((c) => c.localStreaming)) {
      await this.startCamera(camera.deviceId).catch((error: unknown) => {
        failures.push(`${camera.name}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    if (failures.length > 0) throw new AppError('start-failed', `Some cameras did not start. ${failures.join(' ')}`);
  }

  async stopAll(): Promise<void> {
    const data = await this.#store.read();
    for (const camera of data.cameras) await this.stopCamera(camera.deviceId);
  }

  async setCameraCodec(deviceId: string, codec: VideoCodec): Promise<void> {
    await this.#store.update((data) => {
      const camera = findCamera(data, deviceId);
      if (!camera.codecs.includes(codec)) {
        throw new AppError('codec-not-offered', `${camera.name} does not offer ${codec === 'hevc' ? 'HEVC (4K)' : 'H.264'} locally.`);
      }
      camera.codec = codec;
    });
    if (this.#streams.runtime(deviceId)?.running) await this.startCamera(deviceId);
    this.#publish();
  }

  setUpdate(update: UpdateView | undefined): void {
    this.#update = update;
    this.#publish();
  }

  async restartToUpdate(): Promise<void> {
    if (!this.#options.restartToUpdate || this.#update?.state !== 'ready') throw new AppError('not-available', 'No update is ready to install.');
    await this.#options.restartToUpdate();
  }

  async openInPlayer(deviceId: string): Promise<void> {
    const open = this.#options.openInPlayer;
    if (!open) throw new AppError('not-available', 'Opening a player works in the desktop app; here, copy the URL into your player.');
    await open(await this.viewerUrl(deviceId));
  }

  async viewerUrl(deviceId: string, kind: CameraStreamKind = 'native'): Promise<string> {
    const data = await this.#store.read();
    const camera = findCamera(data, deviceId);
    const credentials = await this.#lanCredentials(data);
    const port = this.#streams.runtime(deviceId)?.port ?? camera.port;
    return `${viewerUrl({ deviceId, listenAddress: data.settings.listenAddress, port, credentials }, true)}${STREAM_PATH_SUFFIX[kind]}`;
  }

  /** Keeps a stream's latest description with the camera, for the codec it streams (see KnownSdp). */
  async #rememberSdp(deviceId: string, kind: CameraStreamKind, sdpText: string): Promise<void> {
    try {
      await this.#store.update((data) => {
        const camera = data.cameras.find((c) => c.deviceId === deviceId);
        if (!camera) return;
        const known = camera.knownSdp?.codec === camera.codec ? camera.knownSdp : { codec: camera.codec };
        camera.knownSdp = { ...known, [kind]: sdpText };
      });
    } catch (error) {
      this.#log.warn({ err: String(error) }, 'could not keep the stream description');
    }
  }

  async #setRunning(deviceId: string, running: boolean): Promise<void> {
    await this.#store.update((data) => { findCamera(data, deviceId).running = running; });
    this.#publish();
  }

  async #restartCamerasOf(baseStationId: string): Promise<void> {
    const data = await this.#store.read();
    for (const camera of data.cameras) {
      if (camera.baseStationId === baseStationId && this.#streams.runtime(camera.deviceId)?.running) {
        await this.startCamera(camera.deviceId);
      }
    }
  }

  /** Everything the engine needs to serve one camera, or the reason it cannot yet. */
  async #endpointFor(deviceId: string, data: AppData): Promise<EndpointOptions> {
    const camera = findCamera(data, deviceId);
    if (!camera.localStreaming) {
      throw new AppError('no-local-streaming', `${camera.name} cannot stream locally (Arlo does not offer it for the ${camera.model}).`);
    }
    const base = data.baseStations.find((b) => b.deviceId === camera.baseStationId);
    if (!base) throw new AppError('unknown-base-station', `The base station of ${camera.name} is unknown; refresh the device list.`);
    if (!base.certificatePem || base.certificateRejected) {
      throw new AppError('not-enrolled', `${base.name} has no valid certificate yet: enroll it first.`);
    }
    if (!base.host) {
      throw new AppError('no-address', `The address of ${base.name} is unknown: type it in (mDNS found nothing).`);
    }
    const privateKeyPem = await this.#store.secrets.get('clientPrivateKey');
    if (!privateKeyPem) throw new AppError('not-enrolled', 'The private key of this installation is missing: enroll again.');
    const { settings } = data;
    const credentials = await this.#lanCredentials(data);
    if (!isLoopbackAddress(settings.listenAddress) && !credentials) {
      throw new AppError('lan-credentials-missing', 'Serving the LAN needs a username and password for viewers: set them in Settings.');
    }
    return {
      deviceId: camera.deviceId,
      cameraId: camera.deviceId,
      codec: camera.codec,
      ownBaseStation: camera.ownBaseStation,
      port: camera.port,
      listenAddress: settings.listenAddress,
      credentials,
      lingerMs: settings.lingerSeconds * 1000,
      admit: () => this.#refusal(camera.deviceId),
      ...(knownSdpOf(camera, 'native') !== undefined ? { knownSdp: knownSdpOf(camera, 'native') } : {}),
      derive: this.#transcoding.forCamera({
        codec: camera.codec,
        sub: subStreamSettings(data),
        knownSdp: { h264: knownSdpOf(camera, 'h264'), sub: knownSdpOf(camera, 'sub') },
        onDescribed: (kind, sdpText) => void this.#rememberSdp(camera.deviceId, kind, sdpText),
      }),
      upstream: {
        baseStationId: base.deviceId,
        host: base.host,
        port: base.port ?? BASE_STATION_PORT,
        certificatePem: base.certificatePem,
        privateKeyPem,
        pin: pinOf(base),
        naming: urlHostNamingOf(base),
      },
    };
  }

  async #lanPassword(): Promise<string | undefined> {
    this.#lanPasswordCache ??= { value: await this.#store.secrets.get('lanPassword') };
    return this.#lanPasswordCache.value;
  }

  /** The viewer username and password when both are set. */
  async #viewerCredentials(username: string | undefined): Promise<OnvifCredentials | undefined> {
    const password = username ? await this.#lanPassword() : undefined;
    return username && password !== undefined ? { username, password } : undefined;
  }

  /** Viewer credentials, which only apply to the RTSP ports when they listen beyond loopback (ONVIF asks for them wherever they are set). */
  async #lanCredentials(data: AppData): Promise<EndpointOptions['credentials']> {
    if (isLoopbackAddress(data.settings.listenAddress)) return undefined;
    const credentials = await this.#viewerCredentials(data.settings.lanUsername);
    return credentials && { ...credentials, allowBasic: data.settings.lanAllowBasic };
  }

  // ---- settings ----

  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    const before = (await this.#store.read()).settings;
    const passwordSet = patch.lanPassword !== undefined ? patch.lanPassword !== '' : (await this.#lanPassword()) !== undefined;
    const data = await this.#store.update((d) => {
      if (patch.listenAddress !== undefined) d.settings.listenAddress = checkListenAddress(patch.listenAddress);
      if (patch.portBase !== undefined && patch.portBase !== d.settings.portBase) reassignPorts(d, checkPortBase(patch.portBase));
      if (patch.lanUsername !== undefined) d.settings.lanUsername = patch.lanUsername.trim() || undefined;
      if (patch.lanAllowBasic !== undefined) d.settings.lanAllowBasic = patch.lanAllowBasic;
      if (patch.lanPassword !== undefined && patch.lanPassword !== '' && [...patch.lanPassword].length < MIN_LAN_PASSWORD_LENGTH) {
        throw new AppError('invalid-setting', `The viewer password must have at least ${MIN_LAN_PASSWORD_LENGTH} characters: anyone on the network can try it (Generate makes a strong one).`);
      }
      if (patch.launchAtLogin !== undefined) d.settings.launchAtLogin = patch.launchAtLogin;
      if (patch.notifications !== undefined) d.settings.notifications = patch.notifications;
      if (patch.updateChecks !== undefined) d.settings.updateChecks = patch.updateChecks;
      if (patch.onvif !== undefined) d.settings.onvif = patch.onvif;
      if (patch.requireAccessToken !== undefined) d.settings.requireAccessToken = patch.requireAccessToken;
      if (patch.lingerSeconds !== undefined) {
        if (!Number.isInteger(patch.lingerSeconds) || patch.lingerSeconds < 0 || patch.lingerSeconds > 600) {
          throw new AppError('invalid-setting', 'Linger must be a whole number of seconds from 0 to 600.');
        }
        d.settings.lingerSeconds = patch.lingerSeconds;
      }
      if (patch.batteryWarnMinutes !== undefined) d.settings.batteryWarnMinutes = checkMinutes(patch.batteryWarnMinutes, 'The daily warning');
      if (patch.batteryCapMinutes === null) delete d.settings.batteryCapMinutes;
      else if (patch.batteryCapMinutes !== undefined) d.settings.batteryCapMinutes = checkMinutes(patch.batteryCapMinutes, 'The daily cap');
      if (patch.subStreamWidth !== undefined) d.settings.subStreamWidth = checkSubStreamWidth(patch.subStreamWidth);
      if (patch.subStreamFps !== undefined) d.settings.subStreamFps = checkSubStreamFps(patch.subStreamFps);
      // Refused before anything is stored: running cameras would otherwise stay on the old address.
      const lanWithoutCredentials = !isLoopbackAddress(d.settings.listenAddress) && !(d.settings.lanUsername && passwordSet);
      if (lanWithoutCredentials && d.cameras.some((c) => this.#streams.runtime(c.deviceId)?.running)) {
        throw new AppError('lan-credentials-missing', 'Serving the LAN needs a username and password for viewers: set them together with the listen address.');
      }
    });
    // The secret follows the checked settings, so a refused patch changes nothing.
    if (patch.lanPassword !== undefined) {
      if (patch.lanPassword === '') await this.#store.secrets.delete('lanPassword');
      else await this.#store.secrets.set('lanPassword', patch.lanPassword);
      this.#lanPasswordCache = { value: patch.lanPassword === '' ? undefined : patch.lanPassword };
    }
    const endpointsChanged = before.listenAddress !== data.settings.listenAddress
      || before.portBase !== data.settings.portBase
      || before.lanUsername !== data.settings.lanUsername
      || before.lanAllowBasic !== data.settings.lanAllowBasic
      || before.subStreamWidth !== data.settings.subStreamWidth
      || before.subStreamFps !== data.settings.subStreamFps
      || patch.lanPassword !== undefined;
    if (endpointsChanged) {
      for (const camera of data.cameras) {
        if (this.#streams.runtime(camera.deviceId)?.running) await this.startCamera(camera.deviceId);
      }
    }
    this.#rememberBudgets(data);
    this.#publish();
    return settingsView(data, (await this.#lanPassword()) !== undefined);
  }

  // ---- pictures ----

  // An id no camera has is said as such, not as a stopped camera (the engine knows only running ones).
  async watchLive(deviceId: string, sink: LiveSink, options: LiveOptions): Promise<() => void> {
    findCamera(await this.#store.read(), deviceId);
    return watchLive(this.#streams, deviceId, sink, options);
  }

  async snapshot(deviceId: string, options: { wake: boolean }): Promise<Buffer> {
    findCamera(await this.#store.read(), deviceId);
    return takeSnapshot(this.#streams, deviceId, { wake: options.wake, ffmpeg: this.#options.ffmpegPath });
  }

  async latestPicture(deviceId: string): Promise<CameraPicture> {
    const takenAt = Date.now();
    // A thumbnail never wakes a camera: one that streams anyway gives a new picture, an idle one its last.
    let jpeg: Buffer;
    try {
      jpeg = await this.snapshot(deviceId, { wake: false });
    } catch (error) {
      const last = this.#lastPictures.get(deviceId);
      if (last && error instanceof AppError && (error.code === 'no-recent-picture' || error.code === 'stopped')) return last;
      throw error;
    }
    const picture = { dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}`, takenAt };
    this.#lastPictures.set(deviceId, picture);
    return picture;
  }

  async suspended(): Promise<void> {
    await this.#streamingTime?.suspend();
  }

  async resumed(): Promise<void> {
    this.#streams.replaceLiveSessions('the computer woke from sleep; replacing the base-station session');
    await this.#streamingTime?.resume();
  }

  async close(): Promise<void> {
    this.#certificates.close();
    this.#listeners.clear();
    await this.#onvif?.close();
    await this.#streams.stopAll();
    await this.#streamingTime?.close();
    await this.#account.close();
  }
}

/** A base station view's certificate warning, when there is one now. */
function withCertificateWarning(record: BaseStationRecord): { certificateWarning?: CertificateWarning } {
  const warning = certificateWarning(record, Date.now());
  return warning ? { certificateWarning: warning } : {};
}

function findCamera(data: AppData, deviceId: string): CameraRecord {
  const camera = data.cameras.find((c) => c.deviceId === deviceId);
  if (!camera) throw new AppError('unknown-camera', `No camera has the id ${deviceId}: the Cameras screen, "arlo-rtsp devices" and GET /api/state list their ids (refresh the device list for a new one).`);
  return camera;
}

function settingsView(data: AppData, lanPasswordSet: boolean): SettingsView {
  const { settings } = data;
  return {
    listenAddress: settings.listenAddress,
    portBase: settings.portBase,
    lanUsername: settings.lanUsername,
    lanPasswordSet,
    lanAllowBasic: settings.lanAllowBasic,
    launchAtLogin: settings.launchAtLogin,
    notifications: settings.notifications,
    updateChecks: settings.updateChecks,
    requireAccessToken: settings.requireAccessToken,
    lingerSeconds: settings.lingerSeconds,
    batteryWarnMinutes: settings.batteryWarnMinutes ?? DEFAULT_BATTERY_WARN_MINUTES,
    batteryCapMinutes: settings.batteryCapMinutes ?? null,
    onvif: settings.onvif,
    onvifAddresses: { ...settings.onvifAddresses },
    subStreamWidth: subStreamSettings(data).width,
    subStreamFps: subStreamSettings(data).fps,
  };
}


function checkMinutes(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1440) {
    throw new AppError('invalid-setting', `${what} must be a number of minutes from 0 to 1440.`);
  }
  return value;
}

export function checkListenAddress(address: string): string {
  if (address !== 'localhost' && isIP(address) === 0) {
    throw new AppError('invalid-setting', `Listen address "${address}" is not an IP address (127.0.0.1 for this computer only, 0.0.0.0 for the LAN).`);
  }
  return address;
}

export function checkPortBase(portBase: number): number {
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65000) {
    throw new AppError('invalid-setting', 'The first RTSP port must be a whole number from 1024 to 65000.');
  }
  return portBase;
}

/** Moves every camera's port by the same offset as the port base, so each keeps its place. */
function reassignPorts(data: AppData, portBase: number): void {
  const offset = portBase - data.settings.portBase;
  data.settings.portBase = portBase;
  for (const camera of data.cameras) camera.port += offset;
}

/** A stream's remembered description, when it was for the codec the camera streams now. */
function knownSdpOf(camera: CameraRecord, kind: CameraStreamKind): string | undefined {
  return camera.knownSdp?.codec === camera.codec ? camera.knownSdp[kind] : undefined;
}
