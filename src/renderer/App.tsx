// The window: sign-in until there is an account, then base stations (first run) or cameras,
// with settings a tab away. Which screen shows follows the published AppState.

import { useState } from 'react';
import type { AppState } from '../shared/api.js';
import { BaseStations } from './components/BaseStations.js';
import { Cameras } from './components/Cameras.js';
import { ErrorNote } from './components/ErrorNote.js';
import { Settings } from './components/Settings.js';
import { SignIn } from './components/SignIn.js';
import { useAction, useApi, useAppState } from './hooks.js';

type Tab = 'cameras' | 'stations' | 'settings';

export function App() {
  const api = useApi();
  const { state, error } = useAppState(api);
  if (!state) {
    return (
      <main className="app">
        <Header />
        {error ? <ErrorNote message={`${error} Reload this page when the app runs again.`} /> : <p className="muted">Loading…</p>}
      </main>
    );
  }
  return <Main state={state} />;
}

function Main({ state }: { state: AppState }) {
  const desktop = state.shell === 'desktop';
  const hasCameras = state.cameras.length > 0;
  const enrolled = state.baseStations.some((b) => b.enrolled);
  const [tab, setTab] = useState<Tab>(enrolled || hasCameras ? 'cameras' : 'stations');
  const needsSignIn = !state.account.signedIn || state.account.tokenExpired || state.signIn.step !== 'signed-in';
  // Streams of enrolled base stations run without the cloud; only first run is blocked on sign-in.
  const signInOnly = needsSignIn && !enrolled;
  const current: Tab = !enrolled && !hasCameras && tab === 'cameras' ? 'stations' : tab;

  return (
    <main className="app">
      <Header state={state} />
      {state.warnings.map((w) => (
        <p key={w} className="notice" role="status">{w}</p>
      ))}
      {state.baseStations.flatMap(({ deviceId, certificateWarning: warning }) => warning ? [(
        <p key={`certificate-${deviceId}`} className={warning.level === 'soon' ? 'notice' : 'error-note'} role="alert" data-certificate-warning={warning.level}>{warning.message}</p>
      )] : [])}
      {needsSignIn && <SignIn step={state.signIn} expired={state.account.tokenExpired} />}
      {!signInOnly && (
        <>
          <nav aria-label="Sections" className="tabs">
            {(['cameras', 'stations', 'settings'] as const).map((t) => (
              <button key={t} type="button" aria-current={current === t ? 'page' : undefined} onClick={() => setTab(t)}>
                {t === 'cameras' ? 'Cameras' : t === 'stations' ? 'Base stations' : 'Settings'}
              </button>
            ))}
          </nav>
          {current === 'cameras' && <Cameras cameras={state.cameras} desktop={desktop} transcoder={state.transcoder} />}
          {current === 'stations' && <BaseStations stations={state.baseStations} onDone={() => setTab('cameras')} />}
          {current === 'settings' && <Settings settings={state.settings} desktop={desktop} />}
        </>
      )}
    </main>
  );
}

function Header({ state }: { state?: AppState }) {
  const api = useApi();
  const action = useAction();
  const account = state?.account;
  return (
    <header className="header">
      <h1>Arlo Local RTSP</h1>
      {account?.signedIn && (
        <div className="row">
          <span className="muted">{account.email ?? 'Signed in with a token'}</span>
          <button type="button" disabled={action.busy} onClick={() => void action.run(() => api.signOut())}>Sign out</button>
        </div>
      )}
      <ErrorNote message={action.error} />
    </header>
  );
}
