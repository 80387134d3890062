// The arguments of every AppApi method as zod schemas, checked by both shells' bindings (IPC and
// HTTP) before the service sees a call. Kept apart from api.ts so the renderer, which imports the
// contract's types and method list, does not bundle zod (its eval probe breaks the page's CSP).

import { z } from 'zod';
import type { AppApi, AppApiMethod } from './api.js';
import { CAMERA_STREAM_KINDS } from './streams.js';

const id = z.string().min(1).max(200);
const noArguments = z.tuple([]);

/**
 * An argument the caller may leave out. JSON turns an `undefined` array element into `null` (the web
 * client's `[id, host, undefined]` arrives as `[id, host, null]`), while Electron's structured clone
 * keeps `undefined`: both mean "absent" here, and the service sees `undefined` from either shell.
 * Every optional element of an argument list is one of these (a test walks the schemas). Object
 * properties need none: JSON leaves an `undefined` property out.
 */
function optionalArgument<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value) => value ?? undefined);
}

/**
 * The arguments of every method, as both shells check them before the service sees a call: a value
 * of the wrong type never reaches the store (a number stored as a password made the next start set
 * the whole secrets file aside). Typed against AppApi, so the two cannot drift apart.
 */
export const APP_API_ARGUMENTS = {
  getState: noArguments,
  signIn: z.tuple([z.string().max(320), z.string().max(1_000)]),
  chooseFactor: z.tuple([id]),
  submitMfaCode: z.tuple([z.string().max(100)]),
  cancelSignIn: noArguments,
  useToken: z.tuple([z.string().max(20_000)]),
  signOut: noArguments,
  refreshDevices: noArguments,
  enroll: z.tuple([optionalArgument(z.array(id).max(100))]),
  // The address's values (a host name or IP, a port 1 to 65535) are judged by the service, in words.
  setBaseStationAddress: z.tuple([id, z.string().max(1_000).nullable(), optionalArgument(z.number())]),
  forgetPinnedCertificate: z.tuple([id]),
  diagnose: z.tuple([z.strictObject({
    baseStationId: id,
    cameraId: id.optional(),
    playSeconds: z.number().int().min(0).max(600).optional(),
  })]),
  startCamera: z.tuple([id]),
  stopCamera: z.tuple([id]),
  startAll: noArguments,
  stopAll: noArguments,
  setCameraCodec: z.tuple([id, z.enum(['avc', 'hevc'])]),
  setCameraBattery: z.tuple([id, z.boolean().nullable()]),
  updateSettings: z.tuple([z.strictObject({
    listenAddress: z.string().max(100).optional(),
    portBase: z.number().int().optional(),
    lanUsername: z.string().max(200).optional(),
    lanPassword: z.string().max(1_000).optional(),
    lanAllowBasic: z.boolean().optional(),
    launchAtLogin: z.boolean().optional(),
    notifications: z.boolean().optional(),
    updateChecks: z.boolean().optional(),
    requireAccessToken: z.boolean().optional(),
    lingerSeconds: z.number().int().optional(),
    batteryWarnMinutes: z.number().int().min(0).max(1_440).optional(),
    batteryCapMinutes: z.number().int().min(0).max(1_440).nullable().optional(),
    onvif: z.boolean().optional(),
    subStreamWidth: z.number().int().optional(),
    subStreamFps: z.number().int().optional(),
  })]),
  openInPlayer: z.tuple([id]),
  restartToUpdate: z.tuple([]),
  viewerUrl: z.tuple([id, optionalArgument(z.enum(CAMERA_STREAM_KINDS))]),
  latestPicture: z.tuple([id]),
} satisfies { [M in AppApiMethod]: z.ZodType<Parameters<AppApi[M]>> };

/** A call's arguments checked against its method's schema: the arguments, or a sentence saying what is wrong. */
export function checkArguments(method: AppApiMethod, args: unknown): { ok: true; args: unknown[] } | { ok: false; message: string } {
  const result = APP_API_ARGUMENTS[method].safeParse(args);
  if (result.success) return { ok: true, args: result.data as unknown[] };
  const issue = result.error.issues[0]!;
  const [index, ...rest] = issue.path;
  const where = typeof index === 'number' ? ` (argument ${index + 1}${rest.length > 0 ? `, ${rest.map(String).join('.')}` : ''})` : '';
  return { ok: false, message: `Wrong arguments to ${method}${where}: ${issue.message}.` };
}
