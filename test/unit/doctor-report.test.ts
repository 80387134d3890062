import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnosis } from '../../src/shared/api.js';
import { diagnosisText, scrub } from '../../src/main/doctor/report.js';
import { formatDateTime } from '../../src/shared/dates.js';

const diagnosis: Diagnosis = {
  baseStationId: 'BS1',
  cameraId: 'CAM1',
  passed: false,
  startedAt: '2026-01-01T00:00:00.000Z',
  steps: [
    { name: 'TCP connect', status: 'fail', durationMs: 5001, detail: 'no answer', fix: 'Check the address.' },
    { name: 'TLS handshake', status: 'skip', durationMs: 0, detail: 'not run', fix: 'Needs "TCP connect" to pass first.' },
  ],
};

test('diagnosisText: one line per step with its mark and duration, the fix under a failure, the result', () => {
  assert.equal(diagnosisText(diagnosis), [
    `Base station BS1, camera CAM1 (started ${formatDateTime('2026-01-01T00:00:00.000Z')})`,
    'FAIL  TCP connect (5001 ms)',
    '      no answer',
    '      Fix: Check the address.',
    'SKIP  TLS handshake (0 ms)',
    '      not run',
    '      Why: Needs "TCP connect" to pass first.',
    'Result: 1 of 2 steps failed.',
  ].join('\n'));
});

test('scrub removes every secret, the longer one whole when one contains another', () => {
  assert.equal(scrub('token abcdef123456 and abcdef123456XYZ', ['abcdef123456', 'abcdef123456XYZ']), 'token [redacted] and [redacted]');
});
