// Which ffmpeg snapshots and thumbnails run: the configured one, PATH, then the folders package
// managers use that an app started from a desktop's launcher does not have on its PATH.

import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFfmpeg } from '../../src/main/live/snapshot.js';

const NAME = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';

describe('findFfmpeg', () => {
  let root: string;
  let onPath: string;
  let wellKnown: string;
  let empty: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'find-ffmpeg-'));
    [onPath, wellKnown, empty] = [join(root, 'path'), join(root, 'brew'), join(root, 'empty')];
    for (const dir of [onPath, wellKnown, empty]) await mkdir(dir);
    for (const dir of [onPath, wellKnown]) {
      await writeFile(join(dir, NAME), '#!/bin/sh\n');
      await chmod(join(dir, NAME), 0o755);
    }
    await writeFile(join(empty, NAME), 'not executable');
    await chmod(join(empty, NAME), 0o644);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('takes the first on PATH before a well-known folder', () => {
    assert.equal(findFfmpeg(undefined, [empty, onPath].join(delimiter), [wellKnown]), join(onPath, NAME));
  });

  it('finds one in a well-known folder when PATH has none (an app started from Finder)', () => {
    assert.equal(findFfmpeg(undefined, ['/usr/bin-does-not-exist', empty].join(delimiter), [wellKnown]), join(wellKnown, NAME));
  });

  it('answers none when neither has one, skipping files that cannot run', () => {
    assert.equal(findFfmpeg(undefined, empty, [empty]), undefined);
  });

  it('uses the configured one only, and only when it can run', () => {
    assert.equal(findFfmpeg(join(wellKnown, NAME), onPath, []), join(wellKnown, NAME));
    assert.equal(findFfmpeg(join(empty, NAME), onPath, [wellKnown]), undefined);
  });
});
