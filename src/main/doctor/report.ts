// doctor's results as words (the CLI's output and the text report) and as a report file safe to
// attach to a bug report: JSON + text, with every secret this installation holds scrubbed out even
// though no step writes one (the steps' details are built from non-secret facts; this is the belt
// to those braces).

import { writeFile } from 'node:fs/promises';
import type { Diagnosis } from '../../shared/api.js';
import type { DataStore } from '../store/types.js';

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

export function diagnosisText(diagnosis: Diagnosis): string {
  const lines = [`Base station ${diagnosis.baseStationId}${diagnosis.cameraId ? `, camera ${diagnosis.cameraId}` : ''} (started ${diagnosis.startedAt})`];
  for (const step of diagnosis.steps) {
    lines.push(`${MARK[step.status]}  ${step.name} (${step.durationMs} ms)`);
    for (const line of step.detail.split('\n')) lines.push(`      ${line}`);
    if (step.fix) lines.push(`      ${step.status === 'skip' ? 'Why' : 'Fix'}: ${step.fix}`);
  }
  const failed = diagnosis.steps.filter((s) => s.status === 'fail').length;
  lines.push(failed === 0 ? 'Result: every step passed.' : `Result: ${failed} of ${diagnosis.steps.length} steps failed.`);
  return lines.join('\n');
}

/** Every secret value this installation holds, and the account's e-mail and user id: text that must never reach a report or a capture. */
export async function secretValues(store: DataStore): Promise<string[]> {
  const values: string[] = [];
  for (const name of ['arloToken', 'lanPassword', 'webAccessToken'] as const) {
    const value = await store.secrets.get(name).catch(() => undefined);
    if (value) values.push(value);
  }
  const key = await store.secrets.get('clientPrivateKey').catch(() => undefined);
  // Each base64 line of the key: a report quoting part of it would leak that part.
  if (key) values.push(key, ...key.split('\n').filter((line) => /^[A-Za-z0-9+/=]{16,}$/.test(line)));
  const jar = await store.secrets.get('trustedBrowserCode').catch(() => undefined);
  if (jar) values.push(jar, ...cookieValues(jar));
  if (process.env.ARLO_RTSP_PASSPHRASE) values.push(process.env.ARLO_RTSP_PASSPHRASE);
  // Not secrets, but they name the account: a report or capture is attached to a public bug report.
  const { account } = await store.read().catch(() => ({ account: undefined }));
  if (account?.email) values.push(account.email);
  if (account?.userId) values.push(account.userId);
  return values.filter((value) => value.length >= 6);
}

function cookieValues(jar: string): string[] {
  try {
    const parsed = JSON.parse(jar) as { cookies?: { value?: unknown }[] };
    return (parsed.cookies ?? []).flatMap((cookie) => (typeof cookie.value === 'string' ? [cookie.value] : []));
  } catch {
    return jar.split(/;\s*/).map((pair) => pair.slice(pair.indexOf('=') + 1));
  }
}

export function scrub(text: string, secrets: readonly string[]): string {
  // Longest first, so a secret containing another is removed whole.
  return [...secrets].sort((a, b) => b.length - a.length).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** Writes `<base>.json` and `<base>.txt` (base = `file` without a .json/.txt ending); returns both paths. */
export async function writeReport(file: string, diagnoses: Diagnosis[], secrets: readonly string[], about: Record<string, string>): Promise<string[]> {
  const base = file.replace(/\.(json|txt)$/i, '');
  const json = scrub(JSON.stringify({ about, diagnoses }, null, 2), secrets);
  const text = scrub([...Object.entries(about).map(([k, v]) => `${k}: ${v}`), '', ...diagnoses.map(diagnosisText)].join('\n'), secrets);
  await writeFile(`${base}.json`, `${json}\n`, { mode: 0o600 });
  await writeFile(`${base}.txt`, `${text}\n`, { mode: 0o600 });
  return [`${base}.json`, `${base}.txt`];
}
