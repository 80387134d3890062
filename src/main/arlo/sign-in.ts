// One interactive sign-in, as a state machine the UI and the CLI drive step by step:
//   start → signed-in | choose-factor | enter-code | await-push
//   chooseFactor → enter-code | await-push;  submitCode → signed-in (or stays, on a wrong code)
//   await-push polls finishAuth in the background until approved, timed out or cancelled.
// After MFA it pairs this client (startPairingFactor) so the next sign-in skips MFA.

import type { MfaFactor, SignInStep } from '../../shared/api.js';
import type { Logger } from '../log.js';
import { ArloAuthClient, type AuthToken } from './auth-client.js';
import { ARLO_MESSAGES, ArloError } from './errors.js';
import type { ArloHttp } from './http.js';

export interface SignedIn extends AuthToken {
  email: string;
}

export interface SignInOptions {
  http: ArloHttp;
  clientDeviceId: string;
  logger: Logger;
  /** Called once, when the sign-in completes. */
  onSignedIn: (result: SignedIn) => Promise<void>;
  /** Called whenever the step changes on its own (PUSH approved, timed out). */
  onStep?: (step: SignInStep, error?: ArloError) => void;
  pushPollMs?: number;
  pushTimeoutMs?: number;
}

export class SignIn {
  #step: SignInStep = { step: 'signed-out' };
  #auth: ArloAuthClient | undefined;
  #email = '';
  #userId = '';
  #factors: MfaFactor[] = [];
  #factorAuthCode = '';
  #push: Promise<SignInStep> | undefined;
  #pushAbort: AbortController | undefined;

  constructor(private readonly options: SignInOptions) {}

  get step(): SignInStep {
    return this.#step;
  }

  async start(email: string, password: string): Promise<SignInStep> {
    this.cancel();
    this.#email = email.trim();
    this.#auth = new ArloAuthClient(this.options.http, this.options.clientDeviceId);
    const login = await this.#auth.login(this.#email, password);
    this.#userId = login.userId;
    if (login.authCompleted) return this.#complete(login);

    const trustedFactor = await this.#auth.trustedFactorId(login.userId);
    const trusted = trustedFactor === undefined ? undefined : await this.#auth.startTrusted(trustedFactor, login.userId);
    if (trusted) {
      this.options.logger.info('Arlo still trusts this device: no verification code needed');
      return this.#complete(trusted);
    }
    if (trustedFactor) this.options.logger.info('Arlo no longer trusts this device (9204): asking for a verification code');

    this.#factors = await this.#auth.factors();
    const only = this.#factors.length === 1 ? this.#factors[0] : undefined;
    if (only) return this.#startFactor(only);
    if (this.#factors.length === 0) {
      throw new ArloError('unexpected', 'Arlo asks for a verification but this account has no email, SMS or push method: add one in the Arlo app.');
    }
    return this.#set({ step: 'choose-factor', factors: this.#factors });
  }

  async chooseFactor(factorId: string): Promise<SignInStep> {
    if (this.#step.step !== 'choose-factor') throw this.#outOfOrder('choose a verification method');
    const factor = this.#factors.find((f) => f.factorId === factorId);
    if (!factor) throw new ArloError('unexpected', 'That verification method is not one Arlo offered: choose one from the list.');
    return this.#startFactor(factor);
  }

  async submitCode(code: string): Promise<SignInStep> {
    if (this.#step.step !== 'enter-code' || !this.#auth) throw this.#outOfOrder('enter a code');
    try {
      const result = await this.#auth.finish(this.#factorAuthCode, code.trim());
      if (!result.done) throw new ArloError('wrong-code', ARLO_MESSAGES.wrongCode);
      return await this.#complete(result.token, result.browserAuthCode);
    } catch (error) {
      // A wrong code may be typed again; an expired one needs a new sign-in.
      if (error instanceof ArloError && error.code !== 'wrong-code') this.#set({ step: 'signed-out' });
      throw error;
    }
  }

  /** Resolves when the PUSH approval ends: signed-in, or rejects with push-timeout / cancelled. */
  waitForPush(): Promise<SignInStep> {
    if (!this.#push) return Promise.reject(this.#outOfOrder('wait for an approval'));
    return this.#push;
  }

  cancel(): SignInStep {
    this.#pushAbort?.abort();
    this.#pushAbort = undefined;
    this.#push = undefined;
    return this.#set({ step: 'signed-out' });
  }

  async #startFactor(factor: MfaFactor): Promise<SignInStep> {
    if (!this.#auth) throw this.#outOfOrder('choose a verification method');
    this.#factorAuthCode = await this.#auth.startFactor(factor, this.#userId);
    if (factor.factorType !== 'PUSH') return this.#set({ step: 'enter-code', factor });
    const step = this.#set({ step: 'await-push', factor });
    const abort = new AbortController();
    this.#pushAbort = abort;
    this.#push = this.#pollPush(abort.signal);
    // The outcome reaches callers through waitForPush() or onStep; never as an unhandled rejection.
    this.#push.catch(() => undefined);
    return step;
  }

  async #pollPush(signal: AbortSignal): Promise<SignInStep> {
    const auth = this.#auth;
    const pollMs = this.options.pushPollMs ?? 3000;
    const deadline = Date.now() + (this.options.pushTimeoutMs ?? 120_000);
    try {
      while (auth) {
        if (signal.aborted) throw new ArloError('cancelled', ARLO_MESSAGES.cancelled);
        const result = await auth.finish(this.#factorAuthCode);
        if (signal.aborted) throw new ArloError('cancelled', ARLO_MESSAGES.cancelled);
        if (result.done) {
          const step = await this.#complete(result.token, result.browserAuthCode);
          this.options.onStep?.(step);
          return step;
        }
        if (Date.now() + pollMs > deadline) throw new ArloError('push-timeout', ARLO_MESSAGES.pushTimeout);
        await sleep(pollMs, signal);
      }
      throw this.#outOfOrder('wait for an approval');
    } catch (error) {
      const arlo = error instanceof ArloError ? error : new ArloError('cancelled', ARLO_MESSAGES.cancelled);
      if (!signal.aborted) {
        this.#set({ step: 'signed-out' });
        this.options.onStep?.(this.#step, arlo);
      }
      throw arlo;
    }
  }

  async #complete(token: AuthToken, browserAuthCode?: string): Promise<SignInStep> {
    const auth = this.#auth;
    if (!auth) throw this.#outOfOrder('finish signing in');
    await auth.validate();
    if (browserAuthCode) {
      try {
        await auth.pair(browserAuthCode);
      } catch (error) {
        // Not fatal: only the next sign-in will ask for a code again.
        this.options.logger.warn({ err: error instanceof ArloError ? error.code : 'unexpected' }, 'Arlo did not trust this device; the next sign-in will ask for a code');
      }
    }
    await this.options.onSignedIn({ ...token, email: this.#email });
    this.#pushAbort = undefined;
    return this.#set({ step: 'signed-in' });
  }

  #set(step: SignInStep): SignInStep {
    this.#step = step;
    return step;
  }

  #outOfOrder(action: string): ArloError {
    return new ArloError('unexpected', `Cannot ${action} now: the sign-in is at step "${this.#step.step}". Start the sign-in again.`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
