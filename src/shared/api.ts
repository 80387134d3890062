// The one contract between the core service and both shells (Electron IPC, headless HTTP +
// WebSocket) and the renderer. No Node, no DOM here: plain data and method signatures (the argument
// schemas both shells check calls against are in api-arguments.ts).

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
}

/** Shortest LAN viewer password accepted: anyone on the network can try it. */
export const MIN_LAN_PASSWORD_LENGTH = 12;

export interface SettingsPatch {
  listenAddress?: string;
  portBase?: number;
  lanUsername?: string;
  lanPassword?: string;
  lanAllowBasic?: boolean;
  launchAtLogin?: boolean;
  requireAccessToken?: boolean;
  lingerSeconds?: number;
  batteryWarnMinutes?: number;
  batteryCapMinutes?: number | null;
}

export interface AppState {
  account: AccountView;
  signIn: SignInStep;
  baseStations: BaseStationView[];
  cameras: CameraView[];
  settings: SettingsView;
  /** Things the user should know that are not errors of one camera (e.g. weak secret storage). */
  warnings: string[];
  /** Which shell serves this state; the renderer hides desktop-only actions on the web. */
  shell: 'desktop' | 'web';
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
  /** Opens the camera's URL in VLC (or the system's RTSP handler). Desktop only. */
  openInPlayer(deviceId: string): Promise<void>;
  /** The URL to paste into a player, with the LAN password in it: for "Copy URL", asked for at that moment. */
  viewerUrl(deviceId: string): Promise<string>;
  /**
   * The camera's latest picture while it streams anyway (its cached keyframe, decoded by ffmpeg);
   * never wakes it: an idle camera answers the error `no-recent-picture`.
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
