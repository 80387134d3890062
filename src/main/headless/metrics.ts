// `GET /metrics` (Prometheus text) and `GET /healthz` of the headless web server. Both are read
// from the service's own state, the figures the UI shows: on each scrape the state is read once and
// every series set from it, so a metric cannot disagree with /api/state or the UI.

import { Counter, Gauge, Registry } from 'prom-client';
import type { AppState, CameraStreamState, CameraView, CertificateWarning } from '../../shared/api.js';

/** Every stream state, each a series of `camera_state` (a state missing or unknown here fails to compile). */
const STATES = Object.keys({
  idle: true, connecting: true, waking: true, media: true, waiting: true, error: true,
} satisfies Record<CameraStreamState, true>) as CameraStreamState[];
const PREFIX = 'arlo_rtsp_';

export interface Metrics {
  readonly contentType: string;
  /** The exposition text for `state` (plus this process's own metrics). */
  render(state: Pick<AppState, 'cameras' | 'baseStations' | 'transcoder'>): Promise<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  processMetrics(registers);
  const camera = ['camera'] as const;
  const gauge = (name: string, help: string, labelNames: readonly string[] = camera): Gauge =>
    new Gauge({ name: PREFIX + name, help, labelNames, registers });
  const counter = (name: string, help: string): Counter => new Counter({ name: PREFIX + name, help, labelNames: camera, registers });

  const info = gauge('camera_info', 'A camera and what it is (always 1).', ['camera', 'name', 'model', 'base_station', 'codec']);
  const state = gauge('camera_state', 'The stream state of a camera: 1 for its current state, 0 for the others.', ['camera', 'state']);
  const running = gauge('camera_running', 'Whether the camera\'s local RTSP endpoint accepts viewers (1) or not (0).');
  const viewers = gauge('camera_viewers', 'RTSP viewers playing the camera now.');
  const bitrate = gauge('camera_bitrate_bits_per_second', 'Incoming bits per second from the base station, averaged over the last few seconds.');
  const totals: [Counter, (c: CameraView) => number][] = [
    [counter('camera_received_bytes_total', 'Bytes received from the base station for this camera.'), (c) => c.bytesIn],
    [counter('camera_sent_bytes_total', 'Bytes sent to this camera\'s viewers.'), (c) => c.bytesOut],
    [counter('camera_upstream_sessions_total', 'RTSP sessions opened with the base station for this camera.'), (c) => c.upstreamSessions],
    [counter('camera_packets_dropped_total', 'Packets dropped for viewers too slow to take them.'), (c) => c.packetsDropped],
    [counter('camera_reconnects_total', 'Times a lost base-station session was opened again.'), (c) => c.reconnects],
    [counter('camera_keepalive_failures_total', 'Keep-alive requests to the base station that failed.'), (c) => c.keepAliveFailures],
    [counter('camera_media_silences_total', 'Times the base station sent no media for the silence limit while the session was up.'), (c) => c.mediaSilences],
    [counter('camera_auth_failures_total', 'LAN viewer logins refused for a wrong username or password.'), (c) => c.authFailures],
  ];
  const expiry = gauge(
    'basestation_certificate_expiry_timestamp_seconds',
    'When the client certificate for a base station expires (Unix seconds).',
    ['base_station'],
  );
  const encoder = gauge('transcoder_encoder_info', 'The H.264 encoder of the derived streams (/h264, /sub), always 1; absent while probing or when none works.', ['encoder', 'hardware']);
  const streamViewers = gauge('camera_stream_viewers', 'RTSP viewers playing each of a camera\'s streams (native, h264, sub) now.', ['camera', 'stream']);
  const transcoding = gauge('camera_stream_transcoding', 'Whether an ffmpeg makes this derived stream now (1: starting, running or restarting; 0: idle or failed).', ['camera', 'stream']);
  const fromState = [info, state, running, viewers, bitrate, expiry, encoder, streamViewers, transcoding, ...totals.map(([metric]) => metric)];

  return {
    contentType: registry.contentType,
    async render({ cameras, baseStations, transcoder }) {
      // From scratch each time: a camera that is gone leaves no stale series behind.
      for (const metric of fromState) metric.reset();
      for (const c of cameras) {
        const labels = { camera: c.deviceId };
        info.set({ ...labels, name: c.name, model: c.model, base_station: c.baseStationId, codec: c.codec }, 1);
        for (const s of STATES) state.set({ ...labels, state: s }, c.state === s ? 1 : 0);
        running.set(labels, c.running ? 1 : 0);
        viewers.set(labels, c.viewers);
        bitrate.set(labels, c.bitrate);
        for (const [metric, read] of totals) metric.inc(labels, read(c));
        for (const s of c.streams) {
          streamViewers.set({ ...labels, stream: s.kind }, s.viewers);
          if (s.transcoder) transcoding.set({ ...labels, stream: s.kind }, ['starting', 'running', 'restarting'].includes(s.transcoder) ? 1 : 0);
        }
      }
      if (transcoder.encoder) encoder.set({ encoder: transcoder.encoder, hardware: String(transcoder.hardware) }, 1);
      for (const b of baseStations) {
        if (b.certificateExpires) expiry.set({ base_station: b.deviceId }, Date.parse(b.certificateExpires) / 1000);
      }
      return registry.metrics();
    },
  };
}

/**
 * The process's own figures, read when scraped and at no other time. Not prom-client's
 * collectDefaultMetrics: its event-loop-lag histogram is a 10 ms timer (about 90 wake-ups a second
 * for as long as the process lives, ~10 ms CPU/s on a small machine, more than the whole data plane
 * at idle) and its GC histogram runs JavaScript after every collection. The names are the standard
 * ones, so dashboards built on the defaults keep working.
 */
function processMetrics(registers: Registry[]): void {
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers, collect() { this.set(read()); } });
  counter('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', () => process.cpuUsage().user / 1e6);
  counter('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', () => process.cpuUsage().system / 1e6);
  counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  });
  const started = Math.round(Date.now() / 1000 - process.uptime());
  gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', () => started);
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
  gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', () => process.memoryUsage().heapTotal);
  gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', () => process.memoryUsage().heapUsed);
  gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', () => process.memoryUsage().external);
}

/** A base station whose certificate nears its end or was revoked: serving still, but not for long. */
export interface HealthWarning {
  deviceId: string;
  name: string;
  level: CertificateWarning['level'];
  warning: string;
}

/**
 * What `GET /healthz` answers: 200 and `ok` while serving; 200 and `degraded` (not down) with the
 * base stations whose certificate warns (enroll/lifetime.ts); 503 and the cameras in error.
 */
export type Health =
  | { status: 'ok' }
  | { status: 'degraded'; baseStations: HealthWarning[] }
  | { status: 'error'; cameras: { deviceId: string; name: string; error: string }[]; baseStations?: HealthWarning[] };

export function healthOf(state: Pick<AppState, 'cameras' | 'baseStations'>): Health {
  const warnings: HealthWarning[] = state.baseStations.flatMap(({ deviceId, name, certificateWarning: warning }) =>
    warning ? [{ deviceId, name, level: warning.level, warning: warning.message }] : []);
  const failing = state.cameras.filter((c) => c.state === 'error');
  if (failing.length === 0) return warnings.length === 0 ? { status: 'ok' } : { status: 'degraded', baseStations: warnings };
  return {
    status: 'error',
    cameras: failing.map((c) => ({ deviceId: c.deviceId, name: c.name, error: c.error ?? 'in error' })),
    ...(warnings.length === 0 ? {} : { baseStations: warnings }),
  };
}
