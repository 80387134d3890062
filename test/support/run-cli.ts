// Runs `arlo-rtsp` as a child process (through tsx), the way a user does, answering prompts on stdin.

import { spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `answer` gets the child's stdin and a view of the stderr seen so far; stdin ends when it returns. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  answer?: (stdin: NodeJS.WritableStream, stderr: () => string) => Promise<void>,
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/headless/cli.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const answering = answer ? answer(child.stdin, () => stderr).finally(() => child.stdin.end()) : Promise.resolve(child.stdin.end());
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      answering.then(() => resolve({ code, stdout, stderr }), reject);
    });
  });
}

export async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
