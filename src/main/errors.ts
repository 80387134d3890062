// An error meant for the user: a stable machine-readable `code` plus one sentence that says what
// failed and what to do. Transports carry both (ApiErrorPayload); anything else is an internal
// error and reaches the user as a generic message while the details go to the log.

import type { ApiErrorPayload } from '../shared/api.js';

export class AppError extends Error {
  override readonly name: string = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The payload a transport sends for any thrown value; only user-facing errors keep their text. */
export function toApiError(error: unknown): ApiErrorPayload {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'internal', message: 'Something went wrong inside the app; the log has the details.' };
}
