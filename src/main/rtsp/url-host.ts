// What a request URL names as the base station's host (PROTOCOL.md §7). The working clients differ:
// the POC names the IP with `:554`, Scrypted (2025-26) the base station's mDNS host name with no port
// (`rtsp://VMB5000.local/...`, `VMB5000-2.local` for an account's second VMB5000), its Dec 2023
// version `<modelId[:7]>.local`. All report working; a base station may still want one of them, so
// we can send each, start with the one that worked last, and move on when OPTIONS or DESCRIBE is
// refused. Whatever the URL names, the connection goes to the address: the name is never resolved.
// This one file decides the forms and their order.

/** `address`: the IP (or whatever address was typed) with the port; `mdns-name`: the SRV target mDNS announced; `model-name`: `<modelId[:7]>.local`. */
export type UrlHostForm = 'address' | 'mdns-name' | 'model-name';

export const URL_HOST_FORMS: readonly UrlHostForm[] = ['address', 'mdns-name', 'model-name'];

/** One way to name the base station in request URLs. */
export interface UrlHost {
  form: UrlHostForm;
  /** What goes between `rtsp://` and the path: `192.0.2.7:554`, `[fe80::1]:554`, `VMB5000.local`. */
  authority: string;
}

/** What is known of a base station that says how it can be named. */
export interface UrlHostFacts {
  /** Where the connection goes. */
  address: string;
  port: number;
  /** Its mDNS host name (the SRV target), when discovery saw it. */
  mdnsHostName?: string;
  /** Its model id from the device list (e.g. VMB5000). */
  model?: string;
  /** The form the base station last answered. */
  lastWorked?: UrlHostForm;
}

/** What each form is, in words for doctor and the log. */
export const URL_HOST_FORM_TEXT: Record<UrlHostForm, string> = {
  address: 'its address',
  'mdns-name': 'its mDNS host name',
  'model-name': 'its model name',
};

/**
 * The forms to try, in order: the one that worked last, then the address (as the POC, and as this app
 * always did), then the mDNS host name, or `<modelId[:7]>.local` when mDNS named none. A name equal to
 * the address (an address typed as a name) is tried once.
 */
export function urlHostCandidates(facts: UrlHostFacts): UrlHost[] {
  const named: Partial<Record<UrlHostForm, { host: string; authority: string }>> = { address: { host: facts.address, authority: authorityOf(facts.address, facts.port) } };
  const mdns = trimDot(facts.mdnsHostName);
  if (mdns) named['mdns-name'] = { host: mdns, authority: mdns };
  const model = facts.model?.trim().toUpperCase().slice(0, 7);
  // Scrypted's Dec 2023 guess stands in for a name mDNS did not give; it stays tried if it is what worked.
  if (model && (!mdns || facts.lastWorked === 'model-name')) named['model-name'] = { host: `${model}.local`, authority: `${model}.local` };
  const order = facts.lastWorked ? [facts.lastWorked, ...URL_HOST_FORMS.filter((form) => form !== facts.lastWorked)] : URL_HOST_FORMS;
  const seen = new Set<string>();
  return order.flatMap((form) => {
    const name = named[form];
    if (name === undefined || seen.has(name.host.toLowerCase())) return [];
    seen.add(name.host.toLowerCase());
    return [{ form, authority: name.authority }];
  });
}

/**
 * An answer to OPTIONS or DESCRIBE that may be about how the URL names the base station, so the next
 * form is worth a try: a 4xx, but not 400 (the Nonce's verdict, PROTOCOL.md §5) nor 453 (busy),
 * which are about the session and which a new form would only hide.
 */
export function refusesUrlHost(status: number): boolean {
  return status >= 400 && status < 500 && status !== 400 && status !== 453;
}

/** `rtsp://<authority><path>`. */
export function requestUrl(host: UrlHost, path: string): string {
  return `rtsp://${host.authority}${path.startsWith('/') ? path : `/${path}`}`;
}

/** `host:port`, an IPv6 literal in brackets: the address form. */
export function authorityOf(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** mDNS names end in a dot on the wire (`VMB5000.local.`); URLs carry them without it. */
function trimDot(name: string | undefined): string | undefined {
  const trimmed = name?.trim().replace(/\.$/, '');
  return trimmed ? trimmed : undefined;
}
