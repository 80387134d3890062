// One live view served over one transport (the web's WebSocket, the desktop's MessagePort): the
// rules both share, so a player sees the same messages on either. The camera's hub takes the
// transport's queue as a socket's (`LiveSink.queued`): a player that stops reading loses pictures
// up to the next keyframe, and one stalled too long is let go with an `end` message.

import type { LiveMessage } from '../../shared/live.js';
import { toApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CameraMedia } from './media.js';
import type { LiveOptions } from './watch.js';

/** The main process's end of a live view's transport. */
export interface LiveTransport {
  send(message: LiveMessage): void;
  sendBytes(bytes: Uint8Array): void;
  /** Bytes sent that the player has not taken yet. */
  queued(): number;
  /** Closes the transport once the view has ended (after its `end` or `error` message). */
  close(): void;
}

/**
 * Serves a live view of `deviceId` on `transport` until it ends; answers the function to call
 * when the transport closed from the player's side, which releases the camera (the hub's lease).
 */
export function serveLive(media: CameraMedia, deviceId: string, options: LiveOptions, transport: LiveTransport, logger: Logger): () => void {
  let stop: (() => void) | undefined;
  let closed = false;
  media
    .watchLive(deviceId, {
      format: (format) => transport.send({ type: 'format', format }),
      data: (bytes) => transport.sendBytes(bytes),
      end: (reason) => {
        transport.send({ type: 'end', reason });
        transport.close();
      },
      queued: () => transport.queued(),
    }, options)
    .then(
      (close) => {
        stop = close;
        if (closed) close();
      },
      (error: unknown) => {
        const payload = toApiError(error);
        if (payload.code === 'internal') logger.error({ err: error, deviceId }, 'live view failed');
        transport.send({ type: 'error', error: payload });
        transport.close();
      },
    );
  return () => {
    if (closed) return;
    closed = true;
    stop?.();
  };
}
