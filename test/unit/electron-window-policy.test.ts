// The main window's security policy as plain decisions: webPreferences, navigation, new windows,
// network loads and permissions.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayLoad, mayNavigate, mayUsePermission, newWindowDecision, secureWebPreferences } from '../../src/main/electron/window-policy.js';

const INDEX = 'file:///opt/Arlo%20Local%20RTSP/resources/app.asar/dist/renderer/index.html';

describe('window policy', () => {
  it('sandboxes the renderer: isolated, no Node, web security on, nothing insecure', () => {
    const prefs = secureWebPreferences('/app/preload.cjs', { packaged: true });
    assert.equal(prefs.preload, '/app/preload.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.navigateOnDragDrop, false);
    assert.equal(prefs.devTools, false, 'no DevTools in a packaged app');
    assert.equal(secureWebPreferences('/app/preload.cjs', { packaged: false }).devTools, true, 'DevTools in development');
    // Nothing else slips in (e.g. experimentalFeatures, enableBlinkFeatures): the list is exact.
    assert.deepEqual(Object.keys(prefs).sort(), [
      'allowRunningInsecureContent', 'contextIsolation', 'devTools', 'navigateOnDragDrop', 'nodeIntegration', 'nodeIntegrationInSubFrames',
      'nodeIntegrationInWorker', 'preload', 'sandbox', 'spellcheck', 'webSecurity', 'webviewTag',
    ]);
  });

  it('navigates only to our own index page', () => {
    assert.equal(mayNavigate(INDEX, INDEX), true);
    assert.equal(mayNavigate(`${INDEX}#/settings`, INDEX), true);
    assert.equal(mayNavigate(`${INDEX}?x=1`, INDEX), true);
    for (const url of [
      'https://my.arlo.com/',
      'http://127.0.0.1:8554/',
      'file:///etc/passwd',
      'file:///opt/Arlo%20Local%20RTSP/resources/app.asar/dist/renderer/other.html',
      'file://evil.example/opt/Arlo%20Local%20RTSP/resources/app.asar/dist/renderer/index.html',
      'javascript:alert(1)',
      'data:text/html,<h1>x</h1>',
      'rtsp://127.0.0.1:8554/',
      'not a url',
      '',
    ]) {
      assert.equal(mayNavigate(url, INDEX), false, url);
    }
  });

  it('opens no window in the app; https links go to the browser, nothing else does', () => {
    assert.deepEqual(newWindowDecision('https://github.com/arlo-local-rtsp#readme'), { action: 'deny', openExternally: 'https://github.com/arlo-local-rtsp#readme' });
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'rtsp://127.0.0.1:8554/', 'smb://host/share', INDEX, 'garbage']) {
      assert.deepEqual(newWindowDecision(url), { action: 'deny' }, url);
    }
  });

  it('loads nothing from the network', () => {
    for (const url of ['http://example.com/a.js', 'https://cdn.example.com/font.woff2', 'HTTPS://cdn.example.com/', 'ws://127.0.0.1:1/', 'wss://x/', 'ftp://x/']) {
      assert.equal(mayLoad(url), false, url);
    }
    for (const url of [INDEX, `${INDEX.replace('index.html', 'assets/index-abc.js')}`, 'devtools://devtools/bundled/inspector.html', 'data:image/png;base64,AAAA', 'blob:file:///1234']) {
      assert.equal(mayLoad(url), true, url);
    }
  });

  it('grants only clipboard writes', () => {
    assert.equal(mayUsePermission('clipboard-sanitized-write'), true);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb']) {
      assert.equal(mayUsePermission(permission), false, permission);
    }
  });
});
