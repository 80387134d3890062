// What the app keeps on disk, split by sensitivity. `AppData` is plain settings (validated by a
// schema on load); secrets go through a `SecretStore`, which encrypts them where it can
// (passphrase-derived key headless, the OS keychain via safeStorage on the desktop).

import type { VideoCodec } from '../../shared/api.js';
import type { UrlHostForm } from '../rtsp/url-host.js';

export interface BaseStationRecord {
  deviceId: string;
  name: string;
  model: string;
  /** `<userId>_<deviceId>`, as the certificate API wants it. */
  uniqueId: string;
  host?: string;
  port?: number;
  addressSource?: 'typed' | 'mdns';
  /** The port its mDNS SRV record announces: information only, the stream always uses 554 (as every working client does). */
  announcedPort?: number;
  /** Client certificate (the cloud's `peerCert`) as PEM, and the issuing chain. */
  certificatePem?: string;
  caChainPem?: string[];
  /** ISO date. */
  certificateExpires?: string;
  /**
   * SHA-256 (hex, colon-separated) of the base station's own TLS certificate, pinned on first use and
   * following a certificate re-issued on the pinned key; what the UI shows.
   */
  pinnedFingerprint?: string;
  /** SHA-256 (same form) of that certificate's public key (SubjectPublicKeyInfo): what identifies the base station. */
  pinnedKey?: string;
  /** The base station refused our client certificate (revoked or replaced): re-enroll. */
  certificateRejected?: boolean;
  /** The base station accepted this certificate at least once: a later refusal means it was revoked. */
  certificateAccepted?: boolean;
  /** Its mDNS host name (the SRV target, e.g. `VMB5000.local`): one way request URLs may name it. */
  mdnsHostName?: string;
  /** How request URLs named it when it last answered (rtsp/url-host.ts): tried first next time. */
  urlHostForm?: UrlHostForm;
  /** Whether Arlo lists local live streaming for it (`Capabilities.sipLiveStream`) at the last refresh; absent when not asked. */
  localStreaming?: boolean;
  /** What Arlo said instead, when it does not list it. */
  localStreamingSaid?: string;
}

export interface CameraRecord {
  deviceId: string;
  name: string;
  model: string;
  baseStationId: string;
  /** A camera that is its own base station has no path suffix in its RTSP URL. */
  ownBaseStation: boolean;
  codecs: VideoCodec[];
  codec: VideoCodec;
  localStreaming: boolean;
  /** Local RTSP port, assigned once and kept. */
  port: number;
  /** Started by the user; started again at launch. */
  running: boolean;
  /** The user's word on whether it runs on battery, over what Arlo says and its model suggests. */
  battery?: boolean;
  /** What Arlo's device list said of its power at the last refresh (true: battery); absent when it said nothing. */
  reportedBattery?: boolean;
  /**
   * The last description of each of its streams (SDP), for the codec it was streamed in: answers
   * DESCRIBE at once while the camera sleeps (stream/source.ts, `remembered`).
   */
  knownSdp?: KnownSdp;
}

export interface KnownSdp {
  codec: VideoCodec;
  native?: string;
  h264?: string;
  sub?: string;
}

export interface AppSettings {
  listenAddress: string;
  portBase: number;
  lanUsername?: string;
  /** Basic authentication for LAN viewers: off unless the user opts in. */
  lanAllowBasic: boolean;
  launchAtLogin: boolean;
  /** The desktop's OS notifications are on (a setting to mute them). */
  notifications: boolean;
  /** The desktop looks for a new version at start and daily. */
  updateChecks: boolean;
  /** The web API and UI want the access token on loopback too (beyond loopback they always do). */
  requireAccessToken: boolean;
  lingerSeconds: number;
  /** Random id made once per installation: the enrollment `uuid`. Never a base station's deviceId. */
  installationId: string;
  /** Stable random id sent as X-User-Device-Id at sign-in (arlo/identity.ts). */
  clientDeviceId: string;
  /** The User-Agent sent on every cloud call, made once: a changed one looks like a new device to Arlo. */
  userAgent: string;
  /** Battery cameras: warn past this many minutes of streaming a day. */
  batteryWarnMinutes?: number;
  /** Battery cameras: refuse new viewers past this many minutes a day (absent: no cap). */
  batteryCapMinutes?: number;
  /**
   * Made by `arlo-rtsp demo`: the sign-in, certificate and base station are the demo's simulators',
   * so only the demo opens this folder (DemoDataDirError).
   */
  demo?: true;
  /** Every running camera is also an ONVIF device (and announced by WS-Discovery). */
  onvif: boolean;
  /** Cameras whose ONVIF device listens on an address of its own (deviceId → IP), for recorders that want one device per address. */
  onvifAddresses: Record<string, string>;
  /** The sub-stream's width and frame rate (absent: the defaults of shared/streams.ts). */
  subStreamWidth?: number;
  subStreamFps?: number;
}

export interface AccountRecord {
  email?: string;
  userId?: string;
  /** Epoch milliseconds. */
  tokenExpiresAt?: number;
}

export interface AppData {
  version: 1;
  settings: AppSettings;
  account: AccountRecord;
  baseStations: BaseStationRecord[];
  cameras: CameraRecord[];
  /** Seconds streamed per camera (deviceId) per local day (`YYYY-MM-DD`), the last week. */
  streamingTime?: Record<string, Record<string, number>>;
}

export type SecretName = 'arloToken' | 'clientPrivateKey' | 'lanPassword' | 'trustedBrowserCode' | 'webAccessToken';

export interface SecretStore {
  get(name: SecretName): Promise<string | undefined>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
  /** How secrets are protected, for the UI: e.g. 'passphrase (scrypt + AES-256-GCM)', 'keychain', 'plain file (0600)'. */
  readonly protection: string;
  /** Set when the protection is weak: what the user should know, shown in AppState.warnings. */
  readonly warning?: string;
}

export interface DataStore {
  /** The validated data; throws a `CorruptDataError` (file kept aside) rather than returning defaults over it. */
  read(): Promise<AppData>;
  /** Applies `change` to the current data and writes it atomically; returns the new data. */
  update(change: (data: AppData) => void): Promise<AppData>;
  readonly secrets: SecretStore;
  /** The directory everything lives in. */
  readonly dir: string;
}
