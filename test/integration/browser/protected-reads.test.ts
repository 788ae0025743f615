import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { post } from '../../lineage/catalog/churn-events.ts';
import { wideLineageEvents } from '../../lineage/catalog/page/wide-lineage.ts';
import { graphDrawn, screenshot, startBrowser } from './browser.ts';
import type { Browser } from './browser.ts';

describe('the lineage page of a catalog that protects reads', () => {
  let guarded: CatalogServer;
  let browser: Browser;

  beforeAll(async () => {
    guarded = await startCatalogServer({ port: 0, apiKey: 'page-key-7', protectReads: true });
    for (const event of wideLineageEvents(4))
      expect((await post(guarded.url, event, { authorization: 'Bearer page-key-7' })).status).toBe(201);
    browser = await startBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await guarded?.close();
  });

  it('asks for the key once, refuses a wrong one, then shows every view, the graph and the trace with it', async () => {
    const page = await browser.context.newPage();
    await page.goto(guarded.url);
    await page.locator('#key-form').waitFor({ state: 'visible' });
    expect(await page.locator('#key-message').textContent()).toMatch(/needs its API key/);
    await screenshot(page, '20-key-asked');
    await page.fill('#key', 'not-the-key');
    await page.press('#key', 'Enter');
    await expect.poll(() => page.locator('#key-message').textContent()).toMatch(/refused that key/);
    await page.fill('#key', 'page-key-7');
    await page.press('#key', 'Enter');
    await page.locator('#jobs tr.failing').first().waitFor();
    expect(await page.locator('#key-form').isHidden()).toBe(true);
    expect(await page.locator('#jobs tr.failing td:first-child').allTextContents()).toEqual(['p03.test']);
    // The key stays in this tab: the graph, the search (fields too) and the trace need no second prompt.
    await page.fill('#search', 'amount');
    await page.locator('#search-results a.hit-field').first().waitFor();
    await page.goto(`${guarded.url}/#/job/wide/p03.test`);
    await graphDrawn(page, 'job:wide:p03.test');
    const run = await page.locator('#runs li.run.failed').getAttribute('data-run');
    await page.goto(`${guarded.url}/#/run/${run}/trace`);
    await page.locator('#root-causes li').first().waitFor();
    expect(await page.locator('#key-form').isHidden()).toBe(true);
    expect(page.url()).not.toContain('page-key-7');
    await page.close();
    expect(browser.errors.filter((e) => !/401 \(Unauthorized\)/.test(e))).toEqual([]);
  });
});
