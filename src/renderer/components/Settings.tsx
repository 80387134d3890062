// Settings: where the RTSP ports listen (and the LAN credentials that requires), the port base,
// launch at login (desktop), how long an idle upstream session lingers, and the daily streaming
// budget of battery cameras (a warning threshold and an optional cap).

import { useState, type FormEvent } from 'react';
import type { SettingsPatch, SettingsView } from '../../shared/api.js';
import { isLoopbackAddress } from '../../shared/net.js';
import { useAction, useApi } from '../hooks.js';
import { ErrorNote } from './ErrorNote.js';


export function Settings({ settings, desktop }: { settings: SettingsView; desktop: boolean }) {
  const api = useApi();
  const action = useAction();
  const [listenAddress, setListenAddress] = useState(settings.listenAddress);
  const [portBase, setPortBase] = useState(String(settings.portBase));
  const [lanUsername, setLanUsername] = useState(settings.lanUsername ?? '');
  const [lanPassword, setLanPassword] = useState('');
  const [launchAtLogin, setLaunchAtLogin] = useState(settings.launchAtLogin);
  const [linger, setLinger] = useState(String(settings.lingerSeconds));
  const [warnMinutes, setWarnMinutes] = useState(String(settings.batteryWarnMinutes));
  const [capMinutes, setCapMinutes] = useState(settings.batteryCapMinutes === null ? '' : String(settings.batteryCapMinutes));
  const [saved, setSaved] = useState(false);
  const lan = !isLoopbackAddress(listenAddress);
  const passwordRequired = lan && !settings.lanPasswordSet;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const patch: SettingsPatch = {
      listenAddress: listenAddress.trim(),
      portBase: Number(portBase),
      lingerSeconds: Number(linger),
      batteryWarnMinutes: Number(warnMinutes),
      batteryCapMinutes: capMinutes.trim() === '' ? null : Number(capMinutes),
    };
    if (lan) patch.lanUsername = lanUsername.trim();
    if (lanPassword !== '') patch.lanPassword = lanPassword;
    if (desktop) patch.launchAtLogin = launchAtLogin;
    void action.run(async () => {
      await api.updateSettings(patch);
      setLanPassword('');
      setSaved(true);
    });
  };

  return (
    <section className="panel narrow" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form onSubmit={submit} className="stack">
        <label>
          Listen address
          <input value={listenAddress} onChange={(e) => setListenAddress(e.target.value)} aria-describedby="listen-hint" required />
        </label>
        <p className="hint" id="listen-hint">
          127.0.0.1 keeps the streams on this computer. 0.0.0.0 (or this computer’s LAN address) serves Blue Iris, Frigate
          or VLC on other machines, and then a username and password are required.
        </p>
        {lan && (
          <fieldset>
            <legend>LAN viewer credentials</legend>
            <label>
              Username
              <input value={lanUsername} required autoComplete="off" onChange={(e) => setLanUsername(e.target.value)} />
            </label>
            <label>
              Password {settings.lanPasswordSet && <span className="muted">(set; type to change)</span>}
              <input type="password" value={lanPassword} required={passwordRequired} autoComplete="new-password" onChange={(e) => setLanPassword(e.target.value)} />
            </label>
          </fieldset>
        )}
        <label>
          First RTSP port
          <input type="number" min={1024} max={65000} value={portBase} onChange={(e) => setPortBase(e.target.value)} required />
        </label>
        <label>
          Keep the camera connected after the last viewer leaves (seconds)
          <input type="number" min={0} max={600} value={linger} onChange={(e) => setLinger(e.target.value)} required />
        </label>
        <fieldset>
          <legend>Battery cameras: daily streaming</legend>
          <label>
            Warn past (minutes a day)
            <input type="number" min={0} max={1440} step="any" value={warnMinutes} onChange={(e) => setWarnMinutes(e.target.value)} required />
          </label>
          <label>
            Refuse new viewers past (minutes a day; empty for no cap)
            <input type="number" min={0} max={1440} step="any" value={capMinutes} onChange={(e) => setCapMinutes(e.target.value)} />
          </label>
        </fieldset>
        {desktop && (
          <label className="check">
            <input type="checkbox" checked={launchAtLogin} onChange={(e) => setLaunchAtLogin(e.target.checked)} />
            Launch at login
          </label>
        )}
        <ErrorNote message={action.error} />
        {saved && <p className="ok-note" role="status">Saved.</p>}
        <div className="row">
          <button type="submit" className="primary" disabled={action.busy}>Save settings</button>
        </div>
      </form>
    </section>
  );
}
