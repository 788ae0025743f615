import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

/** Where the browser suite keeps its screenshots (git-ignored; CI keeps them as artifacts). */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'artifacts', 'lineage-page');

/** Headless Chromium with a profile of its own, and every console error and page error it saw. */
export type Browser = { context: BrowserContext; errors: string[]; page(): Promise<Page>; close(): Promise<void> };

/** Starts Debian's Chromium headless (1400×900); errors of every page it opens are collected in `errors`. */
export async function startBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
    });
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    errors,
    page: async () => context.pages()[0] ?? (await context.newPage()),
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Keeps a screenshot of the page as `<name>.png` among the artifacts. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Waits until the page has drawn the graph around `focus` (or any graph), the layout worker answered, nothing pending. */
export async function graphDrawn(page: Page, focus?: string): Promise<void> {
  await page
    .locator(focus === undefined ? '#lineage-graph[data-focus] .nodes > g' : `#lineage-graph[data-focus="${focus}"]`)
    .first()
    .waitFor({ state: 'attached' });
  await page.locator('#busy').waitFor({ state: 'hidden' });
}

/** The rendered box of every drawn node, in screen pixels. */
export function nodeBoxes(page: Page): Promise<{ id: string; x: number; y: number; width: number; height: number }[]> {
  return page.locator('#lineage-graph g.node rect.box').evaluateAll((rects) =>
    rects.map((r) => {
      const b = r.getBoundingClientRect();
      return { id: r.parentElement!.getAttribute('data-node')!, x: b.x, y: b.y, width: b.width, height: b.height };
    }),
  );
}
