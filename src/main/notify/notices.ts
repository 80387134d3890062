// Which OS notifications the app's state calls for, and the rule that keeps them rare: at most one
// a day for each cause (a cause is what happened and to what: this camera in error, that base
// station's certificate, this battery camera's cap, the update). Plain functions of AppState and
// the time; the desktop shell only shows what `NoticeLedger.due` lets through.

import type { AppState } from '../../shared/api.js';
import { dayKey } from '../usage/streaming-time.js';

export type NoticeKind = 'camera-error' | 'certificate-expiring' | 'battery-capped' | 'update-ready';

export interface Notice {
  kind: NoticeKind;
  /** What the cause is about (a camera's or base station's id, the version): one notice a day per kind and subject. */
  subject: string;
  title: string;
  body: string;
}

/** A certificate expiring within this many days is worth telling the user about. */
export const CERTIFICATE_NOTICE_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The notices `state` calls for now; `update` is the version downloaded and ready to install, if any. */
export function noticesFor(state: AppState, now: number, update?: { version: string }): Notice[] {
  const notices: Notice[] = [];
  for (const camera of state.cameras) {
    if (camera.running && camera.state === 'error') {
      notices.push({ kind: 'camera-error', subject: camera.deviceId, title: `${camera.name} stopped with an error`, body: camera.error ?? 'Open Arlo Local RTSP to see why.' });
    }
    if (camera.usageNotice?.level === 'capped') {
      notices.push({ kind: 'battery-capped', subject: camera.deviceId, title: `${camera.name} reached its daily limit`, body: camera.usageNotice.message });
    }
  }
  for (const base of state.baseStations) {
    const expires = base.enrolled && base.certificateExpires ? Date.parse(base.certificateExpires) : Number.NaN;
    if (Number.isNaN(expires) || expires - now > CERTIFICATE_NOTICE_DAYS * DAY_MS) continue;
    const days = Math.max(0, Math.ceil((expires - now) / DAY_MS));
    notices.push({
      kind: 'certificate-expiring',
      subject: base.deviceId,
      title: expires <= now ? `The certificate for ${base.name} has expired` : `The certificate for ${base.name} expires in ${days} day${days === 1 ? '' : 's'}`,
      body: `Enroll ${base.name} again (Base stations page) so its cameras keep streaming.`,
    });
  }
  if (update) {
    notices.push({ kind: 'update-ready', subject: update.version, title: `Arlo Local RTSP ${update.version} is ready`, body: 'Choose "Restart to update" in the tray or the window to install it.' });
  }
  return notices;
}

/** When each cause was last shown: `<kind>:<subject>` → local day (`YYYY-MM-DD`). */
export type NoticeRecord = Record<string, string>;

export interface NoticeLedgerOptions {
  /** What was shown on earlier days and runs (so a restart does not repeat today's notices). */
  load(): NoticeRecord;
  save(record: NoticeRecord): void;
}

export class NoticeLedger {
  readonly #options: NoticeLedgerOptions;
  #record: NoticeRecord;

  constructor(options: NoticeLedgerOptions) {
    this.#options = options;
    this.#record = options.load();
  }

  /**
   * The notices not shown yet today, recorded as shown. Muted, nothing is due and nothing recorded:
   * unmuting later the same day shows what is still the case.
   */
  due(notices: readonly Notice[], now: Date, muted: boolean): Notice[] {
    if (muted) return [];
    const today = dayKey(now);
    const due = notices.filter((notice) => this.#record[keyOf(notice)] !== today);
    if (due.length === 0) return [];
    // Days before today are of no use any more: only today's entries are kept.
    const kept = Object.fromEntries(Object.entries(this.#record).filter(([, day]) => day === today));
    for (const notice of due) kept[keyOf(notice)] = today;
    this.#record = kept;
    this.#options.save(kept);
    return due;
  }
}

const keyOf = (notice: Notice): string => `${notice.kind}:${notice.subject}`;
