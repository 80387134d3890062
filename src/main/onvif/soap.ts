// SOAP 1.2 envelopes as ONVIF clients send and expect them, read and written with fast-xml-parser
// (no DOM, no external entities, text and attributes escaped by the builder). Requests are read
// without their namespace prefixes (clients pick their own prefixes; the operation is known by its
// local name and the service by the URL it was posted to); answers carry the ONVIF prefixes.

import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  ter: 'http://www.onvif.org/ver10/error',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsd: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
} as const;

/** A parsed element: text, or child elements by local name (repeated ones as arrays), attributes as `@_name`. */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] | undefined };

/** What a built answer is made of: element names with their prefix, `@_attr` attributes, `#text`. */
export type XmlTree = { [name: string]: XmlValue };
type XmlValue = string | number | boolean | XmlTree | XmlTree[] | string[] | undefined;

export interface SoapRequest {
  /** The local name of the Body's first element: the operation (`GetProfiles`). */
  operation: string;
  body: XmlNode;
  header: XmlNode | undefined;
}

/** A request that is not a SOAP envelope we read: answered with a Sender fault. */
export class SoapParseError extends Error {
  override readonly name = 'SoapParseError';
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Tokens, passwords and nonces stay text: "0123" is not a number here.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressBooleanAttributes: false,
  format: false,
});

export function parseSoap(xml: string): SoapRequest {
  // SOAP 1.2 forbids a DTD in a message (part 1 §5); refusing it also refuses entity expansion tricks.
  if (/<!DOCTYPE/i.test(xml)) throw new SoapParseError('a SOAP message must not contain a DTD');
  let document: XmlNode;
  try {
    document = parser.parse(xml, true) as XmlNode;
  } catch (error) {
    throw new SoapParseError(`not well-formed XML (${error instanceof Error ? error.message : String(error)})`);
  }
  const envelope = child(document, 'Envelope');
  const body = child(envelope, 'Body');
  if (body === undefined || typeof body === 'string') throw new SoapParseError('no SOAP Envelope with a Body');
  const operation = Object.keys(body).find((key) => !key.startsWith('@_'));
  if (!operation) throw new SoapParseError('the SOAP Body names no operation');
  return { operation, body: body[operation] as XmlNode, header: child(envelope, 'Header') };
}

/** The first child element of that local name. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The element's text (also of one with attributes), or undefined. */
export function text(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  const value = node['#text'];
  return typeof value === 'string' ? value : value === undefined ? '' : undefined;
}

export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** An envelope declaring the prefixes the answers use, around `body` (and `header` for discovery). */
export function envelope(body: XmlTree, header?: XmlTree): string {
  const declarations = Object.fromEntries(Object.entries(NS).map(([prefix, uri]) => [`@_xmlns:${prefix}`, uri]));
  return '<?xml version="1.0" encoding="UTF-8"?>' + builder.build({
    'env:Envelope': { ...declarations, ...(header ? { 'env:Header': header } : {}), 'env:Body': body },
  }) as string;
}

export type FaultCode = 'env:Sender' | 'env:Receiver';

/** The SOAP 1.2 fault ONVIF specifies (Core §5.11): a code, ONVIF subcodes, a reason in words. */
export interface Fault {
  code: FaultCode;
  /** Outermost first, e.g. ['ter:ActionNotSupported'] or ['ter:InvalidArgVal', 'ter:NoProfile']. */
  subcodes: string[];
  reason: string;
}

export function faultEnvelope(fault: Fault): string {
  let subcode: XmlTree | undefined;
  for (const value of [...fault.subcodes].reverse()) subcode = { 'env:Value': value, ...(subcode ? { 'env:Subcode': subcode } : {}) };
  return envelope({
    'env:Fault': {
      'env:Code': { 'env:Value': fault.code, ...(subcode ? { 'env:Subcode': subcode } : {}) },
      'env:Reason': { 'env:Text': { '@_xml:lang': 'en', '#text': fault.reason } },
    },
  });
}

/** SOAP 1.2's HTTP binding: a Sender fault is the client's error (400), a Receiver fault ours (500). */
export function faultStatus(fault: Fault): number {
  return fault.code === 'env:Sender' ? 400 : 500;
}

export const actionNotSupported = (operation: string): Fault => ({
  code: 'env:Receiver',
  subcodes: ['ter:ActionNotSupported'],
  reason: `${operation} is not supported by this device: it serves the ONVIF Profile S device and media operations a recorder needs to find and stream it.`,
});
