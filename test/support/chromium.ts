// Debian's Chromium through playwright-core, headless, in a profile of its own that is removed with it:
// the browser every test that drives a page uses (the web UI, the desktop window's renderer).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Chromium {
  context: BrowserContext;
  /** The tab the browser opens with. */
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export interface ChromiumOptions {
  /** How long the first tab's actions wait by default. */
  timeoutMs: number;
  /**
   * The file:// privileges Electron's default fuses give (GrantFileProtocolExtraPrivileges: file pages
   * may load file subresources, module scripts included), which plain Chromium needs a flag for.
   */
  fileAccess?: boolean;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

/** `name` names the profile's temporary folder. */
export async function launchChromium(name: string, options: ChromiumOptions): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), `${name}-`));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: options.fileAccess ? [...ARGS, '--allow-file-access-from-files'] : ARGS,
      ...(options.viewport ? { viewport: options.viewport } : {}),
      ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(options.timeoutMs);
    return {
      context,
      page,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/** The widths every screen must fit: a laptop's window and a narrow one (a tablet, half a screen). */
export const SCREEN_WIDTHS = [1280, 800] as const;

/**
 * Fails when the page, or a panel or card in it, is wider than its box at any of `SCREEN_WIDTHS`
 * (the page would scroll sideways, or text would run out of its card); restores the viewport after.
 */
export async function assertFits(page: Page, what: string): Promise<void> {
  const viewport = page.viewportSize();
  try {
    for (const width of SCREEN_WIDTHS) {
      await page.setViewportSize({ width, height: viewport?.height ?? 900 });
      const overflowing = await page.evaluate(overflowingElements);
      if (overflowing.length > 0) throw new Error(`${what} at ${width} px: wider than its box: ${overflowing.join('; ')}`);
    }
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
}

/** Runs in the page (its CSP forbids evaluating strings): what is wider than its box. */
function overflowingElements(): string[] {
  interface Box { scrollWidth: number; clientWidth: number; className: string; tagName: string; textContent: string | null }
  const doc = (globalThis as unknown as { document: { documentElement: Box; querySelectorAll(s: string): Box[] } }).document;
  const boxes = [doc.documentElement, ...doc.querySelectorAll('.panel, .card, .live, .row, .header')];
  return boxes
    .filter((box) => box.scrollWidth > box.clientWidth + 1)
    .map((box) => `${box.tagName.toLowerCase()}.${box.className} (${box.scrollWidth} > ${box.clientWidth} px): "${(box.textContent ?? '').slice(0, 60)}…"`);
}
