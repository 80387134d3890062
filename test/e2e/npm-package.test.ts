// The npm package as a user gets it: `npm pack` of the built tree, `npm install -g` of the tarball
// into a fresh prefix with a clean environment (system PATH only: node, npm, ffmpeg; nothing from the
// repository, run outside it), then the installed `arlo-rtsp demo` prints a URL whose video and AAC
// audio ffprobe reads (the process being node with the young-generation cap of the bin's first line),
// and the installed `arlo-rtsp serve`, started the way the Docker image and the
// systemd unit start it (deploy/entrypoint.sh, environment variables, a passphrase file), answers
// `arlo-rtsp healthcheck`.
// Needs `npm run build` first (CI builds before testing); installs from the npm cache (--prefer-offline).

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const REPO = new URL('../..', import.meta.url).pathname;
const children: ChildProcess[] = [];
let dir: string;
let prefix: string;
/** This machine's npm settings (registry, CA file): npm reads them from the prefix's etc/ unless told where. */
let globalConfig: string;

/** The environment of a user's shell on a machine with node and ffmpeg: no npm_* settings, no repo tools. */
function cleanEnv(): NodeJS.ProcessEnv {
  return {
    PATH: `${join(prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    HOME: process.env.HOME ?? dir,
    TMPDIR: tmpdir(),
    LANG: 'C.UTF-8',
    ARLO_RTSP_LOG_LEVEL: 'warn',
  };
}

before(async () => {
  await access(join(REPO, 'dist/main/headless/cli.js')).catch(() => {
    throw new Error('the package is packed from the built tree: run "npm run build" first');
  });
  dir = await mkdtemp(join(tmpdir(), 'arlo-npm-package-'));
  prefix = join(dir, 'prefix');
  globalConfig = (await run('npm', ['config', 'get', 'globalconfig'])).stdout.trim();
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts an installed command from the temp dir; output so far and the exit code. */
function start(command: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; output(): string; exited: Promise<number | null> } {
  const child = spawn(command, args, { cwd: dir, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

/** The command line of the process a started command became (the shell and `env` exec into node, so it keeps the pid). */
function nodeArguments(child: ChildProcess): string[] {
  return readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

describe('the npm package', () => {
  it('packs the built code, the renderer and the simulator media, and nothing else', async () => {
    // --ignore-scripts: the tree is already built; prepack would build it again.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    const [{ files, filename }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    for (const needed of [
      'package.json', 'dist/main/headless/cli.js', 'dist/main/service.js', 'dist/sim/basestation.js', 'dist/renderer/index.html',
      'src/sim/media/avc-640x360-15fps.h264', 'src/sim/media/hevc-1280x720-15fps.h265', 'src/sim/media/aac-16khz-mono.aac',
      'deploy/entrypoint.sh', 'deploy/arlo-rtsp.service',
    ]) assert.ok(paths.includes(needed), `${needed} is packed`);
    const stray = paths.filter((p) => p.startsWith('test/') || p.endsWith('.ts') || p.endsWith('.map') || (p.startsWith('src/') && !p.startsWith('src/sim/media/')));
    assert.deepEqual(stray, [], 'no tests, sources or source maps');
    // package.json's "main" (the desktop app's entry) is always packed; the rest of the desktop app is not.
    assert.deepEqual(paths.filter((p) => p.startsWith('dist/main/electron/')), ['dist/main/electron/main.js']);

    await run('npm', ['install', '--global', '--prefix', prefix, '--globalconfig', globalConfig, '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', join(dir, filename)], {
      cwd: dir, env: cleanEnv(), timeout: 300_000,
    });
    await access(join(prefix, 'bin', 'arlo-rtsp'));
  });

  it('runs the installed `arlo-rtsp demo`: ffprobe reads H.264 video and AAC audio from a printed URL', async () => {
    const portBase = 20_000 + Math.floor(Math.random() * 20_000);
    const demo = start('arlo-rtsp', ['demo', '--http', '127.0.0.1:0', '--port-base', String(portBase)]);
    await waitFor(() => /health: http/.test(demo.output()) || demo.child.exitCode !== null, 60_000, `the demo to start; output: ${demo.output()}`);
    const url = /\(MFACAMHD01\): (rtsp:\/\/\S+)/.exec(demo.output())?.[1];
    assert.ok(url, demo.output());
    assert.ok(nodeArguments(demo.child).includes('--max-semi-space-size=4'), `the bin caps the young generation: ${nodeArguments(demo.child).join(' ')}`);
    const probed = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', url], {
      env: cleanEnv(), timeout: 60_000,
    });
    const { streams } = JSON.parse(probed.stdout) as { streams: { codec_type: string; codec_name: string }[] };
    assert.deepEqual(streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), ['audio:aac', 'video:h264']);
    const ui = await fetch(/web UI: (http:\/\/\S+)/.exec(demo.output())![1]!);
    assert.match(await ui.text(), /<div id="root">/, 'the installed renderer is served');
    demo.child.kill('SIGTERM');
    assert.equal(await demo.exited, 0, demo.output());
    assert.match(demo.output(), /0 Nonce violations/);
  });

  it('runs the installed `arlo-rtsp serve` through deploy/entrypoint.sh as the image and the unit do; `arlo-rtsp healthcheck` follows it', async () => {
    await writeFile(join(dir, 'passphrase'), 'container passphrase\n', { mode: 0o600 });
    const env = {
      ARLO_RTSP_DATA_DIR: join(dir, 'data'),
      ARLO_RTSP_HTTP: `127.0.0.1:${20_000 + Math.floor(Math.random() * 20_000)}`,
      ARLO_RTSP_PASSPHRASE_FILE: join(dir, 'passphrase'),
    };
    const entrypoint = join(prefix, 'lib', 'node_modules', 'arlo-local-rtsp', 'deploy', 'entrypoint.sh');
    const serve = start('sh', [entrypoint, 'serve'], env);
    await waitFor(() => /health: http/.test(serve.output()) || serve.child.exitCode !== null, 60_000, `serve to start; output: ${serve.output()}`);
    assert.match(serve.output(), /no camera is running yet/);
    assert.ok(nodeArguments(serve.child).includes('--max-semi-space-size=4'), `capped through the entrypoint too: ${nodeArguments(serve.child).join(' ')}`);
    assert.ok(serve.output().includes(`state: http://${env.ARLO_RTSP_HTTP}/api/state`), serve.output());
    const state = (await (await fetch(`http://${env.ARLO_RTSP_HTTP}/api/state`)).json()) as { warnings: string[] };
    assert.deepEqual(state.warnings.filter((w) => /plain file/.test(w)), [], 'the passphrase from the file encrypts the secrets');

    const healthy = start('arlo-rtsp', ['healthcheck'], { ARLO_RTSP_HTTP: env.ARLO_RTSP_HTTP });
    assert.equal(await healthy.exited, 0, healthy.output());
    assert.equal(healthy.output(), '200 {"status":"ok"}\n');

    serve.child.kill('SIGTERM');
    assert.equal(await serve.exited, 0, serve.output());
    const gone = start('arlo-rtsp', ['healthcheck'], { ARLO_RTSP_HTTP: env.ARLO_RTSP_HTTP });
    assert.equal(await gone.exited, 1);
    assert.match(gone.output(), /no answer from http:\/\/127\.0\.0\.1:\d+\/healthz/);
  });
});
