// The window: sign-in until there is an account, then base stations (first run) or cameras,
// with settings a tab away. Which screen shows follows the published AppState.

import { useState, type ReactNode } from 'react';
import type { AppState, SignInStep, UpdateView } from '../shared/api.js';
import { BaseStations } from './components/BaseStations.js';
import { Cameras } from './components/Cameras.js';
import { ErrorNote } from './components/ErrorNote.js';
import { Settings } from './components/Settings.js';
import { SignIn } from './components/SignIn.js';
import { useAction, useApi, useAppState } from './hooks.js';

type Tab = 'cameras' | 'stations' | 'settings';

export function App() {
  const api = useApi();
  const { state, error, offline } = useAppState(api);
  if (!state) {
    return (
      <main className="app">
        <Header />
        {error ? <ErrorNote message={offline ? `${error} Reload this page when it runs again.` : error} /> : <p className="muted">Loading…</p>}
      </main>
    );
  }
  return <Main state={state} />;
}

/** Steps of a sign-in under way: its form shows whatever else the window shows. */
const SIGN_IN_UNDER_WAY: ReadonlySet<SignInStep['step']> = new Set(['choose-factor', 'enter-code', 'await-push']);

function Main({ state }: { state: AppState }) {
  const desktop = state.shell === 'desktop';
  const hasCameras = state.cameras.length > 0;
  const enrolledIds = new Set(state.baseStations.filter((b) => b.enrolled).map((b) => b.deviceId));
  const enrolled = enrolledIds.size > 0;
  const [tab, setTab] = useState<Tab>(enrolled || hasCameras ? 'cameras' : 'stations');
  const [signInOpen, setSignInOpen] = useState(false);
  const signedIn = state.account.signedIn && !state.account.tokenExpired;
  const signingIn = SIGN_IN_UNDER_WAY.has(state.signIn.step);
  // Streams of enrolled base stations run without the cloud; only first run is blocked on sign-in.
  const firstRun = !enrolled && (!signedIn || signingIn);
  const current: Tab = !enrolled && !hasCameras && tab === 'cameras' ? 'stations' : tab;

  return (
    <main className="app">
      <Header state={state} signedIn={signedIn} />
      {state.warnings.map((w) => (
        <p key={w} className="notice" role="status">{w}</p>
      ))}
      {state.baseStations.flatMap(({ deviceId, certificateWarning: warning }) => warning ? [(
        <p key={`certificate-${deviceId}`} className={warning.level === 'soon' ? 'notice' : 'error-note'} role="alert" data-certificate-warning={warning.level}>{warning.message}</p>
      )] : [])}
      {state.update && <UpdateNote update={state.update} />}
      {firstRun ? (
        <SignIn step={state.signIn} expired={state.account.tokenExpired} />
      ) : (
        <>
          {(!signedIn || signingIn) && (
            <WithoutCloud
              expired={state.account.tokenExpired}
              open={signInOpen || signingIn}
              onOpen={() => setSignInOpen(true)}
              signIn={<SignIn step={state.signIn} expired={false} />}
            />
          )}
          <nav aria-label="Sections" className="tabs">
            {(['cameras', 'stations', 'settings'] as const).map((t) => (
              <button key={t} type="button" aria-current={current === t ? 'page' : undefined} onClick={() => setTab(t)}>
                {t === 'cameras' ? 'Cameras' : t === 'stations' ? 'Base stations' : 'Settings'}
              </button>
            ))}
          </nav>
          {current === 'cameras' && <Cameras cameras={state.cameras} enrolled={enrolledIds} desktop={desktop} transcoder={state.transcoder} onEnroll={() => setTab('stations')} />}
          {current === 'stations' && <BaseStations stations={state.baseStations} onDone={() => setTab('cameras')} />}
          {current === 'settings' && <Settings settings={state.settings} desktop={desktop} />}
        </>
      )}
    </main>
  );
}

/**
 * Signed out (or the sign-in expired) after enrollment: the cameras go on streaming without the
 * cloud, which is said first; the sign-in form is a click away, for enrolling or refreshing devices.
 */
function WithoutCloud({ expired, open, onOpen, signIn }: { expired: boolean; open: boolean; onOpen: () => void; signIn: ReactNode }) {
  return (
    <>
      <div className="notice" role="status" data-notice="without-cloud">
        <p>
          <strong>{expired ? 'Your Arlo sign-in has expired.' : 'Signed out of Arlo.'}</strong> The cameras below keep streaming on your
          network: their base stations need no cloud. Sign in again only to enroll a base station or refresh the device list.
        </p>
        {!open && <button type="button" onClick={onOpen}>Sign in to Arlo</button>}
      </div>
      {open && signIn}
    </>
  );
}

/** A newer version: "Restart to update" once downloaded; on macOS, a link to its release page. */
function UpdateNote({ update }: { update: UpdateView }) {
  const api = useApi();
  const restart = useAction();
  if (update.state === 'available') {
    return (
      <p className="notice" role="status">
        A new version is available: {update.version}.{' '}
        {update.url && <a href={update.url} target="_blank" rel="noreferrer">Download it from its release page</a>}
      </p>
    );
  }
  return (
    <div className="notice" role="status">
      Version {update.version} is ready.{' '}
      <button type="button" disabled={restart.busy} onClick={() => void restart.run(() => api.restartToUpdate())}>Restart to update</button>
      {restart.error && <ErrorNote message={restart.error} />}
    </div>
  );
}

function Header({ state, signedIn }: { state?: AppState; signedIn?: boolean }) {
  const api = useApi();
  const action = useAction();
  const account = state?.account;
  return (
    <header className="header">
      <h1>Arlo Local RTSP</h1>
      {account && signedIn && (
        <div className="row">
          <span className="muted">{account.email ? `Signed in as ${account.email}` : 'Signed in with a pasted token'}</span>
          <button type="button" disabled={action.busy} onClick={() => void action.run(() => api.signOut())}>Sign out</button>
        </div>
      )}
      <ErrorNote message={action.error} />
    </header>
  );
}
