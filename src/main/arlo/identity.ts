// This installation's identity towards the Arlo cloud: a device id and a User-Agent, made once at
// the first run and kept with the settings, then sent on every call. Arlo treats a changed
// User-Agent as a new device and emails "new sign-in" warnings (hass-aarlo #1046, PROTOCOL.md §7);
// a kept one also survives an update of this app that changes the default below.

import { randomUUID } from 'node:crypto';

/** The browser this app's headers copy (my.arlo.com in Chrome), on the platform it runs on. */
const CHROME = 'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const PLATFORM_PART: Partial<Record<NodeJS.Platform, string>> = {
  win32: 'Windows NT 10.0; Win64; x64',
  darwin: 'Macintosh; Intel Mac OS X 10_15_7',
};

/** The User-Agent of Chrome on this kind of computer (Chrome reports these fixed OS versions). */
export function browserUserAgent(platform: NodeJS.Platform = process.platform): string {
  return `Mozilla/5.0 (${PLATFORM_PART[platform] ?? 'X11; Linux x86_64'}) ${CHROME}`;
}

/** Sent until an installation's own is known (a client made without the store: tests, tools). */
export const DEFAULT_USER_AGENT = browserUserAgent();

export interface ClientIdentity {
  /** Sent as X-User-Device-Id to the sign-in host; the trusted-device mark is bound to it. */
  clientDeviceId: string;
  userAgent: string;
}

/** A new installation's identity. */
export function newClientIdentity(platform: NodeJS.Platform = process.platform): ClientIdentity {
  return { clientDeviceId: randomUUID(), userAgent: browserUserAgent(platform) };
}
