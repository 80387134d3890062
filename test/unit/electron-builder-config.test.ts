// electron-builder.yml against electron-builder's own schema (app-builder-lib's validateConfiguration,
// what `electron-builder` runs before packing): valid as shipped, with the GitHub publish settings the
// updater reads; a misspelt publish key or an unknown provider is refused, so the check can fail.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
// electron-builder's YAML reader (js-yaml, which it depends on).
const yaml = require('js-yaml') as { load(text: string): unknown };

const shipped = async (): Promise<{ publish: Record<string, unknown>[] }> => yaml.load(await readFile('electron-builder.yml', 'utf8')) as { publish: Record<string, unknown>[] };

describe('electron-builder.yml', () => {
  it('is valid with its publish settings: GitHub releases, drafts', async () => {
    const config = await shipped();
    assert.deepEqual(config.publish, [{ provider: 'github', releaseType: 'draft' }]);
    await validateConfiguration(config, new DebugLogger(false));
  });

  for (const [what, change] of [
    ['a misspelt publish key', (p: Record<string, unknown>) => { p.releaseTyp = 'draft'; }],
    ['an unknown provider', (p: Record<string, unknown>) => { p.provider = 'githb'; }],
  ] as const) {
    it(`refuses ${what}`, async () => {
      const config = await shipped();
      change(config.publish[0]!);
      await assert.rejects(validateConfiguration(config, new DebugLogger(false)), /Invalid configuration object/);
    });
  }
});
