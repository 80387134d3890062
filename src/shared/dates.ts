// Dates and times as people read them, in their own time zone and language: the one formatter for
// every date a user sees (the web UI and desktop window, the enrollment outcome, `arlo-rtsp devices`,
// `doctor` and the demo), so none shows an ISO string. No Node here: the renderer imports it too.
// Machine-facing places (the store, the API's fields, metrics, logs) keep ISO and epoch values.

type When = Date | string | number;

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A day, e.g. "Dec 7, 2027" (as the user's locale writes it). */
export function formatDate(when: When): string {
  return DATE.format(new Date(when));
}

/** A day and time to the minute, e.g. "Dec 7, 2026, 11:52 AM" (as the user's locale writes it). */
export function formatDateTime(when: When): string {
  return DATE_TIME.format(new Date(when));
}
