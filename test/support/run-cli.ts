// Runs `arlo-rtsp` as a child process (through tsx), the way a user does, answering prompts on stdin.

import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait.js';

const CLI = new URL('../../src/main/headless/cli.ts', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `answer` gets the child's stdin and a view of the stderr seen so far; stdin ends when it returns.
 * The child is killed after `timeoutMs`.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  answer?: (stdin: NodeJS.WritableStream, stderr: () => string) => Promise<void>,
  timeoutMs = 30_000,
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const answering = answer ? answer(child.stdin, () => stderr).finally(() => child.stdin.end()) : Promise.resolve(child.stdin.end());
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      answering.then(() => resolve({ code, stdout, stderr }), reject);
    });
  });
}

export interface RunningCli {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts a command that runs until stopped (serve, demo); the caller ends it with a signal. */
export function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARLO_RTSP_LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** `arlo-rtsp demo` with its web UI on an ephemeral loopback port; a random port base keeps parallel runs apart. */
export function startDemo(env: Record<string, string> = {}): RunningCli {
  return startCli(['demo', '--http', '127.0.0.1:0', '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))], env);
}

/** The web UI address a running demo prints (without its trailing slash), once printed. */
export async function webUiOf(cli: RunningCli): Promise<string> {
  const printed = /^web UI: (http:\/\/\S+?)\/?$/m;
  await waitFor(() => printed.test(cli.output()), 60_000, `the web UI address; output: ${cli.output()}`);
  return printed.exec(cli.output())![1]!;
}

/** The first capture of `pattern` in what `cli` printed, waiting for it to appear. */
export async function printedBy(cli: RunningCli, pattern: RegExp, what: string): Promise<string> {
  await waitFor(() => pattern.test(cli.output()), 30_000, `${what} to be printed; output: ${cli.output()}`);
  return pattern.exec(cli.output())![1]!;
}

/** Every verification code a running demo printed so far, oldest first. */
export function codesSentBy(cli: RunningCli): string[] {
  return [...cli.output().matchAll(/sent a verification code by EMAIL to \S+: (\d+)/g)].map((m) => m[1]!);
}

/** `arlo-rtsp demo --first-run` on ephemeral ports, and what it prints for a person to walk the first run. */
export async function startFirstRunDemo(args: string[] = [], env: Record<string, string> = {}): Promise<{
  demo: RunningCli; webUrl: string; email: string; password: string; baseStationAddress: string;
}> {
  const demo = startCli([...args, 'demo', '--first-run', '--http', '127.0.0.1:0', '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))], env);
  return {
    demo,
    webUrl: (await printedBy(demo, /^web UI: (http:\/\/\S+)$/m, 'the web UI address')).replace(/\/$/, ''),
    email: await printedBy(demo, /^ {2}email: +(\S+)$/m, 'the demo account'),
    password: await printedBy(demo, /^ {2}password: (.+)$/m, 'the password'),
    baseStationAddress: await printedBy(demo, /type it in\): (127\.0\.0\.1:\d+)$/m, "the base station's address"),
  };
}
