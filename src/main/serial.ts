// Runs async jobs one after another: a read-modify-write never interleaves with another, an RTSP
// request goes out only once the previous one is answered, a camera's start and stop never overlap.

export type Serial = <T>(job: () => Promise<T>) => Promise<T>;

export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>): Promise<T> => {
    const run = tail.then(job, job);
    // A failed job must not poison the jobs queued after it.
    tail = run.catch(() => undefined);
    return run;
  };
}
