// Waiting in tests for what the code under test does on its own time: a condition polled every
// 50 ms until it holds, or an error naming what never happened.

/** Resolves once `condition()` holds; rejects after `timeoutMs`, naming `what` was awaited. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** As `waitFor`, for a condition that must be asked for (a request, a connection): polled one at a time. */
export async function waitForAnswer(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
