// The two envelopes of the Arlo hosts, read in one place for both host clients (api-client.ts,
// auth-client.ts): pyaarlo and Scrypted accept either from either host, so we do too.

import { z } from 'zod';
import { printable } from '../../shared/text.js';

/** A failure's words; a field of another shape says nothing, it does not make the answer unreadable. */
const words = z.string().transform(printable).optional().catch(undefined);
/** A failure's error number; the sign-in host's are numbers, a string is kept as sent. */
const errorCode = z.union([z.number(), z.string()]).optional().catch(undefined);
const reasonFields = z.object({ message: words, reason: words, error: errorCode });

/**
 * `{success, data}` (the API host's own) and `{meta: {code, error, message}, data}` (the sign-in
 * host's), `meta` deciding when both are there as it does for them. A failure says why under `data`
 * (our captures), under `meta`, or at the top level (pyaarlo's).
 */
const envelopeSchema = reasonFields.extend({
  success: z.boolean().optional(),
  meta: reasonFields.extend({ code: z.number() }).optional(),
  data: z.unknown().optional(),
});

export interface Envelope {
  ok: boolean;
  data: unknown;
  /** `meta.code` when the answer had a `meta`. */
  code?: number;
  /** A failure's error number (`meta.error`, or `error` under `data` or at the top level). */
  error?: number | string;
  /** A failure's own words, wherever it put them; undefined when it gave none. */
  failure?: string;
}

export function envelopeOf(json: unknown): Envelope | undefined {
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success || (parsed.data.meta === undefined && parsed.data.success === undefined)) return undefined;
  const { meta, success, data, message, reason, error } = parsed.data;
  const ok = meta ? meta.code === 200 : success === true;
  const code = meta === undefined ? {} : { code: meta.code };
  if (ok) return { ok, data, ...code };
  const inData = reasonFields.safeParse(data);
  const failure = meta?.message ?? (inData.success ? (inData.data.message ?? inData.data.reason) : undefined) ?? message ?? reason;
  const number = meta?.error ?? (inData.success ? inData.data.error : undefined) ?? error;
  return { ok, data, ...code, ...(number === undefined ? {} : { error: number }), ...(failure === undefined ? {} : { failure }) };
}
