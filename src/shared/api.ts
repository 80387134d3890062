// The one contract between the core service and both shells (Electron IPC, headless HTTP +
// WebSocket) and the renderer. No Node, no DOM here: plain data and method signatures (the argument
// schemas both shells check calls against are in api-arguments.ts).

import type { CameraStreamKind, CameraStreamView, TranscoderView } from './streams.js';

export type { CameraStreamKind, CameraStreamView, TranscoderView } from './streams.js';

export type VideoCodec = 'avc' | 'hevc';

/** The life of one camera's stream, as the UI shows it. */
/**
 * `connecting`: TCP/TLS to the base station; `waking`: waiting for its RTSP answers (a battery
 * camera wakes first); `media`: streaming; `waiting`: backing off before the next attempt (see
 * `waitReason`, `retryAt`); `error`: needs the user (see `error`).
 */
export type CameraStreamState = 'idle' | 'connecting' | 'waking' | 'media' | 'waiting' | 'error';

/** Why a stream waits before its next attempt (the lifecycle's reasons). */
export type CameraWaitReason =
  | 'busy' | 'unreachable' | 'timeout' | 'handshake-reset' | 'refused' | 'nonce-rejected' | 'closed' | 'protocol' | 'silent' | 'lost';

/**
 * Who decided whether a camera runs on battery, first match wins: the user's switch, Arlo's device
 * list (the camera's battery technology or its model's power source), the built-in model list;
 * `unknown` (none said) counts as mains power.
 */
export type BatterySource = 'user' | 'arlo' | 'model' | 'unknown';

export interface CameraView {
  deviceId: string;
  name: string;
  model: string;
  baseStationId: string;
  /** Codecs the camera offers locally; `hevc` means 4K H.265. */
  codecs: VideoCodec[];
  /** The codec asked of the base station for this camera. */
  codec: VideoCodec;
  /** Local RTSP port of this camera (stable across restarts). */
  port: number;
  /**
   * The camera's URL, with the viewer username but never the password when the port listens beyond
   * loopback; `viewerUrl()` gives the URL to paste, password included, at the moment it is needed.
   */
  url: string;
  /**
   * Every URL the camera is served on, in the order native, h264, sub (streams.ts): what each
   * carries, its size, its viewers and, for a transcoded one, its ffmpeg's state.
   */
  streams: CameraStreamView[];
  /** Whether the local endpoint is running (accepting viewers). */
  running: boolean;
  state: CameraStreamState;
  /** What went wrong: a message a user can act on when `state` is `error`; why it waits or reconnects otherwise. */
  error?: string;
  /** While `state` is `waiting`: why, and when (ISO time) the next attempt starts. */
  waitReason?: CameraWaitReason;
  retryAt?: string;
  viewers: number;
  bytesIn: number;
  bytesOut: number;
  /** Incoming bits per second, averaged over the last few seconds. */
  bitrate: number;
  upstreamSessions: number;
  /** Sessions opened again after one was lost (the base station dropped it or sent no media) while wanted. */
  reconnects: number;
  packetsDropped: number;
  /** Keep-alives the base station answered with an error or not at all (they never end the stream). */
  keepAliveFailures: number;
  /** Sessions replaced because no media came for the silence limit. */
  mediaSilences: number;
  /** LAN viewers' logins refused for a wrong username or password (each also logged at warn). */
  authFailures: number;
  /** Seconds streamed today and in the last 7 days (today included). */
  streamingToday: number;
  streamingWeek: number;
  /** Whether it runs on battery: its daily streaming budget applies. */
  battery: boolean;
  /** Who said so (see BatterySource). */
  batterySource: BatterySource;
  /** A battery camera past the daily warning threshold, or past the cap. */
  usageNotice?: UsageNotice;
}

export interface UsageNotice {
  /** `capped`: new viewers are refused until tomorrow. */
  level: 'warning' | 'capped';
  message: string;
}

/** A base station's client certificate near or past the end of its life, or revoked (enroll/lifetime.ts). */
export interface CertificateWarning {
  level: 'soon' | 'urgent' | 'expired' | 'revoked';
  /** What happens and the one thing to do about it. */
  message: string;
  /** The same in a few words, for a menu (the tray). */
  summary: string;
}

export interface BaseStationView {
  deviceId: string;
  name: string;
  model: string;
  /** LAN address; `source` tells whether the user typed it or mDNS found it. */
  host?: string;
  port?: number;
  addressSource?: 'typed' | 'mdns';
  /** The port its mDNS announcement names, when it is not the 554 every stream uses (information only). */
  announcedPort?: number;
  /** SHA-256 fingerprint of the base station's own certificate, pinned at first contact with its key and following a certificate renewed on that key. */
  pinnedFingerprint?: string;
  enrolled: boolean;
  /** ISO date the client certificate expires. */
  certificateExpires?: string;
  /** Set from 14 days before expiry, after it, and when the certificate was revoked. */
  certificateWarning?: CertificateWarning;
  error?: string;
  /** Something the app did on its own that the user should know (an automatic re-enrollment, a move). */
  notice?: string;
  /**
   * Set when Arlo does not list local live streaming for it (`Capabilities.sipLiveStream`): a
   * sentence saying so, with what Arlo said instead. Its cameras are still offered.
   */
  localStreamingNotListed?: string;
}

export interface MfaFactor {
  factorId: string;
  factorType: 'EMAIL' | 'SMS' | 'PUSH';
  nickname: string;
}

/** Where an interactive sign-in stands. */
export type SignInStep =
  | { step: 'signed-out' }
  | { step: 'choose-factor'; factors: MfaFactor[] }
  | { step: 'enter-code'; factor: MfaFactor }
  | { step: 'await-push'; factor: MfaFactor }
  | { step: 'signed-in' };

export interface AccountView {
  signedIn: boolean;
  email?: string;
  userId?: string;
  /** Epoch milliseconds when the token expires. */
  tokenExpiresAt?: number;
  /** True when the token is known to be gone; the user must sign in or paste a new one. */
  tokenExpired: boolean;
}

export interface SettingsView {
  /** Address the RTSP ports listen on: 127.0.0.1 by default, 0.0.0.0 to serve the LAN. */
  listenAddress: string;
  portBase: number;
  /** Username for LAN viewers; the password is write-only. */
  lanUsername?: string;
  lanPasswordSet: boolean;
  /** Whether LAN viewers may use Basic authentication (the password in the clear on every request). */
  lanAllowBasic: boolean;
  launchAtLogin: boolean;
  /** Desktop: OS notifications (a camera in error, a certificate expiring, a daily cap, an update); false mutes them. */
  notifications: boolean;
  /** Desktop: look for a new version at start and daily. */
  updateChecks: boolean;
  /**
   * The headless web API and UI want the access token from this computer too, for machines with
   * several users (beyond loopback they always do). The desktop window needs none: IPC checks its sender.
   */
  requireAccessToken: boolean;
  /** Seconds an upstream session stays up after its last viewer leaves. */
  lingerSeconds: number;
  /** Battery cameras: warn past this many minutes of streaming a day. */
  batteryWarnMinutes: number;
  /** Battery cameras: refuse new viewers past this many minutes a day; null: no cap. */
  batteryCapMinutes: number | null;
  /** Every running camera is also an ONVIF device that recorders (UniFi Protect, Blue Iris, Home Assistant) discover. */
  onvif: boolean;
  /** Cameras whose ONVIF device has an address of its own (deviceId → IP); the others share the listen address. */
  onvifAddresses: Record<string, string>;
  /** The sub-stream's width in pixels (its height keeps the camera's aspect, both even). */
  subStreamWidth: number;
  /** The sub-stream's frames per second. */
  subStreamFps: number;
}

/** Shortest LAN viewer password accepted: anyone on the network can try it. */
export const MIN_LAN_PASSWORD_LENGTH = 12;
/** Each camera's ONVIF device listens on its RTSP port plus this (8556 → 9056). */
export const ONVIF_PORT_OFFSET = 500;

export interface SettingsPatch {
  listenAddress?: string;
  portBase?: number;
  lanUsername?: string;
  lanPassword?: string;
  lanAllowBasic?: boolean;
  launchAtLogin?: boolean;
  notifications?: boolean;
  updateChecks?: boolean;
  requireAccessToken?: boolean;
  lingerSeconds?: number;
  batteryWarnMinutes?: number;
  batteryCapMinutes?: number | null;
  onvif?: boolean;
  subStreamWidth?: number;
  subStreamFps?: number;
}

/**
 * Desktop: a newer version. `ready`: downloaded, installed by "Restart to update". `available`:
 * macOS, where installing needs a signed build: the user downloads it from `url`.
 */
export type UpdateView = { state: 'ready'; version: string } | { state: 'available'; version: string; url?: string };

export interface AppState {
  account: AccountView;
  signIn: SignInStep;
  baseStations: BaseStationView[];
  cameras: CameraView[];
  settings: SettingsView;
  /** The H.264 encoder derived streams use (probed once). */
  transcoder: TranscoderView;
  /** Things the user should know that are not errors of one camera (e.g. weak secret storage). */
  warnings: string[];
  /** Which shell serves this state; the renderer hides desktop-only actions on the web. */
  shell: 'desktop' | 'web';
  /** Desktop: a newer version found by the updater. */
  update?: UpdateView;
}

/** One check of `doctor` / Diagnose, in the order they run. */
export interface DiagnosisStep {
  /** e.g. "TLS handshake". */
  name: string;
  status: 'pass' | 'fail' | 'skip';
  durationMs: number;
  /** What was seen (versions, status lines, addresses); never a secret. */
  detail: string;
  /** What the user can do, in words, when the step failed (or why it was skipped). */
  fix?: string;
}

export interface Diagnosis {
  baseStationId: string;
  cameraId?: string;
  /** True only when every step passed. */
  passed: boolean;
  steps: DiagnosisStep[];
  /** ISO time the diagnosis started. */
  startedAt: string;
}

/** The longest PLAY a diagnosis measures. */
export const MAX_DIAGNOSE_PLAY_SECONDS = 60;

export interface DiagnoseRequest {
  baseStationId: string;
  /** The camera whose stream DESCRIBE (and PLAY) use; the base station's first local-streaming camera when absent. */
  cameraId?: string;
  /** PLAY for this many seconds and measure the stream (0 or absent: no PLAY). */
  playSeconds?: number;
}

/** A camera's latest picture, as a card's thumbnail shows it. */
export interface CameraPicture {
  /** The JPEG as a `data:image/jpeg;base64,` URL: an <img> shows it, and JSON and IPC both carry it. */
  dataUrl: string;
  /** Epoch milliseconds the picture was taken. */
  takenAt: number;
}

export interface EnrollOutcome {
  baseStationId: string;
  result: 'enrolled' | 'already-enrolled' | 'failed';
  message: string;
}

/** Every action of the UI. The service implements it; shells bind it; the renderer calls it. */
export interface AppApi {
  getState(): Promise<AppState>;
  signIn(email: string, password: string): Promise<SignInStep>;
  chooseFactor(factorId: string): Promise<SignInStep>;
  submitMfaCode(code: string): Promise<SignInStep>;
  cancelSignIn(): Promise<SignInStep>;
  useToken(token: string): Promise<SignInStep>;
  signOut(): Promise<void>;
  refreshDevices(): Promise<void>;
  enroll(baseStationIds?: string[]): Promise<EnrollOutcome[]>;
  setBaseStationAddress(baseStationId: string, host: string | null, port?: number): Promise<void>;
  /** Forgets the base station's pinned certificate (it was replaced or reset); the next session pins anew. */
  forgetPinnedCertificate(baseStationId: string): Promise<void>;
  /** Runs every check of `arlo-rtsp doctor` for one base station (and camera) and returns the steps. */
  diagnose(request: DiagnoseRequest): Promise<Diagnosis>;
  startCamera(deviceId: string): Promise<void>;
  stopCamera(deviceId: string): Promise<void>;
  startAll(): Promise<void>;
  stopAll(): Promise<void>;
  setCameraCodec(deviceId: string, codec: VideoCodec): Promise<void>;
  /**
   * Whether the camera runs on battery (its streaming budget applies), over what Arlo says and its
   * model suggests; null forgets the user's word.
   */
  setCameraBattery(deviceId: string, battery: boolean | null): Promise<void>;
  updateSettings(patch: SettingsPatch): Promise<SettingsView>;
  /**
   * Installs the downloaded update and starts the new version (AppState.update 'ready'); while a
   * camera streams the user is asked first. Desktop only.
   */
  restartToUpdate(): Promise<void>;
  /** Opens the camera's URL in VLC (or the system's RTSP handler). Desktop only. */
  openInPlayer(deviceId: string): Promise<void>;
  /**
   * The URL to paste into a player, with the LAN password in it: for "Copy URL", asked for at that
   * moment; of the native stream unless `kind` names another.
   */
  viewerUrl(deviceId: string, kind?: CameraStreamKind): Promise<string>;
  /**
   * The camera's latest picture: taken now while it streams anyway (its cached keyframe, decoded by
   * ffmpeg), else the last one taken while this app runs, with its time (a page reloaded shows it
   * again). Never wakes it: an idle camera without one answers the error `no-recent-picture`.
   */
  latestPicture(deviceId: string): Promise<CameraPicture>;
}

/** The names every transport binds, generically. Adding a method to AppApi means adding it here. */
export const APP_API_METHODS = [
  'getState',
  'signIn',
  'chooseFactor',
  'submitMfaCode',
  'cancelSignIn',
  'useToken',
  'signOut',
  'refreshDevices',
  'enroll',
  'setBaseStationAddress',
  'forgetPinnedCertificate',
  'diagnose',
  'startCamera',
  'stopCamera',
  'startAll',
  'stopAll',
  'setCameraCodec',
  'setCameraBattery',
  'updateSettings',
  'openInPlayer',
  'restartToUpdate',
  'viewerUrl',
  'latestPicture',
] as const satisfies readonly (keyof AppApi)[];

export type AppApiMethod = (typeof APP_API_METHODS)[number];

/** An AppApi plus the state stream, as a shell hands it to the renderer. */
export interface AppApiClient extends AppApi {
  /** Calls `listener` with every published state; returns the unsubscribe function. */
  subscribe(listener: (state: AppState) => void): () => void;
}

/** Errors crossing a transport keep a machine-readable code and the user-facing message. */
export interface ApiErrorPayload {
  code: string;
  message: string;
}

// Compile-time proof that APP_API_METHODS lists every AppApi method.
type UnlistedMethods = Exclude<keyof AppApi, AppApiMethod>;
export const API_METHODS_COMPLETE: [UnlistedMethods] extends [never] ? true : never = true;
