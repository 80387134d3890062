// docs/ARCHITECTURE.md's map of the code names every folder a reader meets: each top-level folder
// of the repository (but what the build and npm make), each of src/, src/main/ and test/.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const REPO = new URL('../..', import.meta.url).pathname;
const doc = readFileSync(join(REPO, 'docs/ARCHITECTURE.md'), 'utf8');
const map = /^## Map of the code\n+```\n([\s\S]*?)^```/m.exec(doc)?.[1] ?? '';
/** Made by npm or the build, or not part of the project's own tree. */
const NOT_MAPPED = new Set(['node_modules', 'dist', 'release', '.git']);
const folders = (dir: string) => readdirSync(join(REPO, dir), { withFileTypes: true }).filter((e) => e.isDirectory() && !NOT_MAPPED.has(e.name)).map((e) => e.name);

it('finds the map', () => assert.match(map, /service\.ts/));

it('names every top-level folder and every folder of src/, src/main/ and test/', () => {
  const missing = [
    ...folders('.').filter((name) => !name.startsWith('.') || name === '.ci' || name === '.github').map((name) => `${name}/`),
    ...['src', 'src/main', 'test'].flatMap((parent) => folders(parent).map((name) => `${name}/`)),
  ].filter((name) => !map.includes(name));
  assert.deepEqual(missing, [], 'folders the map does not name');
});
