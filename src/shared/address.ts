// A base station's LAN address as a user types it ("192.168.1.20", "192.168.1.20:554",
// "basestation.local", "[fe80::1]:554"): split by the renderer's field, judged by the service
// before it stores one, with a sentence a person can act on for each way it can be wrong. No Node
// here: the renderer imports it too.

/** `host`, `host:port` or `[v6]:port` as typed, split; a port that is not digits stays in `host` for the check to name. */
export function splitHostPort(text: string): { host: string; port?: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!match?.[1]) return { host: text };
  return match[2] ? { host: match[1], port: Number(match[2]) } : { host: match[1] };
}

/** `host` or `host:port`, an IPv6 literal in brackets. */
export function joinHostPort(host: string, port?: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port ? `${h}:${port}` : h;
}

const EXAMPLE = 'Type an IP address such as 192.168.1.20 (see your router’s device list) or a host name such as basestation.local.';

/** What is wrong with `host` as a base station's address, or undefined when it is a host name or an IPv4 or IPv6 address. */
export function hostProblem(host: string): string | undefined {
  if (host.trim() === '') return `The address is empty. ${EXAMPLE}`;
  if (/\s/.test(host)) return `"${host}" is not an address: it has a space in it. ${EXAMPLE}`;
  if (/^[\d.]+$/.test(host)) {
    const parts = host.split('.');
    if (parts.length !== 4 || parts.some((p) => p === '')) return `"${host}" is not an IP address: it has four numbers separated by dots. ${EXAMPLE}`;
    if (parts.some((p) => Number(p) > 255)) return `"${host}" is not an IP address: each of its four numbers is 0 to 255. ${EXAMPLE}`;
    return undefined;
  }
  if (host.includes(':')) return isIpv6(host) ? undefined : `"${host}" is not an address: a port goes after the last colon as digits (192.168.1.20:554), and an IPv6 address in brackets ([fe80::1]:554). ${EXAMPLE}`;
  if (host.length > 253 || !host.replace(/\.$/, '').split('.').every((label) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label))) {
    return `"${host}" is not a host name: use letters, digits, dots and hyphens only. ${EXAMPLE}`;
  }
  return undefined;
}

/** What is wrong with `port` as a base station's port, or undefined for 1 to 65535. */
export function portProblem(port: number): string | undefined {
  if (Number.isInteger(port) && port >= 1 && port <= 65_535) return undefined;
  return `Port ${port} does not exist: ports are 1 to 65535. Base stations stream on 554; leave the port out to use it.`;
}

/** The WHATWG URL parser (in Node and every browser) knows IPv6 literals exactly. */
function isIpv6(host: string): boolean {
  try {
    return new URL(`http://[${host}]/`).hostname !== '';
  } catch {
    return false;
  }
}
