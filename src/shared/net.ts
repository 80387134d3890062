// Address facts every layer agrees on: the service and engine (may a port go without
// credentials?), the web binding (may the UI go without a token?) and the renderer (should the
// Settings form ask for LAN credentials?).

/** Whether an address to listen on keeps the server on this machine. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().replace(/^\[|\]$/g, '').toLowerCase();
  return a === 'localhost' || a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a) || a === '::ffff:127.0.0.1';
}
