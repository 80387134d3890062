// The product caps V8's young generation itself wherever the headless shell starts: the npm bin's
// first line (a shell, the Docker image, the systemd unit, Windows' command shims) and `npm run
// demo`. Each is run here as its starter runs it (the `env -S` line as the kernel does, the npm
// script's node flags) on a probe that allocates as a relay does: the young generation stays at
// 2 x 4 MB. The installed bin is checked by pid in test/e2e/npm-package.test.ts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const CLI_SOURCE = new URL('../../src/main/headless/cli.ts', import.meta.url);
const PACKAGE = new URL('../../package.json', import.meta.url);
const CAP_BYTES = 8 * 1024 * 1024;

/** Runs `argv` (an interpreter and its flags) on the probe; the new space's size afterwards, in bytes. */
function youngGenerationUnder(argv: string[]): number {
  const probe = `
    const v8 = require('node:v8');
    let kept = [];
    for (let i = 0; i < 3e6; i++) { kept.push({ i, b: [i] }); if (kept.length > 2000) kept = []; }
    console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
  `;
  const run = spawnSync(argv[0]!, [...argv.slice(1), '-e', probe], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout);
}

describe("V8's young generation, capped by the product", () => {
  it('through the npm bin: its `#!/usr/bin/env -S node ...` line, run as the kernel runs it', () => {
    const shebang = /^#!(\S+) (.*)$/m.exec(readFileSync(CLI_SOURCE, 'utf8').split('\n')[0]!);
    assert.ok(shebang, 'the CLI starts with an interpreter line');
    const [interpreter, argument] = [shebang[1]!, shebang[2]!];
    assert.equal(interpreter, '/usr/bin/env');
    // The kernel passes everything after the interpreter as one argument; `env -S` splits it.
    const size = youngGenerationUnder([interpreter, argument]);
    assert.ok(size <= CAP_BYTES, `capped: ${size} bytes`);
  });

  it('through `npm run demo`: the node flags of its script', () => {
    const script = (JSON.parse(readFileSync(PACKAGE, 'utf8')) as { scripts: Record<string, string> }).scripts.demo!;
    const words = script.split(' ');
    assert.equal(words[0], 'node');
    const flags = words.slice(1, words.indexOf('dist/main/headless/cli.js'));
    assert.ok(flags.length > 0, `the demo script passes node flags: ${script}`);
    const size = youngGenerationUnder([process.execPath, ...flags]);
    assert.ok(size <= CAP_BYTES, `capped: ${size} bytes`);
  });

  it('is a cap that matters: the same allocation without it grows the young generation past 8 MB', () => {
    const size = youngGenerationUnder([process.execPath]);
    assert.ok(size > CAP_BYTES, `uncapped: ${size} bytes (else the tests above prove nothing)`);
  });
});
