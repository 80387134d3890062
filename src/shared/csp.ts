// The Content-Security-Policy of the renderer: sent as a header by the web server and written into
// index.html's meta tag at build time (the only way to protect a file:// page in Electron).
// No inline script or style, nothing from another origin.

export const RENDERER_CSP_DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // The live view plays Media Source Extensions through a blob: URL.
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

export const RENDERER_CSP = RENDERER_CSP_DIRECTIVES.join('; ');

/** The policy as a meta tag may carry it (browsers ignore frame-ancestors there). */
export const RENDERER_CSP_META = RENDERER_CSP_DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')).join('; ');
