// The main screen: every camera with its live state, counters and URL, and the actions on it.

import { useEffect, useState } from 'react';
import type { BatterySource, CameraView, TranscoderView, VideoCodec } from '../../shared/api.js';
import { STATE_LABEL, cameraStatusLine } from '../../shared/camera-status.js';
import { formatBitrate, formatBytes, formatDuration } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { CameraStreams } from './CameraStreams.js';
import { useDiagnose } from './Diagnose.js';
import { ErrorNote } from './ErrorNote.js';
import { LiveView, type Picture } from './LiveView.js';
import { routeUrl } from '../api/web-client.js';
import { snapshotPath } from '../../shared/live.js';

/** How often a streaming camera's thumbnail is refreshed from its latest picture (never waking it). */
const THUMBNAIL_REFRESH_MS = 10_000;

const CODEC_LABEL: Record<VideoCodec, string> = { avc: 'H.264 (up to 1080p)', hevc: 'H.265 (4K)' };

/**
 * `enrolled`: the base stations with a certificate; a camera of another one cannot stream yet, so
 * its card says so and offers nothing that looks live (no Start, no URL), and `onEnroll` leads there.
 */
export function Cameras({ cameras, enrolled, desktop, transcoder, onEnroll }: { cameras: CameraView[]; enrolled: ReadonlySet<string>; desktop: boolean; transcoder: TranscoderView; onEnroll: () => void }) {
  const api = useApi();
  const all = useAction();
  const streaming = cameras.filter((c) => c.state === 'media').length;
  const ready = cameras.filter((c) => enrolled.has(c.baseStationId));
  const [watching, setWatching] = useState<string>();
  const [pictures, setPictures] = useState<Record<string, Picture>>({});
  const watched = cameras.find((c) => c.deviceId === watching);
  // The newest picture wins: the live view's last frame is fresher than the app's last thumbnail.
  const remember = (deviceId: string) => (picture: Picture) =>
    setPictures((p) => ((p[deviceId]?.at ?? -Infinity) >= picture.at ? p : { ...p, [deviceId]: picture }));
  return (
    <section className="panel" aria-labelledby="cameras-title">
      <div className="title-row">
        <h2 id="cameras-title">Cameras</h2>
        {ready.length > 0 && (
          <>
            <p className="muted" aria-live="polite">{streaming} of {ready.length} streaming</p>
            <div className="row">
              <button type="button" disabled={all.busy} onClick={() => void all.run(() => api.startAll())}>Start all</button>
              <button type="button" disabled={all.busy} onClick={() => void all.run(() => api.stopAll())}>Stop all</button>
            </div>
          </>
        )}
      </div>
      <p className="muted small" data-stat="encoder">{encoderLine(transcoder)}</p>
      <ErrorNote message={all.error} />
      {watched && <LiveView key={watched.deviceId} camera={watched} onClose={() => setWatching(undefined)} onPicture={remember(watched.deviceId)} />}
      {cameras.length === 0 ? (
        <p className="hint">No camera that can stream locally yet. Enroll a base station and refresh devices.</p>
      ) : (
        <ul className="cards">
          {cameras.map((camera) => (
            <li key={camera.deviceId} className="card" aria-label={camera.name}>
              {enrolled.has(camera.baseStationId) ? (
                <CameraCard
                  camera={camera}
                  desktop={desktop}
                  picture={pictures[camera.deviceId]}
                  onPicture={remember(camera.deviceId)}
                  onWatch={() => setWatching(camera.deviceId)}
                />
              ) : (
                <NotEnrolledCard camera={camera} onEnroll={onEnroll} />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Which encoder the H.264 and sub-streams use, in a line. */
function encoderLine(transcoder: TranscoderView): string {
  if (transcoder.probing) return 'H.264 and sub-streams: looking for an encoder...';
  if (!transcoder.available) return `H.264 and sub-streams unavailable: ${transcoder.error ?? 'no encoder'}`;
  return `H.264 and sub-streams encoded with ${transcoder.encoder} (${transcoder.hardware ? 'hardware' : 'software'})`;
}

interface CardProps {
  camera: CameraView;
  desktop: boolean;
  picture: Picture | undefined;
  onPicture: (picture: Picture) => void;
  onWatch: () => void;
}

/** Who decided whether the camera runs on battery, as the card says it. */
const BATTERY_SOURCE_LABEL: Record<BatterySource, (battery: boolean) => string> = {
  user: (battery) => `${battery ? 'Battery' : 'Mains power'}: your setting.`,
  arlo: (battery) => `${battery ? 'Battery' : 'Mains power'}: reported by Arlo.`,
  model: () => 'Battery: by its model (Arlo did not say).',
  unknown: () => 'Mains power assumed: Arlo did not say, and its model is not known to run on battery.',
};

function CameraCard({ camera, desktop, picture, onPicture, onWatch }: CardProps) {
  const api = useApi();
  const toggle = useAction();
  const codec = useAction();
  const open = useAction();
  const battery = useAction();
  const [copied, setCopied] = useState<'snapshot'>();
  const codecId = `codec-${camera.deviceId}`;
  const snapshotUrl = desktop ? undefined : routeUrl(snapshotPath(camera.deviceId));
  useThumbnail(camera, onPicture);
  const diagnose = useDiagnose({ baseStationId: camera.baseStationId, cameraId: camera.deviceId, playSeconds: 5 }, `Diagnose ${camera.name}`);

  /** The snapshot URL with its token is asked for only now, and goes only to the clipboard. */
  const copy = (what: 'snapshot', text: () => string | Promise<string>) =>
    void open.run(async () => {
      await navigator.clipboard.writeText(await text());
      setCopied(what);
      setTimeout(() => setCopied(undefined), 2000);
    });

  return (
    <>
      <div className="card-head">
        <h3 className="card-title">
          {camera.name} <span className="muted">{camera.model}</span>
        </h3>
        <span className={`badge badge-${camera.state}`} data-state={camera.state}>{STATE_LABEL[camera.state]}</span>
      </div>
      <Thumbnail name={camera.name} picture={picture} />
      {camera.usageNotice && (
        <p className={camera.usageNotice.level === 'capped' ? 'error-note' : 'notice'} role="alert" data-notice={camera.usageNotice.level}>
          {camera.usageNotice.message}
        </p>
      )}
      {camera.state === 'error' ? <ErrorNote message={camera.error ?? 'The stream failed.'} /> : camera.running && <StatusLine camera={camera} />}
      <dl className="stats">
        <div><dt>Viewers</dt><dd data-stat="viewers">{camera.viewers}</dd></div>
        <div><dt>Received</dt><dd data-stat="bytes-in">{formatBytes(camera.bytesIn)}</dd></div>
        <div><dt>Sent</dt><dd data-stat="bytes-out">{formatBytes(camera.bytesOut)}</dd></div>
        <div><dt>Bitrate</dt><dd data-stat="bitrate">{formatBitrate(camera.bitrate)}</dd></div>
        <div><dt>Streamed today</dt><dd data-stat="streamed-today">{formatDuration(camera.streamingToday)}</dd></div>
        <div><dt>Last 7 days</dt><dd data-stat="streamed-week">{formatDuration(camera.streamingWeek)}</dd></div>
        {camera.keepAliveFailures > 0 && (
          <div><dt>Keep-alives unanswered</dt><dd data-stat="keep-alive-failures">{camera.keepAliveFailures}</dd></div>
        )}
      </dl>
      <label className="check small">
        <input
          type="checkbox"
          checked={camera.battery}
          disabled={battery.busy}
          onChange={(e) => void battery.run(() => api.setCameraBattery(camera.deviceId, e.target.checked))}
        />
        Runs on battery (daily streaming budget applies)
      </label>
      <p className="muted small" data-stat="battery-source">
        {BATTERY_SOURCE_LABEL[camera.batterySource](camera.battery)}
        {camera.batterySource === 'user' && (
          <>
            {' '}
            <button type="button" className="small" disabled={battery.busy} onClick={() => void battery.run(() => api.setCameraBattery(camera.deviceId, null))}>Go by what Arlo says</button>
          </>
        )}
      </p>
      <div className="row">
        <label htmlFor={codecId} className="inline">Codec</label>
        {camera.codecs.length > 1 ? (
          <select
            id={codecId}
            value={camera.codec}
            disabled={codec.busy}
            onChange={(e) => void codec.run(() => api.setCameraCodec(camera.deviceId, e.target.value as VideoCodec))}
          >
            {camera.codecs.map((c) => <option key={c} value={c}>{CODEC_LABEL[c]}</option>)}
          </select>
        ) : (
          <span id={codecId}>{CODEC_LABEL[camera.codec]}</span>
        )}
      </div>
      <ErrorNote message={codec.error} />
      <CameraStreams camera={camera} desktop={desktop} />
      {snapshotUrl && <div className="url-row small"><span className="muted">Snapshot: </span><code className="url" data-url="snapshot">{snapshotUrl}</code></div>}
      <div className="row actions">
        {camera.running ? (
          <button type="button" disabled={toggle.busy} onClick={() => void toggle.run(() => api.stopCamera(camera.deviceId))}>Stop</button>
        ) : (
          <button type="button" className="primary" disabled={toggle.busy} onClick={() => void toggle.run(() => api.startCamera(camera.deviceId))}>Start</button>
        )}
        {camera.running && <button type="button" onClick={onWatch}>Watch</button>}
        {snapshotUrl && (
          <button type="button" onClick={() => copy('snapshot', () => routeUrl(snapshotPath(camera.deviceId), true))} aria-label={`Copy snapshot URL of ${camera.name}`}>
            {copied === 'snapshot' ? 'Copied' : 'Copy snapshot URL'}
          </button>
        )}
        {desktop && (
          <button type="button" disabled={open.busy} onClick={() => void open.run(() => api.openInPlayer(camera.deviceId))}>Open in VLC</button>
        )}
        {diagnose.button}
      </div>
      <ErrorNote message={toggle.error ?? open.error ?? battery.error} />
      {diagnose.report}
    </>
  );
}

/** A camera whose base station has no certificate yet: what to do first, and nothing that looks live. */
function NotEnrolledCard({ camera, onEnroll }: { camera: CameraView; onEnroll: () => void }) {
  return (
    <>
      <div className="card-head">
        <h3 className="card-title">
          {camera.name} <span className="muted">{camera.model}</span>
        </h3>
        <span className="badge badge-idle" data-state="not-enrolled">Not set up</span>
      </div>
      <p className="hint">Its base station is not enrolled yet: enroll it first, and this camera gets its RTSP address.</p>
      <div className="row">
        <button type="button" className="primary" onClick={onEnroll}>Go to base stations</button>
      </div>
    </>
  );
}

/** The last picture seen of a camera, with its age; a placeholder until there is one. */
function Thumbnail({ name, picture }: { name: string; picture: Picture | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);
  if (!picture) return <div className="thumb thumb-empty muted small">No picture yet: the camera shows one once it streams.</div>;
  return (
    <figure className="thumb">
      <img src={picture.url} alt={`Last picture of ${name}`} />
      <figcaption className="muted small" data-stat="picture-age">{formatAge(now - picture.at)}</figcaption>
    </figure>
  );
}

/**
 * The camera's last picture when the card appears (the app keeps it, so a reloaded page shows it
 * again), then, while the camera streams anyway, its latest now and then; never waking it, in the
 * window and on the web alike. A failed take keeps the picture already shown.
 */
function useThumbnail(camera: CameraView, onPicture: (picture: Picture) => void): void {
  const api = useApi();
  const streaming = camera.state === 'media';
  useEffect(() => {
    let cancelled = false;
    const take = async (): Promise<void> => {
      const picture = await api.latestPicture(camera.deviceId).catch(() => undefined);
      if (picture && !cancelled) onPicture({ url: picture.dataUrl, at: picture.takenAt });
    };
    void take();
    if (!streaming) return () => void (cancelled = true);
    const timer = setInterval(() => void take(), THUMBNAIL_REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
    // Restarted only when streaming starts or stops, not for a new callback.
  }, [streaming, camera.deviceId]);
}

function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** Why the stream waits and when it retries, counting down between published states. */
function StatusLine({ camera }: { camera: CameraView }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (camera.state !== 'waiting') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [camera.state]);
  const line = cameraStatusLine(camera, now);
  return line ? <p className="status-line" role="status" data-status={camera.state}>{line}</p> : null;
}
