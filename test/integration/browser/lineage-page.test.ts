import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { churnEventStream, post } from '../../lineage/catalog/churn-events.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'artifacts');

describe('the lineage page in headless Chromium', () => {
  let catalog: CatalogServer;
  let guarded: CatalogServer;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const stream = await churnEventStream();
    catalog = await startCatalogServer({ port: 0 });
    for (const event of stream.events) expect((await post(catalog.url, event)).status).toBe(201);
    guarded = await startCatalogServer({ port: 0, apiKey: 'page-key-7', protectReads: true });
    for (const event of stream.events) expect((await post(guarded.url, event, { authorization: 'Bearer page-key-7' })).status).toBe(201);
    profile = await mkdtemp(join(tmpdir(), 'sluice-chromium-'));
    // A fresh profile directory per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
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
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await catalog?.close();
    await guarded?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('lists the jobs with the failing one highlighted', async () => {
    await page.goto(catalog.url);
    await page.locator('#jobs tr.failing').first().waitFor();
    expect(await page.locator('#jobs tr.failing td:first-child').allTextContents()).toEqual(['sluice : churn', 'sluice : churn.test']);
  });

  it('searches and opens the graph around a dataset, upstream and downstream', async () => {
    await page.fill('#search', 'quarantine');
    await page.locator('#results a').first().click();
    await page.locator('#lineage-graph g.node').first().waitFor();
    await page.selectOption('#depth', '5');
    await expect.poll(() => page.locator('#lineage-graph g.node').count()).toBeGreaterThan(8);
    const ids = await page.locator('#lineage-graph g.node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node')));
    expect(ids).toEqual(
      expect.arrayContaining([
        'job:sluice:churn.test',
        'dataset:s3://churn-data:predictions/churn',
        'dataset:s3://churn-data:raw/customers',
      ]),
    );
    expect(await page.locator('#lineage-graph g.node.failing').count()).toBeGreaterThan(0);
    await page.locator('section.version.quarantined').first().waitFor();
    expect(await page.locator('section.version.quarantined h4').first().textContent()).toMatch(/QUARANTINED\s+batch=bad-/);
  });

  it('shows the staged batch with its schema, failed assertions and metrics', async () => {
    await page.goto(`${catalog.url}/#${encodeURIComponent('dataset:s3://churn-data:staged/customers')}`);
    await page.locator('section.version table.assertions').first().waitFor();
    const failing = await page.locator('section.version.failed-assertions table.assertions tr.failing td:first-child').allTextContents();
    expect(failing).toEqual(['unique(customer_id)', 'range(monthly_charges)']);
    expect(await page.locator('section.version table.schema td').first().textContent()).toBe('customer_id');
    expect(await page.locator('section.version table.metrics').count()).toBeGreaterThan(0);
  });

  it('shows a job runs with state and duration, the failed run highlighted, and keeps a screenshot', async () => {
    await page.goto(`${catalog.url}/#${encodeURIComponent('job:sluice:churn.test')}`);
    await page.locator('#runs tr.failing').waitFor();
    const cells = await page.locator('#runs tr.failing td').allTextContents();
    expect(cells[1]).toBe('FAILED');
    expect(cells[2]).toMatch(/\d+ ms|\d+\.\d s/);
    expect(cells[4]).toMatch(/data tests failed/);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'lineage-page.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('asks for the API key of a catalog that protects reads, refuses a wrong one and then shows the jobs', async () => {
    const keyed = await browser.newPage();
    keyed.on('pageerror', (e) => pageErrors.push(e.message));
    await keyed.goto(guarded.url);
    await keyed.locator('#key-form').waitFor({ state: 'visible' });
    expect(await keyed.locator('#key-message').textContent()).toMatch(/needs its API key/);
    await keyed.fill('#key', 'not-the-key');
    await keyed.press('#key', 'Enter');
    await expect.poll(() => keyed.locator('#key-message').textContent()).toMatch(/refused that key/);
    await keyed.fill('#key', 'page-key-7');
    await keyed.press('#key', 'Enter');
    await keyed.locator('#jobs tr.failing').first().waitFor();
    expect(await keyed.locator('#key-form').isHidden()).toBe(true);
    expect(await keyed.locator('#jobs tr.failing td:first-child').allTextContents()).toEqual(['sluice : churn', 'sluice : churn.test']);
    expect(keyed.url()).not.toContain('page-key-7');
    await keyed.close();
    expect(pageErrors).toEqual([]);
  });
});
