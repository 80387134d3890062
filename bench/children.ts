// The bench's helper processes: the engine and the viewers (forked through tsx, IPC), stunnel (the
// C reference), and reading a process's CPU time from /proc.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a child may take to exit on its own (the engine saving a --cpu-prof profile) before SIGTERM, then SIGKILL. */
const EXIT_GRACE_MS = 5_000;

/** A forked TypeScript module answering one message per request, in order. */
export class Child {
  readonly #process: ChildProcess;
  readonly #waiting: ((message: unknown) => void)[] = [];

  constructor(module: string) {
    // BENCH_CPU_PROF=<dir> profiles each relay (the engine, the Node references: node --cpu-prof),
    // to see where its CPU goes; BENCH_ENGINE_FLAGS adds node flags to them (e.g. --trace-gc). Never the viewers.
    const relay = !module.includes('viewers');
    const profile = process.env.BENCH_CPU_PROF && relay ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const extra = relay ? (process.env.BENCH_ENGINE_FLAGS?.split(' ').filter(Boolean) ?? []) : [];
    this.#process = fork(new URL(module, import.meta.url), { execArgv: ['--import', 'tsx', ...profile, ...extra], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#process.on('message', (message) => this.#waiting.shift()?.(message));
    this.#process.on('exit', (code) => {
      for (const wake of this.#waiting.splice(0)) wake(new Error(`${module} exited (${code})`));
    });
  }

  get pid(): number {
    return this.#process.pid ?? 0;
  }

  ask<T>(message: unknown): Promise<T> {
    const answer = new Promise<T>((resolve, reject) =>
      this.#waiting.push((reply) => (reply instanceof Error ? reject(reply) : resolve(reply as T))),
    );
    this.#process.send(message as object);
    return answer;
  }

  /**
   * Waits for the child to exit by itself (it does after its last answer), then asks with SIGTERM,
   * then forces. A graceful exit is what lets V8 write a `--cpu-prof` profile.
   */
  async close(): Promise<void> {
    for (const signal of [undefined, 'SIGTERM', 'SIGKILL'] as const) {
      if (this.#exited()) return;
      if (signal) this.#process.kill(signal);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, EXIT_GRACE_MS);
        this.#process.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #exited(): boolean {
    return this.#process.exitCode !== null || this.#process.signalCode !== null;
  }
}

/**
 * CPU seconds the live threads of a process have run so far, at nanosecond resolution: the first
 * field of each `/proc/<pid>/task/<tid>/schedstat` (the scheduler's sum_exec_runtime). The ticks of
 * `/proc/<pid>/stat` (10 ms) were coarser than stunnel's whole use in a few seconds. The same
 * counter serves every path, so their figures compare like with like.
 */
export function processCpuSeconds(pid: number): number {
  let nanoseconds = 0;
  for (const task of tasksOf(pid)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between listing and reading: its time left with it.
    }
  }
  return nanoseconds / 1e9;
}

/**
 * CPU seconds of a process and everything it started: its threads and its live descendants' (as
 * above), plus the children it has already reaped (`cutime`/`cstime` of `/proc/<pid>/stat`, in
 * clock ticks: a snapshot's ffmpeg lives a second). A relay is judged by the whole tree a user runs,
 * not by its main process alone.
 */
export function processTreeCpuSeconds(pid: number): number {
  let seconds = 0;
  for (const member of [pid, ...descendantsOf(pid)]) seconds += processCpuSeconds(member) + reapedChildrenSeconds(member);
  return seconds;
}

/** USER_HZ: 100 on every Linux this runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

function reapedChildrenSeconds(pid: number): number {
  try {
    // Fields after the command's closing parenthesis (which may contain spaces): cutime, cstime are the 16th and 17th of /proc/<pid>/stat.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function descendantsOf(pid: number): number[] {
  const children = tasksOf(pid).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

function tasksOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

export function peakRssOf(pid: number): number {
  return statusKilobytes(pid, 'VmHWM') * 1024;
}

/** Resident set now (VmRSS): the peak can be a start-up moment (serve's scrypt key derivation takes 128 MiB once). */
export function rssOf(pid: number): number {
  return statusKilobytes(pid, 'VmRSS') * 1024;
}

function statusKilobytes(pid: number, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Stunnel {
  pid: number;
  /** Plain-TCP port on loopback per relayed target, in order. */
  ports: number[];
  stop(): void;
}

/** stunnel in client mode: plain TCP on loopback in, mutual TLS 1.2 to each target out. */
export async function startStunnel(targets: number[], identity: { certPem: string; keyPem: string }): Promise<Stunnel> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stunnel-'));
  writeFileSync(join(dir, 'cert.pem'), identity.certPem);
  writeFileSync(join(dir, 'key.pem'), identity.keyPem, { mode: 0o600 });
  const ports = await Promise.all(targets.map(() => freePort()));
  const services = targets.map((target, i) => [
    `[relay${i}]`, 'client = yes', `accept = 127.0.0.1:${ports[i]}`, `connect = 127.0.0.1:${target}`,
    `cert = ${join(dir, 'cert.pem')}`, `key = ${join(dir, 'key.pem')}`, 'sslVersionMax = TLSv1.2',
  ].join('\n'));
  const config = ['foreground = yes', 'pid =', 'debug = 3', 'syslog = no', 'TIMEOUTclose = 0', '', ...services].join('\n');
  writeFileSync(join(dir, 'stunnel.conf'), config);
  const child = spawn('stunnel4', [join(dir, 'stunnel.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  for (const port of ports) {
    for (let attempt = 0; ; attempt++) {
      const open = await new Promise<boolean>((resolve) => {
        const probe = net.connect({ host: '127.0.0.1', port }, () => {
          probe.destroy();
          resolve(true);
        });
        probe.on('error', () => resolve(false));
      });
      if (open) break;
      if (attempt > 50 || child.exitCode !== null) {
        stop();
        throw new Error(`stunnel did not start: ${stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { pid: child.pid ?? 0, ports, stop };
}
