// The desktop window's renderer in Debian's Chromium (launched by test/support/chromium.ts with the
// file:// privileges Electron gives): its preload stand-in puts the bridge where contextBridge puts
// it, each call answered by the harnessed main process through the real preload and IPC
// (`__harnessCall`, exposed by the test). The main process pushes states over IPC; here they are
// fetched as they change.

/**
 * The preload stand-in (source text, not a function: tsx would compile a function with helpers
 * the page does not have), run before the page's scripts; `extra` adds members to the bridge.
 * Also records CSP violations.
 */
export function preloadStandIn(extra = ''): string {
  return `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.arloBridge = Object.freeze({
    call: (method, args) => window.__harnessCall(method, args),
    subscribe(listener) {
      let last = '';
      const timer = setInterval(() => {
        window.__harnessCall('getState', []).then((r) => {
          const text = JSON.stringify(r);
          if (r.ok && text !== last) { last = text; listener(r.value); }
        });
      }, 100);
      return () => clearInterval(timer);
    },
    ${extra}
  });
`;
}
