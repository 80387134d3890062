// The main screen: every camera with its live state, counters and URL, and the actions on it.

import { useEffect, useState } from 'react';
import type { CameraView, VideoCodec } from '../../shared/api.js';
import { STATE_LABEL, cameraStatusLine } from '../../shared/camera-status.js';
import { formatBitrate, formatBytes } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { ErrorNote } from './ErrorNote.js';

const CODEC_LABEL: Record<VideoCodec, string> = { avc: 'H.264 (up to 1080p)', hevc: 'H.265 (4K)' };

export function Cameras({ cameras, desktop }: { cameras: CameraView[]; desktop: boolean }) {
  const api = useApi();
  const all = useAction();
  const streaming = cameras.filter((c) => c.state === 'media').length;
  return (
    <section className="panel" aria-labelledby="cameras-title">
      <div className="title-row">
        <h2 id="cameras-title">Cameras</h2>
        <p className="muted" aria-live="polite">{streaming} of {cameras.length} streaming</p>
        <div className="row">
          <button type="button" disabled={all.busy} onClick={() => void all.run(() => api.startAll())}>Start all</button>
          <button type="button" disabled={all.busy} onClick={() => void all.run(() => api.stopAll())}>Stop all</button>
        </div>
      </div>
      <ErrorNote message={all.error} />
      {cameras.length === 0 ? (
        <p className="hint">No camera that can stream locally yet. Enroll a base station and refresh devices.</p>
      ) : (
        <ul className="cards">
          {cameras.map((camera) => (
            <li key={camera.deviceId} className="card" aria-label={camera.name}>
              <CameraCard camera={camera} desktop={desktop} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CameraCard({ camera, desktop }: { camera: CameraView; desktop: boolean }) {
  const api = useApi();
  const toggle = useAction();
  const codec = useAction();
  const open = useAction();
  const [copied, setCopied] = useState(false);
  const codecId = `codec-${camera.deviceId}`;

  const copy = () =>
    void open.run(async () => {
      await navigator.clipboard.writeText(camera.url);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    });

  return (
    <>
      <div className="card-head">
        <h3 className="card-title">
          {camera.name} <span className="muted">{camera.model}</span>
        </h3>
        <span className={`badge badge-${camera.state}`} data-state={camera.state}>{STATE_LABEL[camera.state]}</span>
      </div>
      {camera.state === 'error' ? <ErrorNote message={camera.error ?? 'The stream failed.'} /> : camera.running && <StatusLine camera={camera} />}
      <dl className="stats">
        <div><dt>Viewers</dt><dd data-stat="viewers">{camera.viewers}</dd></div>
        <div><dt>Received</dt><dd data-stat="bytes-in">{formatBytes(camera.bytesIn)}</dd></div>
        <div><dt>Sent</dt><dd data-stat="bytes-out">{formatBytes(camera.bytesOut)}</dd></div>
        <div><dt>Bitrate</dt><dd data-stat="bitrate">{formatBitrate(camera.bitrate)}</dd></div>
        {camera.keepAliveFailures > 0 && (
          <div><dt>Keep-alives unanswered</dt><dd data-stat="keep-alive-failures">{camera.keepAliveFailures}</dd></div>
        )}
      </dl>
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
      <div className="url-row">
        {desktop ? <code className="url">{camera.url}</code> : <a className="url" href={camera.url}>{camera.url}</a>}
      </div>
      <div className="row">
        {camera.running ? (
          <button type="button" disabled={toggle.busy} onClick={() => void toggle.run(() => api.stopCamera(camera.deviceId))}>Stop</button>
        ) : (
          <button type="button" className="primary" disabled={toggle.busy} onClick={() => void toggle.run(() => api.startCamera(camera.deviceId))}>Start</button>
        )}
        <button type="button" onClick={copy} aria-label={`Copy URL of ${camera.name}`}>{copied ? 'Copied' : 'Copy URL'}</button>
        {desktop && (
          <button type="button" disabled={open.busy} onClick={() => void open.run(() => api.openInPlayer(camera.deviceId))}>Open in VLC</button>
        )}
      </div>
      <ErrorNote message={toggle.error ?? open.error} />
    </>
  );
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
