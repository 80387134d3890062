// Settings: where the RTSP ports listen (and the LAN credentials that requires), the port base,
// launch at login (desktop), the access token on this computer too (web), how long an idle upstream
// session lingers, and the daily streaming budget of battery cameras (a warning threshold and an
// optional cap), and whether the cameras are ONVIF devices too.

import { useState, type FormEvent } from 'react';
import { SUB_STREAM_FPS_RANGE, SUB_STREAM_WIDTH_RANGE } from '../../shared/streams.js';
import { MIN_LAN_PASSWORD_LENGTH, ONVIF_PORT_OFFSET, type SettingsPatch, type SettingsView } from '../../shared/api.js';
import { isLoopbackAddress } from '../../shared/net.js';
import { replaceAccessToken } from '../api/web-client.js';
import { useAction, useApi } from '../hooks.js';
import { ErrorNote } from './ErrorNote.js';

/** Letters and digits without look-alikes (0/O, 1/l/I), easy to type into a player on another device. */
const PASSWORD_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const GENERATED_LENGTH = 20;

/** A random viewer password from the browser's CSPRNG (rejection sampling keeps every character equally likely). */
export function generatePassword(): string {
  const limit = 256 - (256 % PASSWORD_ALPHABET.length);
  let password = '';
  while (password.length < GENERATED_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < limit && password.length < GENERATED_LENGTH) password += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
    }
  }
  return password;
}

export function Settings({ settings, desktop }: { settings: SettingsView; desktop: boolean }) {
  const api = useApi();
  const action = useAction();
  const [listenAddress, setListenAddress] = useState(settings.listenAddress);
  const [portBase, setPortBase] = useState(String(settings.portBase));
  const [lanUsername, setLanUsername] = useState(settings.lanUsername ?? '');
  const [lanPassword, setLanPassword] = useState('');
  /** Shown in the clear once generated, so the user can note it for the players. */
  const [showPassword, setShowPassword] = useState(false);
  const [lanAllowBasic, setLanAllowBasic] = useState(settings.lanAllowBasic);
  const [launchAtLogin, setLaunchAtLogin] = useState(settings.launchAtLogin);
  const [notifications, setNotifications] = useState(settings.notifications);
  const [updateChecks, setUpdateChecks] = useState(settings.updateChecks);
  const [requireAccessToken, setRequireAccessToken] = useState(settings.requireAccessToken);
  /** The web UI's address with a token just made, shown once to bookmark. */
  const [tokenUrl, setTokenUrl] = useState<string>();
  const newToken = useAction();
  const [linger, setLinger] = useState(String(settings.lingerSeconds));
  const [warnMinutes, setWarnMinutes] = useState(String(settings.batteryWarnMinutes));
  const [capMinutes, setCapMinutes] = useState(settings.batteryCapMinutes === null ? '' : String(settings.batteryCapMinutes));
  const [onvif, setOnvif] = useState(settings.onvif);
  const [subWidth, setSubWidth] = useState(String(settings.subStreamWidth));
  const [subFps, setSubFps] = useState(String(settings.subStreamFps));
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
      onvif,
      subStreamWidth: Number(subWidth),
      subStreamFps: Number(subFps),
    };
    if (lan) {
      patch.lanUsername = lanUsername.trim();
      patch.lanAllowBasic = lanAllowBasic;
    }
    if (lanPassword !== '') patch.lanPassword = lanPassword;
    if (desktop) Object.assign(patch, { launchAtLogin, notifications, updateChecks });
    else patch.requireAccessToken = requireAccessToken;
    void action.run(async () => {
      // A new token before the rule applies: this tab keeps working, and one taken while the API was open stops.
      if (patch.requireAccessToken && !settings.requireAccessToken) setTokenUrl(await replaceAccessToken());
      await api.updateSettings(patch);
      setLanPassword('');
      setShowPassword(false);
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
              <input
                type={showPassword ? 'text' : 'password'} value={lanPassword} required={passwordRequired} minLength={MIN_LAN_PASSWORD_LENGTH}
                autoComplete="new-password" aria-describedby="password-hint" onChange={(e) => setLanPassword(e.target.value)}
              />
            </label>
            <div className="row">
              <button type="button" onClick={() => { setLanPassword(generatePassword()); setShowPassword(true); }}>Generate a password</button>
            </div>
            <p className="hint" id="password-hint">
              At least {MIN_LAN_PASSWORD_LENGTH} characters: anyone on your network can try to guess it. Players get it through
              “Copy URL”; it is never shown in the camera list.
            </p>
            <label className="check">
              <input type="checkbox" checked={lanAllowBasic} onChange={(e) => setLanAllowBasic(e.target.checked)} aria-describedby="basic-hint" />
              Also accept Basic authentication
            </label>
            <p className="hint" id="basic-hint">
              Off unless a player cannot do Digest: Basic sends the password readable by anyone on the network with every request.
            </p>
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
        <label className="check">
          <input type="checkbox" checked={onvif} onChange={(e) => setOnvif(e.target.checked)} aria-describedby="onvif-hint" />
          ONVIF
        </label>
        <p className="hint" id="onvif-hint">
          Each running camera is also an ONVIF camera that UniFi Protect, Blue Iris and Home Assistant find on the network by
          themselves (its port is the RTSP port plus {ONVIF_PORT_OFFSET}); they sign in with the viewer username and password.
        </p>
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
        <fieldset>
          <legend>Sub-stream (/sub, for detection)</legend>
          <label>
            Width (pixels; the height keeps the camera's shape)
            <input type="number" min={SUB_STREAM_WIDTH_RANGE.min} max={SUB_STREAM_WIDTH_RANGE.max} step={2} value={subWidth} onChange={(e) => setSubWidth(e.target.value)} required />
          </label>
          <label>
            Frames per second
            <input type="number" min={SUB_STREAM_FPS_RANGE.min} max={SUB_STREAM_FPS_RANGE.max} value={subFps} onChange={(e) => setSubFps(e.target.value)} required />
          </label>
        </fieldset>
        {desktop && (
          <label className="check">
            <input type="checkbox" checked={launchAtLogin} onChange={(e) => setLaunchAtLogin(e.target.checked)} />
            Launch at login
          </label>
        )}
        {desktop && (
          <label className="check">
            <input type="checkbox" checked={notifications} onChange={(e) => setNotifications(e.target.checked)} />
            Notifications (a camera in error, a certificate expiring, a daily cap reached, an update ready)
          </label>
        )}
        {desktop && (
          <label className="check">
            <input type="checkbox" checked={updateChecks} onChange={(e) => setUpdateChecks(e.target.checked)} />
            Check for updates at start and daily
          </label>
        )}
        {!desktop && (
          <fieldset>
            <legend>Access to this page</legend>
            <label className="check">
              <input type="checkbox" checked={requireAccessToken} onChange={(e) => setRequireAccessToken(e.target.checked)} aria-describedby="token-hint" />
              Require the access token on this computer too
            </label>
            <p className="hint" id="token-hint">
              For computers with several users: otherwise anyone logged in here can use this page and its API. Served beyond this
              computer, the token is always required.
            </p>
            <div className="row">
              <button type="button" disabled={newToken.busy} onClick={() => void newToken.run(async () => setTokenUrl(await replaceAccessToken()))}>
                Make a new access token
              </button>
            </div>
            <ErrorNote message={newToken.error} />
            {tokenUrl && (
              <p className="ok-note" role="status">
                New access token: the old one no longer works. Bookmark this address to open this page again: <code>{tokenUrl}</code>
              </p>
            )}
          </fieldset>
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
