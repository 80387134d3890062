// The live view of one camera: fragmented MP4 from the live view's transport, played with Media
// Source Extensions. Kept at the live edge (a live view never lags behind); the first picture's
// time since opening is shown (and kept on the element for tests). HEVC that this browser cannot
// decode is said plainly instead of a black box. It opens muted and without audio (the browser
// then shows the first picture without opening an audio output first); "Sound on" reopens it with
// the camera's audio.

import { useEffect, useRef, useState } from 'react';
import type { CameraView } from '../../shared/api.js';
import type { LiveFormat } from '../../shared/live.js';
import { openLive } from '../api/live.js';

/** Behind the newest picture by more than this, the player jumps to it. */
const MAX_LAG_SECONDS = 1.5;
/** Seconds of played video kept in the buffer. */
const KEEP_SECONDS = 10;

export interface Picture {
  /** A data: URL of the last picture shown. */
  url: string;
  at: number;
}

export function LiveView({ camera, onClose, onPicture }: { camera: CameraView; onClose: () => void; onPicture: (p: Picture) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string>();
  const [format, setFormat] = useState<LiveFormat>();
  const [firstPictureMs, setFirstPictureMs] = useState<number>();
  const [sound, setSound] = useState(false);

  useEffect(() => {
    const element = video.current!;
    const opened = performance.now();
    setProblem(undefined);
    element.muted = !sound;
    const queue: BufferSource[] = [];
    let buffer: SourceBuffer | undefined;
    let objectUrl: string | undefined;
    let closed = false;

    const pump = (): void => {
      if (!buffer || buffer.updating || queue.length === 0) return;
      const ranges = buffer.buffered;
      if (ranges.length > 0 && element.currentTime - ranges.start(0) > KEEP_SECONDS * 2) {
        buffer.remove(ranges.start(0), element.currentTime - KEEP_SECONDS);
        return;
      }
      buffer.appendBuffer(queue.shift()!);
    };
    const keepLive = (): void => {
      const ranges = buffer?.buffered;
      if (!ranges || ranges.length === 0) return;
      const end = ranges.end(ranges.length - 1);
      if (element.currentTime < ranges.start(0) || end - element.currentTime > MAX_LAG_SECONDS) element.currentTime = Math.max(ranges.start(0), end - 0.2);
    };
    const start = (f: LiveFormat): void => {
      if (!window.MediaSource?.isTypeSupported(f.mime)) {
        setProblem(f.hevc
          ? `This camera streams ${f.width >= 3840 ? '4K' : `${f.height}p`} HEVC, which this computer cannot decode here; VLC can (Copy URL).`
          : `This browser cannot play ${f.codec} here; VLC can (Copy URL).`);
        close();
        return;
      }
      setFormat(f);
      const source = new MediaSource();
      objectUrl = URL.createObjectURL(source);
      element.src = objectUrl;
      source.addEventListener('sourceopen', () => {
        if (closed) return;
        buffer = source.addSourceBuffer(f.mime);
        buffer.addEventListener('updateend', () => {
          keepLive();
          pump();
        });
        pump();
      }, { once: true });
    };
    const close = openLive(camera.deviceId, sound, {
      message: (message) => {
        if (message.type === 'format') start(message.format);
        else if (message.type === 'end') setProblem(message.reason);
        else setProblem(message.error.message);
      },
      data: (bytes) => {
        queue.push(bytes);
        pump();
      },
      closed: () => {
        if (!closed && !element.src) setProblem((p) => p ?? 'The live view closed.');
      },
    });
    const shown = (): void => {
      const ms = Math.round(performance.now() - opened);
      element.dataset.firstPictureMs = String(ms);
      setFirstPictureMs(ms);
    };
    element.addEventListener('loadeddata', shown, { once: true });

    return () => {
      closed = true;
      close();
      const picture = grab(element);
      if (picture) onPicture(picture);
      element.removeAttribute('src');
      element.load();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
    // The view belongs to one camera; reopening it for a new callback would restart the stream.
  }, [camera.deviceId, sound]);

  return (
    <div className="live" role="dialog" aria-label={`Live view of ${camera.name}`}>
      <div className="title-row">
        <h3>Live: {camera.name}</h3>
        <span className="muted small" aria-live="polite">
          {format && `${format.width}×${format.height} ${format.hevc ? 'HEVC' : 'H.264'}`}
          {firstPictureMs !== undefined && ` · first picture in ${firstPictureMs} ms`}
        </span>
        <button type="button" aria-pressed={sound} onClick={() => setSound((on) => !on)}>{sound ? 'Sound off' : 'Sound on'}</button>
        <button type="button" onClick={onClose}>Close live view</button>
      </div>
      {problem && <p className="error-note" role="alert">{problem}</p>}
      <video ref={video} className="live-video" autoPlay muted playsInline aria-label={`Live video of ${camera.name}`} />
    </div>
  );
}

/** The picture on screen as a small JPEG, for the card's thumbnail. */
function grab(element: HTMLVideoElement): Picture | undefined {
  if (element.videoWidth === 0) return undefined;
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = Math.round((320 * element.videoHeight) / element.videoWidth);
  canvas.getContext('2d')?.drawImage(element, 0, 0, canvas.width, canvas.height);
  return { url: canvas.toDataURL('image/jpeg', 0.8), at: Date.now() };
}
