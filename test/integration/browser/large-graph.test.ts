import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { post } from '../../lineage/catalog/churn-events.ts';
import { wideLineageEvents } from '../../lineage/catalog/page/wide-lineage.ts';
import { graphDrawn, nodeBoxes, screenshot, startBrowser } from './browser.ts';
import type { Browser } from './browser.ts';

type Box = { id: string; x: number; y: number; width: number; height: number };

function overlaps(boxes: Box[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      // Half a pixel of slack for anti-aliased borders.
      if (a.x + 0.5 < b.x + b.width && b.x + 0.5 < a.x + a.width && a.y + 0.5 < b.y + b.height && b.y + 0.5 < a.y + a.height)
        found.push(`${a.id} × ${b.id}`);
    }
  }
  return found;
}

describe('the lineage page on a 302-node graph', () => {
  let catalog: CatalogServer;
  let browser: Browser;
  let page: Page;
  const focus = 'job:wide:p15.features';

  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
    for (const event of wideLineageEvents(30)) expect((await post(catalog.url, event)).status).toBe(201);
    browser = await startBrowser();
    page = await browser.page();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await catalog?.close();
  });

  it('stays readable: no overlapping boxes, the focused node in view at a readable size', async () => {
    const started = Date.now();
    await page.goto(`${catalog.url}/#/job/wide/p15.features?depth=20`);
    await graphDrawn(page, focus);
    console.log(`302-node graph drawn ${Date.now() - started} ms after navigation`);
    const boxes = await nodeBoxes(page);
    expect(boxes).toHaveLength(302);
    expect(await page.locator('#graph-note').textContent()).toMatch(/^302 nodes · depth 20/);
    expect(overlaps(boxes)).toEqual([]);
    const pane = (await page.locator('#graph').boundingBox())!;
    const f = boxes.find((b) => b.id === focus)!;
    expect(f.x).toBeGreaterThanOrEqual(pane.x);
    expect(f.y).toBeGreaterThanOrEqual(pane.y);
    expect(f.x + f.width).toBeLessThanOrEqual(pane.x + pane.width);
    expect(f.y + f.height).toBeLessThanOrEqual(pane.y + pane.height);
    // Drawn at no less than 3/4 of its size: 13.5 px names stay above 10 px.
    expect(f.height).toBeGreaterThanOrEqual(60 * 0.75 - 1);
    await screenshot(page, '30-large-graph-focus');
    // Failed, warned and quarantined nodes keep their marks at any size.
    expect(await page.locator('#lineage-graph g.node.failed').count()).toBe(8);
    expect(await page.locator('#lineage-graph g.node.warned').count()).toBe(10);
    expect(await page.locator('#lineage-graph g.node.quarantined').count()).toBe(4);
    await page.click('#zoom-fit');
    expect(overlaps(await nodeBoxes(page))).toEqual([]);
    await screenshot(page, '31-large-graph-fit');
    await page.click('#zoom-focus');
    const back = (await nodeBoxes(page)).find((b) => b.id === focus)!;
    expect(back.x + back.width / 2).toBeCloseTo(pane.x + pane.width / 2, -1);
    expect(browser.errors).toEqual([]);
  });
});
