// "Diagnose": runs the checks of `arlo-rtsp doctor` for one base station (or one camera, with a
// few seconds of PLAY) and lists each step with pass/fail, duration, what it saw and the fix. A
// hook, so a card puts the button in its own row of actions and the report below it.

import { useState, type ReactNode } from 'react';
import type { DiagnoseRequest, Diagnosis } from '../../shared/api.js';
import { useAction, useApi } from '../hooks.js';
import { ErrorNote } from './ErrorNote.js';

const MARK = { pass: '✓', fail: '✗', skip: '–' } as const;

export function useDiagnose(request: DiagnoseRequest, label: string): { button: ReactNode; report: ReactNode } {
  const api = useApi();
  const action = useAction();
  const [result, setResult] = useState<Diagnosis>();
  const run = () => void action.run(async () => setResult(await api.diagnose(request)));
  const button = (
    <button type="button" disabled={action.busy} onClick={run} aria-label={label}>
      {action.busy ? 'Diagnosing…' : 'Diagnose'}
    </button>
  );
  const report = (action.error || result) && (
    <div className="diagnose">
      <ErrorNote message={action.error} />
      {result && (
        <div role="status">
          <p className={result.passed ? 'ok-note' : 'error-note'}>
            {result.passed ? 'Every check passed.' : `${result.steps.filter((s) => s.status === 'fail').length} check(s) failed: see the fix below.`}
          </p>
          <ol className="steps small">
            {result.steps.map((step) => (
              <li key={step.name} data-status={step.status}>
                <strong>{MARK[step.status]} {step.name}</strong> <span className="muted">({step.durationMs} ms)</span>
                <pre className="muted">{step.detail}</pre>
                {step.fix && <p className={step.status === 'fail' ? 'error-note' : 'muted'}>{step.status === 'fail' ? 'Fix: ' : ''}{step.fix}</p>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
  return { button, report };
}
