// Live views in the desktop window, over MessagePorts (Electron's documented pattern): the page
// asks on IPC_LIVE_CHANNEL; the main process makes a MessageChannelMain, serves the camera's live
// view on one end (serveLive: one more viewer of the camera's hub, its lease released when the
// port closes) and posts the other end to the page with `webContents.postMessage`; the preload
// hands it on to the page. Only our page, in its main frame, may open one (the IPC rule).
//
// A port has no bufferedAmount: the page acknowledges the bytes it has taken (LiveAck), and what
// it has not is the view's queue, so the hub's rules for a slow viewer hold here too and nothing
// piles up in this process. A view ends when either side closes its port (the page closing the
// player, reloading or crashing closes the page's end), when the window is hidden to the tray or
// its page goes away.
//
// Types only from Electron, so the logic is checked against Electron's types where main.ts wires it.

import { IPC_LIVE_CHANNEL, IPC_LIVE_PORT_CHANNEL, type ApiResult } from '../../shared/bridge.js';
import { isLiveAck, isLiveRequest, LIVE_PORT_MESSAGE, type LiveRequest } from '../../shared/live.js';
import type { Logger } from '../log.js';
import type { CameraMedia } from '../live/media.js';
import { serveLive } from '../live/serve.js';
import { refuseUntrusted, type InvokeEventLike } from './ipc.js';

/** The part of a MessagePortMain a live view uses. */
export interface LivePortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
  postMessage(message: unknown): void;
}

/** The part of a WebContents that receives live ports. */
export interface LiveSenderLike<Port> {
  postMessage(channel: string, message: unknown, transfer: Port[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface LiveInvokeEventLike<Port> extends InvokeEventLike {
  sender: LiveSenderLike<Port>;
}

export interface LiveIpcMainLike<Port> {
  handle(channel: string, listener: (event: LiveInvokeEventLike<Port>, ...args: unknown[]) => Promise<unknown>): void;
}

export interface LivePortsOptions<Port extends LivePortLike> {
  ipcMain: LiveIpcMainLike<Port>;
  /** `new MessageChannelMain()`. */
  createChannel(): { port1: Port; port2: Port };
  media: CameraMedia;
  isTrustedUrl(url: string): boolean;
  logger: Logger;
}

export interface LivePorts {
  /** Ends every live view of a page (its window hidden, say), telling the player why. */
  endAll(sender: object, reason: string): void;
}

interface View {
  end(reason: string): void;
}

export function bindLivePorts<Port extends LivePortLike>({ ipcMain, createChannel, media, isTrustedUrl, logger }: LivePortsOptions<Port>): LivePorts {
  const viewsOf = new Map<object, Set<View>>();

  function endAll(sender: object, reason: string): void {
    for (const view of viewsOf.get(sender) ?? []) view.end(reason);
  }

  /** The views of a page seen for the first time, ended when the page goes away. */
  function watchSender(sender: LiveSenderLike<Port>): Set<View> {
    const views = new Set<View>();
    viewsOf.set(sender, views);
    sender.once('destroyed', () => {
      endAll(sender, 'The window closed.');
      viewsOf.delete(sender);
    });
    return views;
  }

  function open(sender: LiveSenderLike<Port>, request: LiveRequest): ApiResult {
    const { port1: port, port2: pagePort } = createChannel();
    try {
      sender.postMessage(IPC_LIVE_PORT_CHANNEL, { [LIVE_PORT_MESSAGE]: request.id }, [pagePort]);
    } catch (error) {
      // The page went away meanwhile (Electron: "Render frame was disposed").
      port.close();
      logger.debug({ err: error }, 'the live port could not be posted');
      return { ok: false, error: { code: 'page-gone', message: 'The page closed before its live view could start.' } };
    }
    const views = viewsOf.get(sender) ?? watchSender(sender);
    let sent = 0;
    let taken = 0;
    let released = false;
    const closed = serveLive(media, request.deviceId, { audio: request.audio }, {
      send: (message) => port.postMessage(message),
      sendBytes: (bytes) => {
        sent += bytes.byteLength;
        port.postMessage(ownBuffer(bytes));
      },
      queued: () => sent - taken,
      close: () => {
        port.close();
        release();
      },
    }, logger);
    function release(): void {
      if (released) return;
      released = true;
      views.delete(view);
      closed();
      logger.debug({ deviceId: request.deviceId }, 'desktop live view closed');
    }
    const view: View = {
      end(reason) {
        port.postMessage({ type: 'end', reason });
        port.close();
        release();
      },
    };
    views.add(view);
    port.on('message', ({ data }) => {
      if (isLiveAck(data)) taken = Math.min(sent, Math.max(taken, data.bytes));
    });
    port.on('close', release);
    port.start();
    logger.debug({ deviceId: request.deviceId }, 'desktop live view opened');
    return { ok: true, value: undefined };
  }

  ipcMain.handle(IPC_LIVE_CHANNEL, async (event, request): Promise<ApiResult> => {
    const refused = refuseUntrusted(event, isTrustedUrl, logger);
    if (refused) return refused;
    if (!isLiveRequest(request)) return { ok: false, error: { code: 'bad-request', message: 'A live view needs an id, a camera and whether to play sound.' } };
    return open(event.sender, request);
  });

  return { endAll };
}

/**
 * The bytes in an ArrayBuffer of their own: a structured clone of a view copies its whole buffer,
 * and the muxer's pieces may be views into a larger one.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
