// A small stand-in for Electron 45's main-process `electron` module, so the real built
// dist/main/electron/main.js runs unmodified under plain Node (register.mjs maps `electron` here).
// It keeps only what the app uses, and each rule follows Electron's documented behaviour or its
// source (electron/electron: docs/api/*.md, lib/browser/api/*.ts, shell/browser/*.cc), cited
// beside it. What the app hands Electron is recorded; the test drives and reads it over the Node
// IPC channel of the forked process (see driver.ts), never by reaching into the app.
'use strict';

const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { createCipheriv, createDecipheriv, createHash, pbkdf2Sync } = require('node:crypto');
const vm = require('node:vm');
const { execFileSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { MessageChannel: NodeMessageChannel } = require('node:worker_threads');

const platform = process.platform;
const mainScript = process.argv[1];
/** The app's package.json: Electron reads name, productName and version from it (docs/api/app.md `app.name`). */
const appDir = findAppDir(path.dirname(mainScript));
const pkg = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8'));

/** Everything the app gave Electron, for the test to read. */
const record = {
  ready: false,
  menuBuilds: 0,
  applicationMenu: undefined,
  loginItem: { openAtLogin: false, args: [] },
  loginItemCalls: 0,
  dockHidden: false,
  dialogs: [],
  errorBoxes: [],
  openedExternal: [],
  clipboard: '',
  sessionPreloads: [],
  /** Every net.request the app made: what it asked Chromium for (no header values: they hold tokens). */
  netRequests: [],
  exitCode: undefined,
};

// ---------------------------------------------------------------------------------------------
// Events: Electron's native emit passes an Event whose preventDefault() the C++ side reads
// (shell/common/gin_helper/event_emitter.h `EmitWithEvent`).
function preventable(extra = {}) {
  const event = { defaultPrevented: false, preventDefault() { event.defaultPrevented = true; }, ...extra };
  return event;
}

// ---------------------------------------------------------------------------------------------
// app — shell/browser/browser.cc (Quit, Exit, NotifyAndShutdown, OnWindowAllClosed).
class App extends EventEmitter {
  #quitting = false; // Browser::is_quitting_
  #exiting = false; // Browser::is_exiting_
  #shutdown = false; // Browser::is_shutdown_
  #ready = false;
  #readyPromise;
  name = pkg.productName ?? pkg.name;
  /** docs/api/app.md: false when run by the default `electron` binary, true in a packaged app. */
  isPackaged = mainScript.includes(`${path.sep}app.asar${path.sep}`) || process.env.HARNESS_PACKAGED === '1';
  commandLine = { appendSwitch() {}, hasSwitch: () => false, getSwitchValue: () => '' };

  constructor() {
    super();
    this.#readyPromise = new Promise((resolve) => this.once('ready', () => resolve()));
    // lib/browser/init.ts: with no other 'window-all-closed' listener, closing the last window quits.
    this.on('window-all-closed', () => {
      if (this.listenerCount('window-all-closed') === 1) this.quit();
    });
    // docs/api/app.md `app.dock` is macOS only (undefined elsewhere).
    if (platform === 'darwin') {
      this.dock = {
        hide() { record.dockHidden = true; },
        show() { record.dockHidden = false; return Promise.resolve(); },
        isVisible: () => !record.dockHidden,
      };
    }
    // The main script runs first; 'ready' comes from the message loop afterwards.
    setImmediate(() => {
      this.#ready = true;
      record.ready = true;
      this.emit('ready', preventable(), {});
    });
  }

  isReady() { return this.#ready; }
  whenReady() { return this.#readyPromise; }
  getName() { return this.name; }
  getVersion() { return pkg.version; }
  getAppPath() { return appDir; }
  getLocale() { return 'en-US'; }
  setAppUserModelId() {}

  /** docs/api/app.md `app.getPath`: userData is appData/<name>; on Linux appData is $XDG_CONFIG_HOME or ~/.config. */
  getPath(name) {
    const home = os.homedir();
    const appData = platform === 'darwin' ? path.join(home, 'Library', 'Application Support')
      : platform === 'win32' ? (process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
        : (process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'));
    const paths = {
      home,
      appData,
      userData: path.join(appData, this.name),
      logs: platform === 'darwin' ? path.join(home, 'Library', 'Logs', this.name) : path.join(appData, this.name, 'logs'),
      temp: os.tmpdir(),
      exe: process.execPath,
    };
    if (!(name in paths)) throw new Error(`Failed to get '${name}' path`);
    return paths[name];
  }

  /**
   * Browser::Quit: ignored while quitting; before-quit may cancel; with no window, will-quit is
   * emitted at once, nested in this JS call; else the windows are asked to close, and the last one
   * closing brings will-quit as a task of its own.
   */
  quit() {
    if (this.#quitting) return;
    const beforeQuit = preventable();
    this.emit('before-quit', beforeQuit);
    this.#quitting = !beforeQuit.defaultPrevented;
    if (!this.#quitting) return;
    if (windows.length === 0) this.#notifyAndShutdown(false);
    else for (const win of [...windows]) win.close();
  }

  /** Browser::ExitWithCode: no before-quit/will-quit; windows destroyed without 'close'; then quit. */
  exit(code = 0) {
    record.exitCode = code;
    if (!this.#ready) process.exit(code); // "Message loop is not ready, quit directly."
    this.#quitting = true;
    this.#exiting = true;
    if (windows.length === 0) this.#finish(code);
    else for (const win of [...windows]) win.destroy();
  }

  /**
   * Browser::NotifyAndShutdown: will-quit may cancel, and is_quitting_ is reset only when the emit
   * has returned. Emitted from a native task (`asTask`), the listeners' microtasks run before that
   * (shell/common/gin_helper/event_emitter_caller.cc: MicrotasksScope kRunMicrotasks); nested in a
   * JS call, they run after it.
   */
  #notifyAndShutdown(asTask) {
    if (this.#shutdown) return;
    const willQuit = preventable();
    const afterEmit = () => {
      if (willQuit.defaultPrevented) this.#quitting = false;
      else this.#finish(record.exitCode ?? 0);
    };
    if (!asTask) {
      this.emit('will-quit', willQuit);
      afterEmit();
      return;
    }
    setImmediate(() => {
      this.emit('will-quit', willQuit);
      // Node drains microtasks after each immediate callback, so the listeners' chains settle first.
      setImmediate(afterEmit);
    });
  }

  /** Browser::Shutdown: 'quit', then the message loop ends and the process with it. */
  #finish(code) {
    if (this.#shutdown) return;
    this.#shutdown = true;
    this.#quitting = true;
    this.emit('quit', preventable(), code);
    // Node's handles do not keep Electron alive once its message loop has ended, nor before.
    process.exit(code);
  }

  /** Browser::OnWindowAllClosed, reached from a window's destruction (a native task). */
  _windowsAllClosed() {
    if (this.#exiting) this.#finish(record.exitCode ?? 0);
    else if (this.#quitting) this.#notifyAndShutdown(true);
    else this.emit('window-all-closed');
  }

  /** Browser::OnWindowCloseCancelled: a window refusing to close cancels the quit. */
  _windowCloseCancelled() {
    if (this.#quitting) this.#quitting = false;
  }

  /**
   * Linux's ProcessSingleton (docs/api/app.md requestSingleInstanceLock): a lock and a socket in
   * userData; the second instance sends its argv synchronously to the first and gets false.
   */
  requestSingleInstanceLock(additionalData) {
    const dir = this.getPath('userData');
    fs.mkdirSync(dir, { recursive: true });
    const lock = path.join(dir, 'SingletonLock');
    const socket = path.join(dir, 'SingletonSocket');
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
    } catch {
      const holder = Number(fs.readFileSync(lock, 'utf8'));
      if (isAlive(holder)) {
        const message = JSON.stringify({ argv: process.argv, cwd: process.cwd(), additionalData });
        const send = `const s=require('net').connect(process.argv[1],()=>s.end(process.argv[2]));s.on('close',()=>process.exit(0));s.on('error',()=>process.exit(1))`;
        try { execFileSync(process.execPath, ['-e', send, socket, message], { timeout: 10_000 }); } catch { /* first instance gone */ }
        return false;
      }
      fs.writeFileSync(lock, String(process.pid));
    }
    fs.rmSync(socket, { force: true });
    const server = net.createServer((conn) => {
      let text = '';
      conn.on('data', (d) => { text += d; });
      conn.on('end', () => {
        const { argv, cwd, additionalData: data } = JSON.parse(text);
        this.emit('second-instance', preventable(), argv, cwd, data);
      });
    });
    server.listen(socket);
    server.unref();
    process.on('exit', () => { fs.rmSync(lock, { force: true }); fs.rmSync(socket, { force: true }); });
    return true;
  }

  /** docs/api/app.md: setLoginItemSettings is macOS and Windows only; on Linux it does nothing. */
  setLoginItemSettings(settings) {
    if (platform !== 'darwin' && platform !== 'win32') return;
    record.loginItemCalls += 1;
    record.loginItem = { openAtLogin: settings.openAtLogin === true, args: settings.args ?? [] };
  }

  getLoginItemSettings() {
    return { openAtLogin: record.loginItem.openAtLogin, wasOpenedAtLogin: false, executableWillLaunchAtLogin: record.loginItem.openAtLogin };
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const app = new App();

// ---------------------------------------------------------------------------------------------
// Structured clone: ipcRenderer/webContents.send "serialize with the Structured Clone Algorithm
// ... sending Functions, Promises, Symbols, WeakMaps, or WeakSets will throw" (docs/api/ipc-renderer.md).
const clone = (value) => structuredClone(value);

// ipcMain — lib/browser/ipc-main-impl.ts: handle() refuses a second handler for a channel.
class IpcMain extends EventEmitter {
  _handlers = new Map();
  handle(channel, listener) {
    if (this._handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this._handlers.set(channel, listener);
  }
  handleOnce(channel, listener) {
    this.handle(channel, (...args) => { this.removeHandler(channel); return listener(...args); });
  }
  removeHandler(channel) { this._handlers.delete(channel); }
}
const ipcMain = new IpcMain();

// ---------------------------------------------------------------------------------------------
// MessageChannelMain / MessagePortMain — docs/api/message-port-main.md, lib/browser/message-port-main.ts
// and shell/browser/api/message_port.cc, over a Node MessageChannel (the same structured clone:
// a typed array arrives as a Uint8Array with its whole ArrayBuffer copied):
// - messages wait until start() (the connector is paused until Start); 'message' gives { data, ports };
// - close() emits 'close' on this port at once (MessagePort::Close ends with EmitEvent "close"),
//   and the other end emits 'close' when the pipe reports it gone (the connection error handler);
// - postMessage on a closed or transferred port does nothing (`if (!IsEntangled()) return`);
// - a port transferred (webContents.postMessage) is neutered: it cannot be used or sent again.
class MessagePortMain extends EventEmitter {
  #port;
  #started = false;
  #closed = false;
  #neutered = false;
  constructor(port) {
    super();
    this.#port = port;
    port.on('close', () => this.#disconnected());
  }
  start() {
    if (this.#closed || this.#neutered || this.#started) return;
    this.#started = true;
    // A Node port starts delivering once it has a 'message' listener: until then messages wait.
    this.#port.on('message', (data) => this.emit('message', { data, ports: [] }));
  }
  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#neutered) this.#port.close();
    this.emit('close');
  }
  postMessage(message, transfer = []) {
    if (this.#closed || this.#neutered) return;
    this.#port.postMessage(message, disentangle(transfer));
  }
  #disconnected() {
    if (this.#closed || this.#neutered) return;
    this.#closed = true;
    this.emit('close');
  }
  /** The pipe, for a transfer: this port is done. */
  _disentangle(index) {
    if (this.#neutered || this.#closed) throw new Error(`Port at index ${index} is already neutered.`);
    this.#neutered = true;
    return this.#port;
  }
}
class MessageChannelMain {
  constructor() {
    const { port1, port2 } = new NodeMessageChannel();
    this.port1 = new MessagePortMain(port1);
    this.port2 = new MessagePortMain(port2);
  }
}
/** MessagePort::DisentanglePorts (and PostMessage's type check): MessagePortMains only, once each. */
function disentangle(transfer) {
  if (!Array.isArray(transfer)) throw new TypeError('transferables must be an array of MessagePorts');
  transfer.forEach((port, i) => {
    if (!(port instanceof MessagePortMain)) throw new TypeError(`Port at index ${i} is not a valid port`);
    if (transfer.indexOf(port) !== i) throw new Error(`Port at index ${i} is a duplicate.`);
  });
  return transfer.map((port, i) => port._disentangle(i));
}

// ---------------------------------------------------------------------------------------------
// session — the app's windows share the default session. docs/api/session.md `fromPartition`: the
// same partition gives the same Session; a `persist:` one lives on disk, any other in memory; the
// empty partition is the default session.
class Session {
  constructor(partition) { this.partition = partition; this.persistent = partition.startsWith('persist:'); }
}
const defaultSession = Object.assign(new Session(''), {
  webRequest: { onBeforeRequest(filter, listener) { defaultSession._beforeRequest = listener ?? filter; } },
  setPermissionRequestHandler(handler) { defaultSession._permissionRequest = handler; },
  setPermissionCheckHandler(handler) { defaultSession._permissionCheck = handler; },
  registerPreloadScript(script) { record.sessionPreloads.push(script.filePath ?? String(script)); return 'id'; },
  setPreloads(list) { record.sessionPreloads.push(...list); },
  getPreloads: () => [...record.sessionPreloads],
  getPreloadScripts: () => record.sessionPreloads.map((filePath) => ({ filePath, type: 'frame' })),
});
const partitions = new Map([['', defaultSession]]);
const session = {
  defaultSession,
  fromPartition(partition) {
    if (typeof partition !== 'string') throw new TypeError('partition must be a string');
    if (!partitions.has(partition)) partitions.set(partition, new Session(partition));
    return partitions.get(partition);
  },
};

// ---------------------------------------------------------------------------------------------
// net.request — lib/common/api/net-client-request.ts (options, setHeader, redirect policies,
// abort, IncomingMessage.headers) over real HTTP, standing in for Chromium's network stack.
// Chromium's own parts, as documented: it advertises the encodings it decodes when the caller set
// no Accept-Encoding and hands the body over decoded (net/url_request/url_request_http_job.cc), and
// sends the session's User-Agent when the caller set none. Cookies from a session's store
// (`credentials: 'include'`, `useSessionCookies`) are not modelled: the app must not rely on them.
const http = require('node:http');
const zlib = require('node:zlib');
const ELECTRON_USER_AGENT = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ${pkg.name}/${pkg.version} Chrome/140.0.7339.249 Electron/45.4.1 Safari/537.36`;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DISCARDABLE_DUPLICATES = new Set(['content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization', 'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires']);
const { Readable, Writable } = require('node:stream');

class IncomingMessage extends Readable {
  constructor(response) {
    super();
    this._response = response;
    this.statusCode = response.statusCode;
    this.statusMessage = response.statusMessage;
  }
  _read() {}
  /** The getter's rules: one value for the discardable duplicates, others joined by ', ', set-cookie an array. */
  get headers() {
    const out = {};
    for (const [name, value] of Object.entries(this._response.headers)) {
      if (name === 'set-cookie') continue;
      const values = Array.isArray(value) ? value : [value];
      out[name] = DISCARDABLE_DUPLICATES.has(name) ? values[0] : values.join(', ');
    }
    const cookies = this._response.headers['set-cookie'];
    if (cookies?.length) out['set-cookie'] = cookies;
    return out;
  }
}

class ClientRequest extends Writable {
  constructor(options) {
    super({ autoDestroy: true });
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('ClientRequest only supports http: and https: protocols');
    if (url.protocol === 'https:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`harness: net.request reaches loopback only, not ${url.href}`);
    const redirect = options.redirect ?? 'follow';
    if (!['follow', 'error', 'manual'].includes(redirect)) throw new Error('redirect mode should be one of follow, error or manual');
    if (options.credentials === 'same-origin' && !options.origin) throw new Error('credentials: same-origin requires origin to be set');
    if (options.session !== undefined && !(options.session instanceof Session)) throw new TypeError('`session` should be an instance of the Session class');
    const cookiesFromStore = options.credentials === 'include' || options.credentials === 'same-origin' || (options.credentials === undefined && options.useSessionCookies);
    if (cookiesFromStore) throw new Error('harness: cookies from the session store are not modelled');
    if (redirect === 'follow') throw new Error('harness: redirects followed by Chromium are not modelled');
    this._url = url;
    this._method = (options.method ?? 'GET').toUpperCase();
    this._redirect = redirect;
    this._headers = new Map();
    this._body = [];
    this._started = false;
    this._aborted = false;
    this._record = { url: url.href, method: this._method, partition: (options.session ?? defaultSession).partition, credentials: options.credentials, redirect, headerNames: [] };
    record.netRequests.push(this._record);
  }
  setHeader(name, value) {
    if (this._started) throw new Error("Can't set headers after they are sent");
    if (typeof name !== 'string') throw new TypeError('`name` should be a string in setHeader(name, value)');
    if (value == null) throw new Error(`\`value\` required in setHeader("${name}", value)`);
    if (!HEADER_NAME.test(name)) throw new Error(`Invalid header name: '${name}'`);
    if (/[\r\n\0]/.test(String(value))) throw new Error(`Invalid value for header '${name}': '${value}'`);
    this._headers.set(name.toLowerCase(), { name, value: String(value) });
  }
  getHeader(name) { return this._headers.get(name.toLowerCase())?.value; }
  removeHeader(name) { if (this._started) throw new Error("Can't remove headers after they are sent"); this._headers.delete(name.toLowerCase()); }
  _write(chunk, _encoding, callback) { this._body.push(Buffer.from(chunk)); callback(); }
  _final(callback) { this._start(); callback(); }
  followRedirect() { if (!this._followRedirectCb) throw new Error('followRedirect() called, but was not waiting for a redirect'); this._followRedirectCb(); }
  abort() {
    if (!this._aborted) process.nextTick(() => this.emit('abort'));
    this._aborted = true;
    this._die();
  }
  _die(error) {
    if (this._writableState.destroyed && error) this.emit('error', error);
    this.destroy(error);
    this._outgoing?.destroy();
    if (this._response) this._response.destroy(error);
  }
  _start() {
    this._started = true;
    const headers = Object.fromEntries([...this._headers.values()].map(({ name, value }) => [name, value]));
    this._record.headerNames = Object.keys(headers);
    if (!this._headers.has('accept-encoding')) headers['Accept-Encoding'] = 'gzip, deflate, br, zstd';
    if (!this._headers.has('user-agent')) headers['User-Agent'] = ELECTRON_USER_AGENT;
    const body = Buffer.concat(this._body);
    if (body.length > 0) headers['Content-Length'] = String(body.length);
    const outgoing = http.request(this._url, { method: this._method, headers });
    this._outgoing = outgoing;
    outgoing.on('error', (error) => this._die(new Error(error.code === 'ECONNREFUSED' ? 'net::ERR_CONNECTION_REFUSED' : 'net::ERR_FAILED')));
    outgoing.on('response', (response) => {
      if ([301, 302, 303, 307, 308].includes(response.statusCode) && response.headers.location) return this._redirected(response);
      const message = new IncomingMessage(response);
      this._response = message;
      const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
      const decoder = { gzip: zlib.createGunzip, 'x-gzip': zlib.createGunzip, deflate: zlib.createInflate, br: zlib.createBrotliDecompress }[encoding];
      if (encoding !== '' && encoding !== 'identity' && !decoder) return this._die(new Error('net::ERR_CONTENT_DECODING_FAILED'));
      const stream = decoder ? response.pipe(decoder()) : response;
      stream.on('data', (chunk) => message.push(chunk));
      stream.on('end', () => message.push(null));
      stream.on('error', () => this._die(new Error('net::ERR_CONTENT_DECODING_FAILED')));
      response.on('aborted', () => message.destroy(new Error('net::ERR_CONNECTION_RESET')));
      this.emit('response', message);
    });
    outgoing.end(body);
  }
  /** 'manual' (the app's policy): the listener must call followRedirect() synchronously, or the request dies. */
  _redirected(response) {
    response.resume();
    const newUrl = new URL(response.headers.location, this._url).href;
    const newMethod = response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && this._method === 'POST') ? 'GET' : this._method;
    // The redirect's response headers, without Set-Cookie (electron#23865).
    const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'set-cookie').map(([name, value]) => [name, Array.isArray(value) ? value : [value]]));
    if (this._redirect === 'error') return this._die(new Error("Attempted to redirect, but redirect policy was 'error'"));
    let follow = false;
    this._followRedirectCb = () => { follow = true; };
    try {
      this.emit('redirect', response.statusCode, newMethod, newUrl, headers);
    } finally {
      this._followRedirectCb = undefined;
      if (!follow && !this._aborted) this._die(new Error('Redirect was cancelled'));
    }
    if (follow) this._die(new Error('harness: following a redirect in Chromium is not modelled'));
  }
}
const electronNet = {
  request(options) {
    if (!app.isReady()) throw new Error('net module can only be used after app is ready');
    return new ClientRequest(typeof options === 'string' ? { url: options } : options);
  },
};

// ---------------------------------------------------------------------------------------------
// BrowserWindow and its webContents.
const windows = [];
let nextId = 1;

class WebContents extends EventEmitter {
  #destroyed = false;
  constructor(win, webPreferences) {
    super();
    this.id = win.id;
    this.window = win;
    this.webPreferences = webPreferences;
    this.session = defaultSession;
    this.url = '';
    this.devToolsOpened = false;
    this.renderer = undefined;
  }
  isDestroyed() { return this.#destroyed; }
  /** docs/api/web-contents.md Event 'destroyed'; the page goes with it. */
  _destroy() {
    this.#destroyed = true;
    this._pageGone();
    this.emit('destroyed');
  }
  /**
   * The page's renderer is gone (closed, reloaded, crashed): the ports it held go with its
   * process, so their other ends see the pipe closed.
   */
  _pageGone() {
    for (const port of this.renderer?.ports ?? []) port.close();
    this.renderer = undefined;
  }
  getURL() { return this.url; }
  setWindowOpenHandler(handler) { this._windowOpenHandler = handler; }
  /** docs/api/web-contents.md: devTools:false in webPreferences means DevTools cannot open. */
  openDevTools() { if (this.webPreferences.devTools !== false) this.devToolsOpened = true; }
  isDevToolsOpened() { return this.devToolsOpened; }
  send(channel, ...args) {
    if (this.#destroyed) throw new Error('Object has been destroyed');
    const cloned = clone(args);
    setImmediate(() => this.renderer?.deliver(channel, cloned));
  }
  /**
   * lib/browser/api/web-contents.ts postMessage → the main frame's: `message` cloned, the
   * MessagePortMains in `transfer` given over, arriving as the `ports` of the ipcRenderer event
   * (DOM MessagePorts; here Node's, which behave alike). With no page to take them, they close.
   */
  postMessage(channel, message, transfer = []) {
    if (this.#destroyed) throw new Error('Object has been destroyed');
    const ports = disentangle(transfer);
    const cloned = clone(message);
    setImmediate(() => {
      if (this.renderer) this.renderer.deliver(channel, [cloned], ports);
      else for (const port of ports) port.close();
    });
  }
  /** webContents.reload(): a new page, the old one's ports gone with it. */
  _reload() {
    this._pageGone();
    this.renderer = runSandboxedPreload(this, this.webPreferences.preload);
    this.emit('did-finish-load');
  }
  /** The renderer process crashing: 'render-process-gone' (docs/api/web-contents.md). */
  _crash() {
    this._pageGone();
    this.emit('render-process-gone', preventable(), { reason: 'crashed', exitCode: 139 });
  }
}

class BrowserWindow extends EventEmitter {
  #visible = false;
  #destroyed = false;
  constructor(options = {}) {
    super();
    if (!app.isReady()) throw new Error('Cannot create BrowserWindow before app is ready');
    this.id = nextId++;
    this.options = options;
    this.webContents = new WebContents(this, options.webPreferences ?? {});
    windows.push(this);
    this.#visible = options.show !== false;
    app.emit('browser-window-created', preventable(), this);
    app.emit('web-contents-created', preventable(), this.webContents);
  }
  static getAllWindows() { return [...windows]; }
  static fromWebContents(contents) { return windows.find((w) => w.webContents === contents) ?? null; }
  isDestroyed() { return this.#destroyed; }
  isVisible() { return this.#visible; }
  show() { this.#visible = true; this.emit('show'); }
  hide() { this.#visible = false; this.emit('hide'); }
  focus() { this.emit('focus'); }
  setMenu() {}
  removeMenu() {}
  /**
   * BrowserWindow.close(): asynchronous (the page's beforeunload runs first); 'close' may be
   * prevented, which also cancels a quit in progress (Browser::OnWindowCloseCancelled).
   */
  close() {
    setImmediate(() => {
      if (this.#destroyed) return;
      const event = preventable();
      this.emit('close', event);
      if (event.defaultPrevented) app._windowCloseCancelled();
      else this.destroy();
    });
  }
  /** destroy(): no 'close' event; 'closed', then the window list may be empty (WindowList). */
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#visible = false;
    this.webContents._destroy();
    windows.splice(windows.indexOf(this), 1);
    this.emit('closed');
    if (windows.length === 0) app._windowsAllClosed();
  }
  /** loadFile rejects for a missing file (net::ERR_FILE_NOT_FOUND), else runs the preload and loads. */
  async loadFile(file) {
    if (!fs.existsSync(file)) throw new Error(`ERR_FILE_NOT_FOUND (-6) loading '${pathToFileURL(file).href}'`);
    const contents = this.webContents;
    contents.url = pathToFileURL(file).href;
    const preload = contents.webPreferences.preload;
    if (preload) contents.renderer = runSandboxedPreload(contents, preload);
    contents.emit('did-finish-load');
    this.emit('ready-to-show');
  }
}

// ---------------------------------------------------------------------------------------------
// The renderer side: a sandboxed preload (docs/tutorial/sandbox.md "Preload scripts"): its
// `require` gives only `electron` (contextBridge, ipcRenderer, webFrame, webUtils), `events`,
// `timers` and `url`; it runs in its own context, and contextBridge copies what it exposes into
// the page's world, a context of its own too, where tests may run page scripts (`pageRun`).
function runSandboxedPreload(contents, preloadPath) {
  const listeners = new EventEmitter();
  const world = createPageWorld();
  const mainWorld = world.global;
  const senderFrame = { get url() { return contents.url; }, parent: null, routingId: 1, processId: 1 };
  const ipcRenderer = {
    async invoke(channel, ...args) {
      const cloned = clone(args);
      const handler = ipcMain._handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      const event = { sender: contents, senderFrame, processId: 1, frameId: 1 };
      try {
        return clone(await handler(event, ...cloned));
      } catch (error) {
        // lib/renderer/api/ipc-renderer.ts: only the message crosses.
        throw new Error(`Error invoking remote method '${channel}': ${error}`);
      }
    },
    send(channel, ...args) {
      const cloned = clone(args);
      setImmediate(() => ipcMain.emit(channel, { sender: contents, senderFrame, reply: (...a) => contents.send(channel, ...a) }, ...cloned));
    },
    on(channel, listener) { listeners.on(channel, listener); return ipcRenderer; },
    once(channel, listener) { listeners.once(channel, listener); return ipcRenderer; },
    removeListener(channel, listener) { listeners.removeListener(channel, listener); return ipcRenderer; },
    off(channel, listener) { listeners.off(channel, listener); return ipcRenderer; },
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      if (Object.hasOwn(mainWorld, key)) throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      mainWorld[key] = Object.freeze({ ...api });
    },
  };
  const allowed = { electron: { contextBridge, ipcRenderer, webFrame: {}, webUtils: {} }, events: require('node:events'), timers: require('node:timers'), url: require('node:url') };
  const sandboxRequire = (name) => {
    if (!(name in allowed)) throw new Error(`module not found: ${name}`);
    return allowed[name];
  };
  const source = fs.readFileSync(preloadPath, 'utf8');
  // The isolated world's window is the page's window: its postMessage reaches the page's listeners.
  const isolatedWindow = { postMessage: world.postMessage };
  const context = vm.createContext({ console, setTimeout, clearTimeout, setImmediate, clearImmediate, Buffer, Promise, window: isolatedWindow, process: { platform, type: 'renderer', sandboxed: true, contextIsolated: true } });
  const wrapper = vm.runInContext(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, context, { filename: preloadPath });
  const module = { exports: {} };
  wrapper(module.exports, sandboxRequire, module, preloadPath, path.dirname(preloadPath));
  const page = { world: mainWorld, states: [], ports: new Set() };
  // The page subscribes as the React app does, so pushed states are seen where the user sees them.
  mainWorld.arloBridge?.subscribe((state) => page.states.push(state));
  page.deliver = (channel, args, ports = []) => {
    for (const port of ports) {
      page.ports.add(port);
      port.on('close', () => page.ports.delete(port));
    }
    listeners.emit(channel, { sender: ipcRenderer, senderId: 0, ports }, ...args);
  };
  page.run = (script) => vm.runInContext(script, world.context);
  return page;
}

/**
 * The page's main world: a context whose global is its `window`, with the DOM's message events.
 * window.postMessage (HTML "window post message steps"): the target origin must match the page's;
 * a file:// page's origin is opaque, which no origin string matches, so only '*' is delivered;
 * the data is cloned, the ports given over, and the event comes in a task of its own, with
 * `source` the posting window (here always the page's own) and `origin` "file://" for a file page.
 */
function createPageWorld() {
  const target = new EventTarget();
  const sandbox = {
    console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, crypto: globalThis.crypto,
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
  };
  const context = vm.createContext(sandbox);
  const self = vm.runInContext('globalThis.window = globalThis', context);
  const postMessage = (message, targetOrigin, transfer = []) => {
    if (targetOrigin !== '*') return;
    const data = structuredClone(message);
    const ports = Object.freeze([...transfer]);
    setImmediate(() => {
      const event = new Event('message');
      Object.defineProperties(event, { data: { value: data }, origin: { value: 'file://' }, source: { value: self }, ports: { value: ports }, lastEventId: { value: '' } });
      target.dispatchEvent(event);
    });
  };
  sandbox.postMessage = postMessage;
  return { context, global: sandbox, postMessage };
}

// ---------------------------------------------------------------------------------------------
// nativeImage — docs/api/native-image.md createFromPath: "returns an empty image if the path does
// not exist, cannot be read, or is not a valid image". PNG and JPEG everywhere, ICO on Windows only.
class NativeImage {
  constructor(file, kind) { this.file = file; this.kind = kind; }
  isEmpty() { return this.kind === undefined; }
  setTemplateImage(value) { this.template = value; }
  isTemplateImage() { return this.template === true; }
}
const nativeImage = {
  createEmpty: () => new NativeImage(undefined, undefined),
  createFromPath(file) {
    let head;
    try { head = fs.readFileSync(file).subarray(0, 8); } catch { return new NativeImage(file, undefined); }
    const png = head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const jpeg = head[0] === 0xff && head[1] === 0xd8;
    const ico = platform === 'win32' && head.readUInt32LE(0) === 0x00010000;
    return new NativeImage(file, png ? 'png' : jpeg ? 'jpeg' : ico ? 'ico' : undefined);
  },
};

// ---------------------------------------------------------------------------------------------
// Menu — lib/browser/api/menu.ts buildFromTemplate and menu-item.ts: an array of objects each with
// label, role or type 'separator'; a submenu template is built too. Keys beyond
// MenuItemConstructorOptions (electron.d.ts) are refused here: Electron would keep them silently.
const MENU_ITEM_KEYS = new Set('click role type label accessibilityLabel sublabel toolTip accelerator icon enabled acceleratorWorksWhenHidden visible checked registerAccelerator sharingItem submenu id before after beforeGroupContaining afterGroupContaining badge'.split(' '));
const MENU_ROLES = new Set('undo redo cut copy paste pasteAndMatchStyle delete selectAll reload forceReload toggleDevTools resetZoom zoomIn zoomOut toggleSpellChecker togglefullscreen window minimize close help about services hide hideOthers unhide quit showSubstitutions toggleSmartQuotes toggleSmartDashes toggleTextReplacement startSpeaking stopSpeaking zoom front appMenu fileMenu editMenu viewMenu shareMenu recentDocuments toggleTabBar selectNextTab selectPreviousTab showAllTabs mergeAllWindows clearRecentDocuments moveTabToNewWindow windowMenu'.split(' '));
const MENU_TYPES = new Set(['normal', 'separator', 'submenu', 'checkbox', 'radio', 'header', 'palette']);

class Menu {
  constructor(items = []) { this.items = items; }
  static buildFromTemplate(template) {
    if (!Array.isArray(template)) throw new TypeError('Invalid template for Menu: Menu template must be an array');
    const valid = template.every((item) => item != null && typeof item === 'object' && (Object.hasOwn(item, 'label') || Object.hasOwn(item, 'role') || item.type === 'separator'));
    if (!valid) throw new TypeError('Invalid template for MenuItem: must have at least one of label, role or type');
    return new Menu(template.map((item) => {
      for (const key of Object.keys(item)) if (!MENU_ITEM_KEYS.has(key)) throw new TypeError(`Unknown MenuItem key '${key}'`);
      if (item.role !== undefined && !MENU_ROLES.has(item.role)) throw new TypeError(`Unknown MenuItem role '${item.role}'`);
      if (item.type !== undefined && !MENU_TYPES.has(item.type)) throw new TypeError(`Unknown MenuItem type '${item.type}'`);
      if (item.click !== undefined && typeof item.click !== 'function') throw new TypeError('MenuItem click must be a function');
      const submenu = item.submenu === undefined ? undefined : item.submenu instanceof Menu ? item.submenu : Menu.buildFromTemplate(item.submenu);
      if (item.type === 'submenu' && !submenu) throw new Error('Invalid submenu');
      return { ...item, submenu };
    }));
  }
  static setApplicationMenu(menu) { record.applicationMenu = menu === null ? null : describeMenu(menu); }
  static getApplicationMenu() { return record.applicationMenu ?? null; }
}

/** A menu as plain data for the test (no functions). */
function describeMenu(menu) {
  return menu.items.map(({ click, submenu, icon, ...rest }) => ({ ...rest, ...(click ? { clickable: true } : {}), ...(submenu ? { submenu: describeMenu(submenu) } : {}), ...(icon ? { icon: String(icon) } : {}) }));
}

// Tray — docs/api/tray.md; setContextMenu replaces the menu (an open one closes on Linux/Windows).
const trays = [];
class Tray extends EventEmitter {
  constructor(image) {
    super();
    if (!app.isReady()) throw new Error('Cannot create Tray before app is ready');
    trays.push(this);
    this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image;
    this.tooltip = '';
    this.title = '';
    this.menu = undefined;
    this.destroyed = false;
  }
  setImage(image) { this.image = typeof image === 'string' ? nativeImage.createFromPath(image) : image; }
  setToolTip(text) { this.tooltip = text; }
  setTitle(text) { this.title = text; }
  setContextMenu(menu) { record.menuBuilds += 1; this.menu = menu; }
  destroy() { this.destroyed = true; }
  isDestroyed() { return this.destroyed; }
}

// ---------------------------------------------------------------------------------------------
// safeStorage — shell/browser/api/electron_api_safe_storage.cc and Chromium's os_crypt on Linux:
// ciphertext starts with "v11" when the key came from the keyring and "v10" when Chromium used its
// fixed key (the basic_text backend, or a keyring that did not answer). getSelectedStorageBackend()
// names what was chosen from the desktop, not what answered; it exists on Linux only.
// HARNESS_KEYRING: a backend name, or `<backend>:unreachable` for a keyring that does not answer.
const [keyringBackend, keyringState] = (process.env.HARNESS_KEYRING ?? 'gnome_libsecret').split(':');
const FIXED_KEY = pbkdf2Sync('peanuts', 'saltysalt', 1, 16, 'sha1');
const keyringKey = createHash('sha256').update(`harness keyring ${keyringBackend}`).digest().subarray(0, 16);
const usesFixedKey = platform === 'linux' && (keyringBackend === 'basic_text' || keyringState === 'unreachable');
function cipher(version, key) {
  return {
    encrypt(text) {
      const c = createCipheriv('aes-128-cbc', key, Buffer.alloc(16, 0x20));
      return Buffer.concat([Buffer.from(version), c.update(text, 'utf8'), c.final()]);
    },
    decrypt(data) {
      const d = createDecipheriv('aes-128-cbc', key, Buffer.alloc(16, 0x20));
      return Buffer.concat([d.update(data.subarray(3)), d.final()]).toString('utf8');
    },
  };
}
const encryptor = usesFixedKey ? cipher('v10', FIXED_KEY) : cipher(platform === 'linux' ? 'v11' : 'v10', keyringKey);
const safeStorage = {
  isEncryptionAvailable: () => app.isReady(),
  isAsyncEncryptionAvailable: async () => app.isReady(),
  async encryptStringAsync(text) {
    if (!app.isReady()) throw new Error('safeStorage cannot be used before app is ready');
    return encryptor.encrypt(text);
  },
  async decryptStringAsync(buffer) {
    if (!Buffer.isBuffer(buffer)) throw new Error('Expected the first argument of decryptStringAsync() to be a buffer');
    if (buffer.length === 0) return { shouldReEncrypt: false, result: '' };
    try {
      return { shouldReEncrypt: false, result: encryptor.decrypt(buffer) };
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptStringAsync.');
    }
  },
  setUsePlainTextEncryption() {},
  ...(platform === 'linux' ? { getSelectedStorageBackend: () => (app.isReady() ? keyringBackend : 'unknown') } : {}),
};

// ---------------------------------------------------------------------------------------------
// powerMonitor — lib/browser/api/power-monitor.ts; 'shutdown' (Linux, macOS) gets a preventable event.
const powerMonitor = new EventEmitter();

const clipboard = { writeText(text) { record.clipboard = text; }, readText: () => record.clipboard };
const shell = { async openExternal(url) { record.openedExternal.push(url); } };

// dialog.showMessageBox is answered by the test (driver.ts `onDialog`), as a user would.
let nextDialog = 1;
const pendingDialogs = new Map();
const dialog = {
  showMessageBox(...args) {
    const options = args.at(-1);
    record.dialogs.push({ type: options.type, message: options.message, detail: options.detail, buttons: options.buttons });
    const id = nextDialog++;
    return new Promise((resolve) => {
      pendingDialogs.set(id, (response) => resolve({ response, checkboxChecked: false }));
      process.send?.({ kind: 'dialog', id, options: { type: options.type, message: options.message, detail: options.detail, buttons: options.buttons } });
    });
  },
  showErrorBox(title, content) { record.errorBoxes.push({ title, content }); },
};

// ---------------------------------------------------------------------------------------------
// The test's side of the harness: operations a user or the OS would do, and the record.
/** The app's tray: the last one made. */
const currentTray = () => trays.at(-1);

function findTrayItem(labels) {
  const tray = currentTray();
  let items = tray?.menu?.items ?? [];
  let item;
  for (const label of labels) {
    item = items.find((i) => i.label === label || (label instanceof RegExp && i.label?.match(label)));
    if (!item) throw new Error(`no tray menu item "${label}" among ${items.map((i) => i.label).join(', ')}`);
    items = item.submenu?.items ?? [];
  }
  return item;
}

const operations = {
  snapshot: () => {
    const tray = currentTray();
    return {
      ...record,
      platform,
      tray: tray && { image: { file: tray.image.file, empty: tray.image.isEmpty() }, tooltip: tray.tooltip, title: tray.title, destroyed: tray.destroyed, menu: tray.menu && describeMenu(tray.menu) },
      windows: windows.map((w) => ({ id: w.id, visible: w.isVisible(), url: w.webContents.url, webPreferences: w.webContents.webPreferences, devToolsOpened: w.webContents.devToolsOpened })),
      ipc: { handlers: [...ipcMain._handlers.keys()], listeners: ipcMain.eventNames().map(String) },
      userData: app.getPath('userData'),
      logs: app.getPath('logs'),
    };
  },
  /** A click on a tray menu item, by its labels from the top (Menu click(menuItem, window, event)). */
  clickTray(labels) {
    const item = findTrayItem(labels.map((l) => (l.startsWith('/') ? new RegExp(l.slice(1, -1)) : l)));
    if (item.enabled === false) throw new Error(`tray item "${item.label}" is disabled`);
    // A native click: a task of its own, whose microtasks run before Electron goes on.
    setImmediate(() => item.click?.(item, undefined, { shiftKey: false }));
  },
  clickTrayIcon() { setImmediate(() => currentTray()?.emit('click', preventable(), {})); },
  closeWindow(id) { windows.find((w) => w.id === id)?.close(); },
  /** Windows' WM_ENDSESSION: 'session-end' on each window (docs/api/browser-window.md). */
  sessionEnd() { for (const w of windows) w.emit('session-end', preventable({ reasons: ['logoff'] })); },
  /** The OS about to shut down (Linux logind / macOS), as powerMonitor reports it. */
  powerShutdown() { setImmediate(() => powerMonitor.emit('shutdown', preventable())); },
  /** A call from the page through the bridge the preload exposed, as the React app makes it. */
  async rendererCall({ windowId, method, args }) {
    const page = windows.find((w) => w.id === windowId)?.webContents.renderer;
    if (!page) throw new Error(`window ${windowId} has no page`);
    return page.world.arloBridge.call(method, args);
  },
  /** Runs a script in the page's world (as a page script would run); answers its (awaited) value. */
  async pageRun({ windowId, script }) {
    const page = windows.find((w) => w.id === windowId)?.webContents.renderer;
    if (!page) throw new Error(`window ${windowId} has no page`);
    return page.run(script);
  },
  /**
   * An ipcRenderer.invoke as another frame would make it (an injected iframe, a page navigated
   * elsewhere): `frame` is its senderFrame's url and parent (any non-null parent: a subframe).
   */
  async invokeFrom({ windowId, frame, channel, args }) {
    const contents = windows.find((w) => w.id === windowId)?.webContents;
    const senderFrame = frame ? { url: frame.url, parent: frame.parent === null ? null : {}, routingId: 2, processId: 1 } : { url: contents.url, parent: null, routingId: 1, processId: 1 };
    return clone(await ipcMain._handlers.get(channel)({ sender: contents, senderFrame, processId: 1, frameId: senderFrame.routingId }, ...clone(args)));
  },
  reloadPage({ windowId }) { windows.find((w) => w.id === windowId)?.webContents._reload(); },
  crashRenderer({ windowId }) { windows.find((w) => w.id === windowId)?.webContents._crash(); },
  rendererStates({ windowId }) {
    return windows.find((w) => w.id === windowId)?.webContents.renderer?.states.at(-1);
  },
  answerDialog({ id, response }) { pendingDialogs.get(id)?.(response); pendingDialogs.delete(id); },
};

process.on('message', async (message) => {
  if (message?.kind !== 'op') return;
  try {
    const value = await operations[message.op](message.args);
    process.send({ kind: 'reply', id: message.id, value });
  } catch (error) {
    process.send({ kind: 'reply', id: message.id, error: String(error?.stack ?? error) });
  }
});
// Electron's message loop keeps the process alive until Shutdown, whatever Node's handles are;
// the control channel must not: only Electron's own rules end the process.
setInterval(() => undefined, 2 ** 30);
process.channel?.unref();

function findAppDir(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`no package.json above ${dir}`);
  }
}

module.exports = { app, BrowserWindow, Menu, MessageChannelMain, Tray, nativeImage, ipcMain, safeStorage, powerMonitor, clipboard, shell, dialog, session, net: electronNet };
