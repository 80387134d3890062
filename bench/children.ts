// The bench's helper processes: the engine and the viewers (forked through tsx, IPC), stunnel (the
// C reference), and reading a process's CPU time from /proc.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

/** A forked TypeScript module answering one message per request, in order. */
export class Child {
  readonly #process: ChildProcess;
  readonly #waiting: ((message: unknown) => void)[] = [];

  constructor(module: string) {
    // BENCH_CPU_PROF=<dir> profiles the engine (node --cpu-prof), to see where its CPU goes.
    const profile = process.env.BENCH_CPU_PROF && module.includes('engine') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    this.#process = fork(new URL(module, import.meta.url), { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

  kill(): void {
    if (this.#process.exitCode === null) this.#process.kill('SIGKILL');
  }
}

/** User + system CPU seconds a process has used so far. */
export function processCpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces, hence from the last ')'): utime is 14th, stime 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export function peakRssOf(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
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
