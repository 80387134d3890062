// Watches the base stations' certificates over the days the app runs: logs each warning once, when
// it starts or changes level (lifetime.ts), publishes the state when a threshold passes, and renews
// what the enrollment policy says is due whenever a sign-in allows it (at start, after a sign-in,
// and when a threshold passes, each while the sign-in holds). A renewal tried for a certificate is not tried
// again for the same one: a failure is the user's to see, not a loop.

import type { CertificateWarning } from '../../shared/api.js';
import type { Logger } from '../log.js';
import type { DataStore } from '../store/types.js';
import { certificateWarning, nextWarningChange } from './lifetime.js';
import { enrollmentDecision, type EnrollReason } from './policy.js';

/** setTimeout's longest wait (about 24.8 days); a later threshold is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Renewed without asking: the certificate works today and will not tomorrow. A missing one (first run) is the user's step. */
const RENEWABLE: readonly EnrollReason[] = ['expiring', 'expired', 'rejected'];

export interface RenewalOptions {
  store: DataStore;
  logger: Logger;
  /** Whether a call to the cloud can be made now (signed in, token not expired). */
  canEnroll(): Promise<boolean>;
  enroll(baseStationIds: string[]): Promise<unknown>;
  /** The warnings changed by time alone: publish the state. */
  changed(): void;
}

export class CertificateRenewal {
  readonly #options: RenewalOptions;
  readonly #logged = new Map<string, CertificateWarning['level']>();
  readonly #tried = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: RenewalOptions) {
    this.#options = options;
  }

  /** The first check, at start; what is due renews in the background while the kept sign-in holds. */
  async start(): Promise<void> {
    await this.check();
    void this.renewDue().catch((error: unknown) => {
      this.#options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not renew certificates at start');
    });
  }

  /** Logs the warnings that are new and waits for the next threshold. Call after any certificate change. */
  async check(now = Date.now()): Promise<void> {
    if (this.#closed) return;
    const { baseStations } = await this.#options.store.read();
    let next: number | undefined;
    for (const station of baseStations) {
      const warning = certificateWarning(station, now);
      if (!warning) this.#logged.delete(station.deviceId);
      else if (this.#logged.get(station.deviceId) !== warning.level) {
        this.#logged.set(station.deviceId, warning.level);
        this.#options.logger.warn({ baseStationId: station.deviceId, level: warning.level, expires: station.certificateExpires }, warning.message);
      }
      const wait = nextWarningChange(station, now);
      if (wait !== undefined && (next === undefined || wait < next)) next = wait;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (next === undefined) return;
    this.#timer = setTimeout(() => void this.#passed(), Math.min(next + 1000, MAX_TIMER_MS));
    // The watch never keeps the process alive on its own.
    this.#timer.unref();
  }

  /** Enrolls again each base station whose certificate the policy says is due, when a sign-in allows it. */
  async renewDue(): Promise<void> {
    if (this.#closed || !(await this.#options.canEnroll())) return;
    const [data, privateKeyPem] = await Promise.all([this.#options.store.read(), this.#options.store.secrets.get('clientPrivateKey')]);
    const due = data.baseStations.filter((station) => {
      if (!station.certificatePem || this.#tried.get(station.deviceId) === station.certificatePem) return false;
      const decision = enrollmentDecision(station, privateKeyPem, new Date());
      return decision.enroll && RENEWABLE.includes(decision.reason);
    });
    if (due.length === 0) return;
    for (const station of due) this.#tried.set(station.deviceId, station.certificatePem ?? '');
    this.#options.logger.info({ baseStationIds: due.map((s) => s.deviceId) }, 'renewing certificates that are due');
    await this.#options.enroll(due.map((s) => s.deviceId));
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #passed(): Promise<void> {
    try {
      await this.check();
      this.#options.changed();
      await this.renewDue();
    } catch (error) {
      this.#options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not check the certificates');
    }
  }
}
