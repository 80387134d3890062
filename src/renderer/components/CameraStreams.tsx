// A camera's URLs (native, H.264, sub) with what each carries and a copy button, and the "Use in..."
// snippets for Frigate, go2rtc and Home Assistant. Copying asks for the URLs with the LAN password
// at that moment; the page shows them without it.

import { useState } from 'react';
import type { CameraView } from '../../shared/api.js';
import { CAMERA_STREAM_KINDS, type CameraStreamKind, type CameraStreamView, type TranscoderState } from '../../shared/streams.js';
import { useAction, useApi } from '../hooks.js';
import { SNIPPET_TARGETS, snippet, type SnippetTarget } from '../snippets.js';
import { ErrorNote } from './ErrorNote.js';

const KIND_LABEL: Record<CameraStreamKind, string> = { native: 'Native', h264: 'H.264', sub: 'Sub-stream' };
const TRANSCODER_LABEL: Record<TranscoderState, string> = {
  idle: 'transcoded on demand',
  starting: 'transcoder starting',
  running: 'transcoding',
  restarting: 'transcoder restarting',
  failed: 'transcoder failed',
};

function describeStream(stream: CameraStreamView): string {
  const size = stream.width && stream.height ? ` ${stream.width}×${stream.height}` : '';
  const fps = stream.fps ? ` ${stream.fps} fps` : '';
  const how = stream.transcoder ? TRANSCODER_LABEL[stream.transcoder] : 'as the camera sends it';
  return `${stream.codec === 'h265' ? 'H.265' : 'H.264'}${size}${fps}, ${how}`;
}

/** `desktop`: the URLs are shown as text (the window opens them with "Open in VLC"); on the web page they are links a player can take. */
/** The native stream is "the" URL of a camera; the derived ones say which they are. */
function copyLabel(kind: CameraStreamKind, name: string): string {
  return kind === 'native' ? `Copy URL of ${name}` : `Copy ${KIND_LABEL[kind]} URL of ${name}`;
}

export function CameraStreams({ camera, desktop }: { camera: CameraView; desktop: boolean }) {
  const api = useApi();
  const action = useAction();
  const [copied, setCopied] = useState<string>();
  const [target, setTarget] = useState<SnippetTarget>('frigate');
  const shown = Object.fromEntries(camera.streams.map((s) => [s.kind, s.url])) as Record<CameraStreamKind, string>;

  const copy = (what: string, text: () => Promise<string>) =>
    void action.run(async () => {
      await navigator.clipboard.writeText(await text());
      setCopied(what);
      setTimeout(() => setCopied(undefined), 2000);
    });
  const withPasswords = async (): Promise<Record<CameraStreamKind, string>> => {
    const urls = await Promise.all(CAMERA_STREAM_KINDS.map((kind) => api.viewerUrl(camera.deviceId, kind)));
    return Object.fromEntries(CAMERA_STREAM_KINDS.map((kind, i) => [kind, urls[i]!])) as Record<CameraStreamKind, string>;
  };

  return (
    <div className="streams">
      <ul className="stream-list">
        {camera.streams.map((stream) => (
          <li key={stream.kind} data-stream={stream.kind}>
            <span className="stream-kind">{KIND_LABEL[stream.kind]}</span>{' '}
            {desktop
              ? <code className="url" data-url={stream.kind}>{stream.url}</code>
              : <a className="url" data-url={stream.kind} href={stream.url}>{stream.url}</a>}{' '}
            <button type="button" className="small" aria-label={copyLabel(stream.kind, camera.name)}
              onClick={() => copy(stream.kind, () => api.viewerUrl(camera.deviceId, stream.kind))}>
              {copied === stream.kind ? 'Copied' : 'Copy'}
            </button>
            <span className="muted small" data-stream-info={stream.kind}> {describeStream(stream)}{stream.viewers > 0 ? `, ${stream.viewers} watching` : ''}</span>
            {stream.error && <span className="error-note small"> {stream.error}</span>}
          </li>
        ))}
      </ul>
      <details className="use-in">
        <summary>Use in...</summary>
        <div className="row" role="group" aria-label={`Use ${camera.name} in`}>
          {SNIPPET_TARGETS.map((t) => (
            <button key={t.target} type="button" className="small" aria-pressed={target === t.target} onClick={() => setTarget(t.target)}>{t.label}</button>
          ))}
        </div>
        <pre className="snippet" data-snippet={target}>{snippet(target, camera.name, camera.streams, shown)}</pre>
        <button type="button" className="small" aria-label={`Copy the ${target} snippet of ${camera.name}`}
          onClick={() => copy('snippet', async () => snippet(target, camera.name, camera.streams, await withPasswords()))}>
          {copied === 'snippet' ? 'Copied' : 'Copy snippet'}
        </button>
      </details>
      <ErrorNote message={action.error} />
    </div>
  );
}
