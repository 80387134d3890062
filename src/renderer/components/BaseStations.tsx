// First run, part two (and later, on demand): choose base stations, enroll them, and give each a
// LAN address (found by mDNS, or typed).

import { useEffect, useState, type FormEvent } from 'react';
import type { BaseStationView, EnrollOutcome } from '../../shared/api.js';
import { joinHostPort, splitHostPort } from '../../shared/address.js';
import { useAction, useApi } from '../hooks.js';
import { useDiagnose } from './Diagnose.js';
import { ErrorNote } from './ErrorNote.js';
import { formatDate } from '../../shared/dates.js';

export function BaseStations({ stations, onDone }: { stations: BaseStationView[]; onDone?: () => void }) {
  const api = useApi();
  const refresh = useAction();
  const enroll = useAction();
  // Not-yet-enrolled stations are chosen by default; the user's ticks flip that. Kept as flips, not
  // as a chosen set, so stations arriving after the first render are chosen too.
  const [flipped, setFlipped] = useState<ReadonlySet<string>>(new Set());
  const [outcomes, setOutcomes] = useState<EnrollOutcome[]>([]);
  const chosen = new Set(stations.filter((s) => !s.enrolled !== flipped.has(s.deviceId)).map((s) => s.deviceId));
  const toggle = (id: string) =>
    setFlipped((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const runEnroll = () =>
    void enroll.run(async () => {
      setOutcomes(await api.enroll([...chosen]));
      setFlipped(new Set());
    });
  const anyEnrolled = stations.some((s) => s.enrolled);
  const empty = stations.length === 0;
  // Right after sign-in the app knows no devices yet: ask the cloud once, as the user would.
  useEffect(() => {
    if (empty) void refresh.run(() => api.refreshDevices());
  }, [api, empty, refresh.run]);

  return (
    <section className="panel" aria-labelledby="stations-title">
      <div className="title-row">
        <h2 id="stations-title">Base stations</h2>
        <button type="button" disabled={refresh.busy} onClick={() => void refresh.run(() => api.refreshDevices())}>
          {refresh.busy ? 'Refreshing…' : 'Refresh devices'}
        </button>
      </div>
      <ErrorNote message={refresh.error} />
      {stations.length === 0 ? (
        <p className="hint">No base station on this account yet. Refresh once it shows in the Arlo app.</p>
      ) : (
        <>
          <p className="hint">
            Enrolling asks the Arlo cloud for a certificate this app uses to talk to the base station on your network.
            Video never goes through the cloud.
          </p>
          <ul className="cards">
            {stations.map((station) => (
              <li key={station.deviceId} className="card">
                <StationCard
                  station={station}
                  chosen={chosen.has(station.deviceId)}
                  onToggle={() => toggle(station.deviceId)}
                  outcome={outcomes.find((o) => o.baseStationId === station.deviceId)}
                />
              </li>
            ))}
          </ul>
          <ErrorNote message={enroll.error} />
          <div className="row">
            <button type="button" className="primary" disabled={enroll.busy || chosen.size === 0} onClick={runEnroll}>
              {enroll.busy ? 'Enrolling…' : chosen.size <= 1 ? 'Enroll base station' : `Enroll ${chosen.size} base stations`}
            </button>
            {onDone && anyEnrolled && (
              <button type="button" onClick={onDone}>
                Go to cameras
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function StationCard({ station, chosen, onToggle, outcome }: {
  station: BaseStationView;
  chosen: boolean;
  onToggle: () => void;
  outcome?: EnrollOutcome;
}) {
  const checkboxId = `enroll-${station.deviceId}`;
  const diagnose = useDiagnose({ baseStationId: station.deviceId }, `Diagnose ${station.name}`);
  return (
    <>
      <div className="card-head">
        <h3 className="card-title">
          {station.name} <span className="muted">{station.model}</span>
        </h3>
        <span className={`badge ${station.enrolled ? 'badge-media' : 'badge-idle'}`}>{station.enrolled ? 'Enrolled' : 'Not enrolled'}</span>
      </div>
      <label className="check small" htmlFor={checkboxId}>
        <input type="checkbox" id={checkboxId} checked={chosen} onChange={onToggle} />
        {station.enrolled ? 'Enroll again (a new certificate) with the button below' : 'Enroll with the button below'}
      </label>
      {station.certificateExpires && (
        <p className="muted small">Certificate valid until {formatDate(station.certificateExpires)}</p>
      )}
      {outcome && (
        <p className={outcome.result === 'failed' ? 'error-note' : 'ok-note'} role={outcome.result === 'failed' ? 'alert' : 'status'}>
          {outcome.message}
        </p>
      )}
      <ErrorNote message={station.error} />
      {station.notice && <p className="ok-note" role="status">{station.notice}</p>}
      {station.localStreamingNotListed && <p className="notice" role="note">{station.localStreamingNotListed}</p>}
      <AddressForm station={station} />
      <PinnedCertificate station={station} />
      <div className="row">{diagnose.button}</div>
      {diagnose.report}
    </>
  );
}

/** The base station's own certificate as pinned (with its key) at first contact, and the way to forget it after a replacement. */
function PinnedCertificate({ station }: { station: BaseStationView }) {
  const api = useApi();
  const action = useAction();
  if (!station.pinnedFingerprint) return null;
  return (
    <div className="pin">
      <p className="small muted">Pinned base-station certificate: <code className="fingerprint">{station.pinnedFingerprint}</code></p>
      <button
        type="button"
        disabled={action.busy}
        onClick={() => void action.run(() => api.forgetPinnedCertificate(station.deviceId))}
      >
        Forget pinned certificate
      </button>
      <span className="small muted"> after replacing or resetting this base station; the next stream pins the new one. A certificate renewed on the same key is accepted without this.</span>
      <ErrorNote message={action.error} />
    </div>
  );
}

function AddressForm({ station }: { station: BaseStationView }) {
  const api = useApi();
  const save = useAction();
  const find = useAction();
  const typed = station.addressSource === 'typed' && station.host ? joinHostPort(station.host, station.port) : '';
  const [host, setHost] = useState(typed);
  const inputId = `host-${station.deviceId}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    find.clear();
    const address = splitHostPort(host.trim());
    void save.run(() => api.setBaseStationAddress(station.deviceId, address.host, address.port));
  };
  const findAutomatically = () => {
    save.clear();
    setHost('');
    void find.run(() => api.setBaseStationAddress(station.deviceId, null));
  };
  return (
    <form onSubmit={submit} className="address">
      <p className="small">
        {station.host
          ? <>Address: <code>{joinHostPort(station.host, station.port)}</code> ({station.addressSource === 'mdns' ? 'found on the network' : 'typed'})
            {station.announcedPort !== undefined && <> · it announces port {station.announcedPort}; streams use {station.port} as the Arlo apps do</>}</>
          : 'Address not found on the network yet: type it (see your router’s device list).'}
      </p>
      <div className="row">
        <label htmlFor={inputId} className="inline">Address (host or host:port)</label>
        <input id={inputId} value={host} placeholder="192.168.1.20" onChange={(e) => setHost(e.target.value)} />
        <button type="submit" disabled={save.busy || host.trim() === ''}>{save.busy ? 'Saving…' : 'Save address'}</button>
        <button type="button" disabled={find.busy} onClick={findAutomatically} title="Forget a typed address and look for the base station on the network">
          {find.busy ? 'Looking…' : 'Find automatically'}
        </button>
      </div>
      <ErrorNote message={save.error ?? find.error} />
    </form>
  );
}
