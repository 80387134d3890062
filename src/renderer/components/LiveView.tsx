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
  /** Set when the view stopped in a way watching again can mend (the window hidden, the stream lost). */
  const [stopped, setStopped] = useState(false);
  /** Counts "Watch again" clicks: each opens the view anew. */
  const [attempt, setAttempt] = useState(0);
  const dialog = useRef<HTMLDivElement>(null);

  // Opened from a card further down the page, the view (above the cards) would be out of sight,
  // and a browser pauses a muted video it cannot see: bring it into view as it opens.
  useEffect(() => {
    dialog.current?.scrollIntoView({ block: 'nearest' });
  }, []);

  useEffect(() => {
    const element = video.current!;
    const opened = performance.now();
    setProblem(undefined);
    setStopped(false);
    element.muted = !sound;
    // The transport and the MediaSource open at once: the media pipeline starts while the app
    // attaches to the camera, so the SourceBuffer is ready when the format and init segment come.
    const source = new MediaSource();
    const objectUrl = URL.createObjectURL(source);
    element.src = objectUrl;
    const queue: Uint8Array[] = [];
    let mime: string | undefined;
    let buffer: SourceBuffer | undefined;
    let closed = false;
    // The element outlives this view when it reopens with sound: its listeners go with the view.
    const listening = new AbortController();
    const { signal } = listening;
    const timing = new Timing(element, opened);
    for (const name of ['loadeddata', 'playing'] as const) element.addEventListener(name, () => timing.mark(name), { once: true, signal });

    // After the view closed, its SourceBuffer is removed from the detached MediaSource (reading it
    // throws), yet an append in flight still ends and the transport may still hand over bytes.
    const pump = (): void => {
      if (closed || !buffer || buffer.updating || queue.length === 0) return;
      const ranges = buffer.buffered;
      if (ranges.length > 0 && element.currentTime - ranges.start(0) > KEEP_SECONDS * 2) {
        buffer.remove(ranges.start(0), element.currentTime - KEEP_SECONDS);
        return;
      }
      // Everything that came meanwhile in one append: each append is a round trip through the
      // media pipeline, and the cached pictures come in a burst.
      buffer.appendBuffer(concat(queue.splice(0)));
    };
    const keepLive = (): void => {
      if (closed) return;
      const ranges = buffer?.buffered;
      if (!ranges || ranges.length === 0) return;
      const end = ranges.end(ranges.length - 1);
      if (element.currentTime < ranges.start(0) || end - element.currentTime > MAX_LAG_SECONDS) element.currentTime = Math.max(ranges.start(0), end - 0.2);
    };
    const addBuffer = (): void => {
      if (closed || buffer || !mime || source.readyState !== 'open') return;
      buffer = source.addSourceBuffer(mime);
      timing.mark('sourceBuffer');
      buffer.addEventListener('updateend', () => {
        timing.mark('firstAppend');
        keepLive();
        pump();
      }, { signal });
      pump();
    };
    source.addEventListener('sourceopen', () => {
      timing.mark('sourceOpen');
      addBuffer();
    }, { once: true });
    const start = (f: LiveFormat): void => {
      if (!window.MediaSource?.isTypeSupported(f.mime)) {
        setProblem(f.hevc
          ? `This camera streams ${f.width >= 3840 ? '4K' : `${f.height}p`} HEVC, which this computer cannot decode here; VLC can (Copy URL).`
          : `This browser cannot play ${f.codec} here; VLC can (Copy URL).`);
        close();
        return;
      }
      setFormat(f);
      mime = f.mime;
      addBuffer();
    };
    const close = openLive(camera.deviceId, sound, {
      opened: () => timing.mark('transportOpen'),
      message: (message) => {
        if (message.type === 'format') {
          timing.mark('format');
          start(message.format);
        } else if (message.type === 'end') {
          setProblem(message.reason);
          setStopped(true);
        } else setProblem(message.error.message);
      },
      data: (bytes) => {
        timing.mark('firstBytes');
        queue.push(bytes);
        pump();
      },
      closed: () => {
        if (closed) return;
        // Refused before any picture (the daily cap, a codec it cannot play): watching again would not help.
        if (!mime) setProblem((p) => p ?? 'The live view closed.');
        else setStopped(true);
      },
    });
    // The first picture is the first frame the element hands to the compositor (where the
    // browser can say so), else the moment it has one to show.
    const shown = (): void => {
      if (element.dataset.firstPictureMs !== undefined) return;
      const ms = timing.mark('firstPicture');
      element.dataset.firstPictureMs = String(ms);
      setFirstPictureMs(ms);
    };
    const frameCallback = typeof element.requestVideoFrameCallback === 'function' ? element.requestVideoFrameCallback(shown) : undefined;
    if (frameCallback === undefined) element.addEventListener('loadeddata', shown, { once: true, signal });

    return () => {
      closed = true;
      listening.abort();
      if (frameCallback !== undefined) element.cancelVideoFrameCallback(frameCallback);
      close();
      const picture = grab(element);
      if (picture) onPicture(picture);
      element.removeAttribute('src');
      delete element.dataset.firstPictureMs;
      element.load();
      URL.revokeObjectURL(objectUrl);
    };
    // The view belongs to one camera; reopening it for a new callback would restart the stream.
  }, [camera.deviceId, sound, attempt]);

  return (
    <div ref={dialog} className="live" role="dialog" aria-label={`Live view of ${camera.name}`}>
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
      {stopped && <button type="button" onClick={() => setAttempt((n) => n + 1)}>Watch again</button>}
      <video ref={video} className="live-video" autoPlay muted playsInline aria-label={`Live video of ${camera.name}`} />
    </div>
  );
}

/**
 * When each step of opening happened, in ms since the view opened: kept on the element as
 * `data-timing` (JSON) so the first-picture time can be taken apart (tests print it).
 */
class Timing {
  readonly #marks: Record<string, number> = {};
  constructor(readonly element: HTMLVideoElement, readonly opened: number) {
    delete element.dataset.timing;
  }
  /** Records the first time `name` happens; answers its time. */
  mark(name: string): number {
    this.#marks[name] ??= Math.round(performance.now() - this.opened);
    this.element.dataset.timing = JSON.stringify(this.#marks);
    return this.#marks[name];
  }
}

function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
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
