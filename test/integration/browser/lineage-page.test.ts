import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { churnEventStream, post } from '../../lineage/catalog/churn-events.ts';
import { graphDrawn, nodeBoxes, screenshot, startBrowser } from './browser.ts';
import type { Browser } from './browser.ts';

// The churn example's good and bad runs, as `npm run demo` and `npm run demo -- --bad` leave them.
describe('the lineage page after the example good and bad runs', () => {
  let catalog: CatalogServer;
  let browser: Browser;
  let page: Page;
  let failedRun: string;

  const search = async (text: string) => {
    await page.goto(`${catalog.url}/#/`);
    await page.locator('#jobs').waitFor();
    await page.fill('#search', text);
    await page.locator('#search-results a.hit').first().waitFor();
  };

  beforeAll(async () => {
    const stream = await churnEventStream();
    catalog = await startCatalogServer({ port: 0 });
    for (const event of stream.events) expect((await post(catalog.url, event)).status).toBe(201);
    browser = await startBrowser();
    page = await browser.page();
    const runs = (await (await fetch(`${catalog.url}/api/v1/namespaces/sluice/jobs/churn.test/runs`)).json()) as {
      runs: { id: string; state: string }[];
    };
    failedRun = runs.runs.find((r) => r.state === 'FAILED')!.id;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await catalog?.close();
  });

  it('opens on what needs attention: the failed runs and the quarantined batch', async () => {
    await page.goto(catalog.url);
    await page.locator('#attention li').first().waitFor();
    expect(await page.locator('#attention li.failed a').allTextContents()).toEqual(['churn', 'churn.test']);
    expect(await page.locator('#attention li.quarantined').textContent()).toMatch(
      /QUARANTINED\s*quarantine\/customers batch=\S*bad-\w+ · written by churn\.test/,
    );
    expect(await page.locator('#jobs tr.failing td:first-child').allTextContents()).toEqual(['churn', 'churn.test']);
    await screenshot(page, '01-home');
  });

  it('shows the failed test run in two clicks from search', async () => {
    await search('test');
    await page.locator('#search-results a.hit-job', { hasText: 'churn.test' }).click(); // 1
    await graphDrawn(page, 'job:sluice:churn.test');
    const failed = page.locator('#runs li.run.failed');
    expect(await failed.getAttribute('data-run')).toBe(failedRun);
    expect(await failed.textContent()).toMatch(/FAILED.*2 of 6 data tests failed on staged/);
    expect(await page.locator(`#lineage-graph g.node.focus`).getAttribute('data-node')).toBe('job:sluice:churn.test');
    expect(await page.locator('#lineage-graph g.node.focus').getAttribute('data-health')).toBe('failed');
    await screenshot(page, '02-job-churn.test');
    await failed.locator('a.run-link').click(); // 2
    await page.locator('#run-error').waitFor();
    expect(page.url()).toContain(`#/run/${failedRun}`);
    expect(await page.locator('.title-kind .badge').textContent()).toBe('FAILED');
    expect(await page.locator('#run-error').textContent()).toMatch(
      /Error: 2 of 6 data tests failed on staged \(batch \S*bad-\w+\); the batch is quarantined/,
    );
    expect(await page.locator('#outputs li.quarantined').getAttribute('data-dataset')).toBe('s3://churn-data:quarantine/customers');
    expect(await page.locator('#inputs li .badge-failed').textContent()).toBe('2 of 6 failed');
    expect(await page.locator('#parent-run').textContent()).toMatch(/^[0-9a-f]{8}$/);
    await graphDrawn(page, 'job:sluice:churn.test');
    await screenshot(page, '03-run-failed-test');
  });

  it('shows the quarantined batch in one click from search', async () => {
    await search('quarantine');
    await page.locator('#search-results a.hit-dataset', { hasText: 'quarantine/customers' }).click(); // 1
    await graphDrawn(page, 'dataset:s3://churn-data:quarantine/customers');
    const batch = page.locator('details.version.quarantined');
    await batch.first().waitFor();
    expect(await batch.first().getAttribute('open')).not.toBeNull();
    expect(await batch.first().locator('summary').textContent()).toMatch(/QUARANTINED\s*batch=\S*bad-\w+/);
    expect(await batch.first().textContent()).toMatch(/written by\s*churn\.test run \w{8}\s*FAILED/);
    expect(await page.locator('#lineage-graph g.node.focus').getAttribute('data-health')).toBe('quarantined');
    await screenshot(page, '04-dataset-quarantine');
  });

  it('shows the column lineage of a prediction back to the raw file in one click from search', async () => {
    await search('score');
    await page.locator('#search-results a.hit-field', { hasText: 'score' }).click(); // 1
    await page.locator('#origins').waitFor();
    await page.locator('.column-dataset').first().waitFor();
    expect(page.url()).toContain('/field/score');
    // The chain drawn: predictions ← features ← published ← staged ← raw, and what else read the staged columns: the
    // quarantined batch (column lineage is every version's, as Marquez keeps it, the failed run's too).
    expect(await page.locator('.column-dataset').evaluateAll((g) => g.map((e) => e.getAttribute('data-node')).sort())).toEqual([
      'dataset:s3://churn-data:features/churn',
      'dataset:s3://churn-data:predictions/churn',
      'dataset:s3://churn-data:published/customers',
      'dataset:s3://churn-data:quarantine/customers',
      'dataset:s3://churn-data:raw/customers',
      'dataset:s3://churn-data:staged/customers',
    ]);
    expect(await page.locator('.field-row.selected').getAttribute('data-field')).toBe(
      'datasetField:s3://churn-data:predictions/churn:score',
    );
    expect(await page.locator('[data-node="dataset:s3://churn-data:raw/customers"] .field-row.upstream').count()).toBe(6);
    expect(await page.locator('#origins a').allTextContents()).toContain('raw/customers.monthly_charges');
    expect(await page.locator('#made-from a').allTextContents()).toContain('features/churn.monthly_charges');
    await screenshot(page, '05-field-score');
    // A field row opens that field.
    await page.locator('[data-field="datasetField:s3://churn-data:features/churn:monthly_charges"]').first().click();
    await expect.poll(() => page.url()).toContain('/features%2Fchurn/field/monthly_charges');
    await page.locator('#feeds').waitFor();
    expect(await page.locator('#feeds a').allTextContents()).toEqual(['predictions/churn.label', 'predictions/churn.score']);
  });

  it('renders every view by its deep link', async () => {
    const ds = (name: string) => `s3%3A%2F%2Fchurn-data/${encodeURIComponent(name)}`;
    const { currentVersion } = (await (
      await fetch(`${catalog.url}/api/v1/namespaces/s3%3A%2F%2Fchurn-data/datasets/staged%2Fcustomers`)
    ).json()) as {
      currentVersion: string;
    };
    const views: [string, string, string][] = [
      ['#/dataset/' + ds('staged/customers'), 'details.version.failed-tests table', '06-dataset-staged'],
      [`#/dataset/${ds('staged/customers')}/version/${currentVersion}`, `#version-${currentVersion}[open]`, '07-dataset-version'],
      ['#/job/sluice/churn', '#runs li.run', '08-job-pipeline'],
      [`#/run/${failedRun}/trace`, '#root-causes li', '09-trace'],
      ['#/search?q=customers', '#search-page a.hit', '10-search'],
      ['#/job/sluice/no-such-job', '#error:not([hidden])', '11-not-found'],
      ['#/nothing-here', '#detail h2', '12-unknown-route'],
    ];
    for (const [hash, ready, name] of views) {
      await page.goto(`${catalog.url}/${hash}`);
      await page.locator(ready).first().waitFor();
      if (await page.locator('#graph-pane').isVisible()) await graphDrawn(page).catch(() => undefined);
      await screenshot(page, name);
    }
    await page.goto(`${catalog.url}/#/dataset/${ds('staged/customers')}`);
    await page.locator('details.version.failed-tests').first().waitFor();
    const failing = await page.locator('details.version.failed-tests tr.failing td:first-child').allTextContents();
    expect(failing).toEqual(['unique(customer_id)', 'range(monthly_charges)']);
    expect(await page.locator('#fields tr[data-field="monthly_charges"] td').allTextContents()).toEqual([
      'monthly_charges',
      'DOUBLE',
      'raw/customers.monthly_charges',
    ]);
    await page.goto(`${catalog.url}/#/run/${failedRun}/trace`);
    await page.locator('#root-causes li').first().waitFor();
    expect(await page.locator('#root-causes').textContent()).toMatch(/staged\/customers.*unique\(customer_id\)/s);
    expect(await page.locator('#written li.quarantined').textContent()).toMatch(/quarantine\/customers/);
    expect(await page.locator('#trace-json').textContent()).toContain(`"id": "${failedRun}"`);
    await page.goto(`${catalog.url}/#/job/sluice/no-such-job`);
    await expect.poll(() => page.locator('#error').textContent()).toMatch(/job "no-such-job" not found in namespace "sluice" \(404/);
    browser.errors.splice(0, browser.errors.length, ...browser.errors.filter((e) => !/404 \(Not Found\)/.test(e)));
  });

  it('pans, zooms, collapses and expands the graph, and opens a node by clicking it', async () => {
    await page.goto(`${catalog.url}/#/dataset/s3%3A%2F%2Fchurn-data/staged%2Fcustomers?depth=5`);
    await graphDrawn(page, 'dataset:s3://churn-data:staged/customers');
    await expect.poll(() => page.locator('#graph-note').textContent()).toMatch(/depth 5/);
    const transform = () => page.locator('#lineage-graph g.layer').getAttribute('transform');
    const scale = async () => Number(/scale\(([\d.]+)\)/.exec((await transform())!)![1]);
    const before = await scale();
    await page.click('#zoom-in');
    expect(await scale()).toBeCloseTo(before * 1.25, 3);
    await page.click('#zoom-fit');
    const fitted = await nodeBoxes(page);
    const pane = (await page.locator('#graph').boundingBox())!;
    for (const b of fitted) expect(b.x >= pane.x - 1 && b.x + b.width <= pane.x + pane.width + 1).toBe(true);
    const moved = await transform();
    await page.mouse.move(pane.x + 20, pane.y + 20);
    await page.mouse.down();
    await page.mouse.move(pane.x + 140, pane.y + 80, { steps: 4 });
    await page.mouse.up();
    expect(await transform()).not.toBe(moved);
    const all = await page.locator('#lineage-graph g.node').count();
    const focus = page.locator('#lineage-graph g.node.focus');
    await focus.locator('.toggle.down').click();
    await expect.poll(() => page.locator('#lineage-graph g.node').count()).toBeLessThan(all);
    const hidden = Number((await focus.locator('.toggle.down.collapsed text').textContent())!.slice(1));
    expect(await page.locator('#lineage-graph g.node').count()).toBe(all - hidden);
    await screenshot(page, '13-collapsed-downstream');
    await focus.locator('.toggle.down').click();
    await expect.poll(() => page.locator('#lineage-graph g.node').count()).toBe(all);
    await page.locator('#lineage-graph g.node[data-node="job:sluice:churn.ingest"]').click();
    await expect.poll(() => page.url()).toContain('#/job/sluice/churn.ingest?depth=5');
    await graphDrawn(page, 'job:sluice:churn.ingest');
    expect(await page.locator('#lineage-graph g.node.focus').getAttribute('data-node')).toBe('job:sluice:churn.ingest');
  });

  it('saw no console error and no page error', () => {
    expect(browser.errors).toEqual([]);
  });
});
