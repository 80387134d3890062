// The player's one way to a live view, whatever carries it: the WebSocket on the web, a
// MessagePort from the main process on the desktop (see src/main/electron/live-port.ts). Both
// give the player the same messages (src/shared/live.ts) and the fragmented MP4 in order.

import type { ApiResult } from '../../shared/bridge.js';
import { LIVE_PORT_MESSAGE, livePath, type LiveAck, type LiveMessage, type LivePortData } from '../../shared/live.js';
import { desktopBridge, errorMessage } from './client.js';
import { openSocket } from './web-client.js';

export interface LiveHandlers {
  /** The transport is open (the socket connected, the port taken). */
  opened(): void;
  message(message: LiveMessage): void;
  data(bytes: Uint8Array): void;
  /** The transport closed (after an `end` or `error` message, or without one if it broke). */
  closed(): void;
}

/** Opens a live view of `deviceId`; answers the function that closes it. */
export function openLive(deviceId: string, audio: boolean, handlers: LiveHandlers): () => void {
  const desktop = desktopBridge();
  if (!desktop) return openSocketLive(livePath(deviceId, audio), handlers);
  return openPortLive((id) => desktop.openLive({ id, deviceId, audio }), handlers);
}

function openSocketLive(path: string, handlers: LiveHandlers): () => void {
  const ws = openSocket(path);
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('open', () => handlers.opened(), { once: true });
  ws.addEventListener('message', (event: MessageEvent<ArrayBuffer | string>) => {
    if (typeof event.data === 'string') handlers.message(JSON.parse(event.data) as LiveMessage);
    else handlers.data(new Uint8Array(event.data));
  });
  ws.addEventListener('close', () => handlers.closed());
  return () => ws.close();
}

/**
 * Asks for a live view named by a fresh id and takes the port the preload posts to this window
 * with that id. Every piece of MP4 taken is acknowledged (the main process's measure of how far
 * behind this page is). A player closed before its port came still waits for it, to close it:
 * the main process holds the camera until the port closes.
 */
function openPortLive(ask: (id: string) => Promise<ApiResult>, handlers: LiveHandlers): () => void {
  const id = crypto.randomUUID();
  let port: MessagePort | undefined;
  let closed = false;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    port?.close();
  };
  const stopListening = (): void => window.removeEventListener('message', onWindowMessage);
  const onWindowMessage = (event: MessageEvent): void => {
    const data = event.data as Record<string, unknown> | null;
    if (event.source !== window || data?.[LIVE_PORT_MESSAGE] !== id || !event.ports[0]) return;
    stopListening();
    const mine = event.ports[0];
    port = mine;
    if (closed) {
      mine.close();
      return;
    }
    handlers.opened();
    let taken = 0;
    mine.onmessage = (message: MessageEvent<LivePortData>) => {
      if (closed) return;
      const value = message.data;
      if (!ArrayBuffer.isView(value)) {
        handlers.message(value);
        return;
      }
      taken += value.byteLength;
      mine.postMessage({ type: 'ack', bytes: taken } satisfies LiveAck);
      handlers.data(value);
    };
    mine.addEventListener('close', () => {
      if (!closed) handlers.closed();
      finish();
    });
  };
  window.addEventListener('message', onWindowMessage);
  void ask(id)
    .catch((error: unknown): ApiResult => ({ ok: false, error: { code: 'internal', message: errorMessage(error) } }))
    .then((result) => {
      if (result.ok) return;
      // Refused: no port comes.
      stopListening();
      if (closed) return;
      handlers.message({ type: 'error', error: result.error });
      handlers.closed();
      finish();
    });
  return finish;
}
