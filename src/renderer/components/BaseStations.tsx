// First run, part two (and later, on demand): choose base stations, enroll them, and give each a
// LAN address (found by mDNS, or typed).

import { useState, type FormEvent } from 'react';
import type { BaseStationView, EnrollOutcome } from '../../shared/api.js';
import { useAction, useApi } from '../hooks.js';
import { ErrorNote } from './ErrorNote.js';

export function BaseStations({ stations, onDone }: { stations: BaseStationView[]; onDone?: () => void }) {
  const api = useApi();
  const refresh = useAction();
  const enroll = useAction();
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(stations.filter((s) => !s.enrolled).map((s) => s.deviceId)));
  const [outcomes, setOutcomes] = useState<EnrollOutcome[]>([]);
  const toggle = (id: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const runEnroll = () =>
    void enroll.run(async () => {
      setOutcomes(await api.enroll([...chosen]));
    });
  const anyEnrolled = stations.some((s) => s.enrolled);

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
              {enroll.busy ? 'Enrolling…' : `Enroll ${chosen.size === 1 ? 'base station' : `${chosen.size} base stations`}`}
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
  return (
    <>
      <div className="card-head">
        <input type="checkbox" id={checkboxId} checked={chosen} onChange={onToggle} />
        <label htmlFor={checkboxId} className="card-title">
          {station.name} <span className="muted">{station.model}</span>
        </label>
        <span className={`badge ${station.enrolled ? 'badge-media' : 'badge-idle'}`}>{station.enrolled ? 'Enrolled' : 'Not enrolled'}</span>
      </div>
      {station.certificateExpires && (
        <p className="muted small">Certificate valid until {new Date(station.certificateExpires).toLocaleDateString()}</p>
      )}
      {outcome && (
        <p className={outcome.result === 'failed' ? 'error-note' : 'ok-note'} role={outcome.result === 'failed' ? 'alert' : 'status'}>
          {outcome.message}
        </p>
      )}
      <ErrorNote message={station.error} />
      <AddressForm station={station} />
    </>
  );
}

function AddressForm({ station }: { station: BaseStationView }) {
  const api = useApi();
  const action = useAction();
  const [host, setHost] = useState(station.addressSource === 'typed' ? (station.host ?? '') : '');
  const inputId = `host-${station.deviceId}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() => api.setBaseStationAddress(station.deviceId, host.trim() === '' ? null : host.trim()));
  };
  return (
    <form onSubmit={submit} className="address">
      <p className="small">
        {station.host
          ? <>Address: <code>{station.host}{station.port ? `:${station.port}` : ''}</code> ({station.addressSource === 'mdns' ? 'found on the network' : 'typed'})</>
          : 'Address not found on the network yet: type it (see your router’s device list).'}
      </p>
      <div className="row">
        <label htmlFor={inputId} className="inline">IP address or host name</label>
        <input id={inputId} value={host} placeholder="192.168.1.20" onChange={(e) => setHost(e.target.value)} />
        <button type="submit" disabled={action.busy}>{host.trim() === '' ? 'Find automatically' : 'Save address'}</button>
      </div>
      <ErrorNote message={action.error} />
    </form>
  );
}
