// README.md and docs/*.md link only inside the repository, and every relative link resolves to a
// file that exists here: a clone reads whole, with no dead links and nothing that leaves it.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const REPO = resolve(new URL('../..', import.meta.url).pathname);
const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Addresses that name this machine or a private network: examples in the text, not links away. */
const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|<[^>]+>|[a-z0-9-]+\.local)(:\d+)?$/i;

/** The link targets of a Markdown text outside code: [text](target), ![alt](target), <scheme:…>, href/src, bare URLs. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of prose.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)) targets.push(m[1]!);
  for (const m of prose.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)) targets.push(m[1]!);
  for (const m of prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/gi)) targets.push(m[1]!);
  for (const m of prose.matchAll(/(?<![(<"'])\b(https?:\/\/[^\s)>\]]+)/gi)) targets.push(m[1]!);
  return [...new Set(targets)];
}

function outside(target: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) {
    const url = /^https?:\/\/([^/?#]+)/i.exec(target);
    return !(url && LOCAL_HOST.test(url[1]!));
  }
  return false;
}

describe('links in README.md and docs/', () => {
  it('finds the links it checks (the checker itself)', () => {
    assert.deepEqual(
      linksOf('[a](docs/X.md) ![b](img.png "t") <https://e.org> see https://f.org/x. `https://code.org`\n[r]: https://ref.org\n```\nhttps://block.org\n```\n<a href="https://h.org">'),
      ['docs/X.md', 'img.png', 'https://ref.org', 'https://e.org', 'https://h.org', 'https://f.org/x.'],
    );
    assert.equal(outside('https://github.com/x'), true);
    assert.equal(outside('mailto:someone@example.com'), true);
    assert.equal(outside('http://127.0.0.1:8555/'), false);
    assert.equal(outside('docs/PROTOCOL.md'), false);
  });

  for (const file of DOCS) {
    it(`${file}: no link leaves the repository, every relative link resolves`, () => {
      const links = linksOf(readFileSync(join(REPO, file), 'utf8'));
      assert.deepEqual(links.filter(outside), [], 'links outside the repository');
      const broken = links.filter((l) => !outside(l) && !/^[a-z][a-z0-9+.-]*:/i.test(l)).filter((link) => {
        const path = decodeURIComponent(link.replace(/[#?].*$/, ''));
        if (path === '') return false; // an anchor in the same file
        const target = resolve(dirname(join(REPO, file)), path);
        return relative(REPO, target).startsWith('..') || !existsSync(target);
      });
      assert.deepEqual(broken, [], 'relative links that do not resolve to a file in the repository');
    });
  }
});
