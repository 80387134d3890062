// README says which Node.js the headless product needs (package.json's engines) and which the
// desktop build needs (what Electron and electron-builder's rebuilder declare): both stay true as
// those packages move, and the product itself never comes to depend on the desktop's tools.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { engines?: { node?: string }; dependencies?: Record<string, string> };
const repo = new URL('../../', import.meta.url);
const pkg = read(new URL('package.json', repo).pathname);
const readme = readFileSync(new URL('README.md', repo), 'utf8');
/** "x.y" of an engines range such as ">= 22.12.0". */
const minimum = (range: string | undefined) => /(\d+\.\d+)/.exec(range ?? '')?.[1];

it('README names the headless minimum, which is package.json engines', () => {
  const headless = minimum(pkg.engines?.node);
  assert.equal(headless, '20.19');
  assert.match(readme, new RegExp(`The headless product .+ needs Node\\.js ${headless.replace('.', '\\.')} or newer`, 's'));
});

it("README names the desktop build's minimum, the highest Electron and @electron/rebuild declare", () => {
  const declared = ['electron', '@electron/rebuild'].map((name) => minimum(read(new URL(`node_modules/${name}/package.json`, repo).pathname).engines?.node)!);
  const highest = declared.sort((a, b) => Number(b.split('.')[0]) - Number(a.split('.')[0]) || Number(b.split('.')[1]) - Number(a.split('.')[1]))[0]!;
  assert.match(readme, new RegExp(`The desktop build\\s+needs Node\\.js ${highest.replace('.', '\\.')} or newer`));
});

it('the npm package depends on none of the desktop build tools', () => {
  for (const name of Object.keys(pkg.dependencies ?? {})) assert.doesNotMatch(name, /^(electron|electron-builder|@electron\/.+)$/);
});
