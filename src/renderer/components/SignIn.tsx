// First run, part one: sign in to the Arlo account (with MFA), or paste a token.

import { useState, type FormEvent } from 'react';
import type { MfaFactor, SignInStep } from '../../shared/api.js';
import { useAction, useApi } from '../hooks.js';
import { ErrorNote } from './ErrorNote.js';

export function SignIn({ step, expired }: { step: SignInStep; expired: boolean }) {
  return (
    <section className="panel narrow" aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in to Arlo</h2>
      {expired && step.step === 'signed-out' && (
        <p className="notice">Your Arlo session has expired. Sign in again (or paste a new token) to enroll or refresh devices; streams of enrolled base stations keep working.</p>
      )}
      {step.step === 'choose-factor' && <ChooseFactor factors={step.factors} />}
      {step.step === 'enter-code' && <EnterCode factor={step.factor} />}
      {step.step === 'await-push' && <AwaitPush factor={step.factor} />}
      {(step.step === 'signed-out' || step.step === 'signed-in') && (
        <>
          <Credentials />
          <PasteToken />
        </>
      )}
    </section>
  );
}

function Credentials() {
  const api = useApi();
  const action = useAction();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await api.signIn(email, password);
      setPassword('');
    });
  };
  return (
    <form onSubmit={submit} className="stack">
      <p className="hint">Use the owner account of your base station: shared accounts cannot enroll.</p>
      <label>
        Email
        <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <ErrorNote message={action.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </div>
    </form>
  );
}

function PasteToken() {
  const api = useApi();
  const action = useAction();
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await api.useToken(token.trim());
      setToken('');
    });
  };
  return (
    <details className="alt">
      <summary>Sign-in refused by Arlo? Paste a token instead</summary>
      <form onSubmit={submit} className="stack">
        <p className="hint">
          Sign in at my.arlo.com in your browser, open the developer tools, and copy the <code>Authorization</code> header
          of a request to myapi.arlo.com.
        </p>
        <label>
          Token
          <textarea required rows={3} value={token} onChange={(e) => setToken(e.target.value)} spellCheck={false} />
        </label>
        <ErrorNote message={action.error} />
        <div className="row">
          <button type="submit" disabled={action.busy}>Use token</button>
        </div>
      </form>
    </details>
  );
}

const FACTOR_LABEL: Record<MfaFactor['factorType'], string> = {
  EMAIL: 'Email a code to',
  SMS: 'Text a code to',
  PUSH: 'Approve in the Arlo app on',
};

function ChooseFactor({ factors }: { factors: MfaFactor[] }) {
  const api = useApi();
  const action = useAction();
  return (
    <div className="stack">
      <p>Arlo wants a second step. How should it reach you?</p>
      <ul className="choices">
        {factors.map((factor) => (
          <li key={factor.factorId}>
            <button type="button" disabled={action.busy} onClick={() => void action.run(() => api.chooseFactor(factor.factorId))}>
              {FACTOR_LABEL[factor.factorType]} {factor.nickname}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote message={action.error} />
      <CancelSignIn />
    </div>
  );
}

function EnterCode({ factor }: { factor: MfaFactor }) {
  const api = useApi();
  const action = useAction();
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() => api.submitMfaCode(code.trim()));
  };
  return (
    <form onSubmit={submit} className="stack">
      <p>Arlo sent a code to {factor.nickname}.</p>
      <label>
        Verification code
        <input inputMode="numeric" autoComplete="one-time-code" required autoFocus value={code} onChange={(e) => setCode(e.target.value)} />
      </label>
      <ErrorNote message={action.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy}>Verify</button>
        <CancelSignIn />
      </div>
    </form>
  );
}

function AwaitPush({ factor }: { factor: MfaFactor }) {
  return (
    <div className="stack" aria-live="polite">
      <p>
        <span className="spinner" aria-hidden="true" /> Approve the sign-in in the Arlo app on {factor.nickname}…
      </p>
      <CancelSignIn />
    </div>
  );
}

function CancelSignIn() {
  const api = useApi();
  const action = useAction();
  return (
    <>
      <button type="button" disabled={action.busy} onClick={() => void action.run(() => api.cancelSignIn())}>
        Cancel
      </button>
      <ErrorNote message={action.error} />
    </>
  );
}
