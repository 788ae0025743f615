// Marquez's own web UI (0.51.1, a production build) on the embedded catalog, as a user would run it: the churn
// example's good and bad runs, `sluice lineage serve` on their state directory, the UI served by web-ui-server.ts with
// its API proxied to the catalog, driven in headless Chromium. Every page the UI has is used; the catalog must answer
// every API call 2xx and the page must throw nothing. Screenshots go to test/artifacts/marquez-ui/.
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebUi } from './web-ui-server.ts';
import type { WebUiServer } from './web-ui-server.ts';
import { WEB_UI_ENV } from './web-ui-build.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const artifacts = join(root, 'test', 'artifacts', 'marquez-ui');
const enc = encodeURIComponent;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((done, fail) => {
    // `sluice` imports resolve to the sources, as `npm run demo` and `npm run sluice` run them.
    const child = spawn(process.execPath, ['--conditions=sluice-source', ...args], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err = `${err}${c.toString()}`.slice(-3000)));
    child.once('error', fail);
    child.once('exit', (code) => (code === null ? fail(new Error(`${args.join(' ')} was killed: ${err}`)) : done(code)));
  });
}

/** `sluice lineage serve` on a state directory, on a free port; resolves with its URL once it listens. */
function serve(stateDir: string, allowOrigin: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=sluice-source',
      join(root, 'bin', 'sluice.ts'),
      'lineage',
      'serve',
      '--state-dir',
      stateDir,
      '--port',
      '0',
      // The UI's proxy passes the page's Origin on, as Marquez's own does: its delete buttons write from that origin.
      '--allow-origin',
      allowOrigin,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /catalog on (http:\/\/\S+)/.exec(out);
      if (m) ok({ url: m[1]!, child });
    });
    child.once('exit', (code) => fail(new Error(`sluice lineage serve exited with ${code}: ${out}`)));
  });
}

/** A port nothing listens on now, for the UI (the catalog must know the UI's origin before the UI starts). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => ok(port));
    });
  });
}

describe("Marquez's web UI on the embedded catalog", () => {
  let state: string;
  let catalog: { url: string; child: ChildProcess };
  let ui: WebUiServer;
  let browser: Browser;
  let page: Page;
  const apiFailures: string[] = [];
  const pageErrors: string[] = [];
  const api = async (path: string) => (await fetch(`${catalog.url}/api/v1/${path}`)).json() as Promise<any>;
  const shot = async (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });
  // The wall clock of the browser (UTC) frames the events page; a window around now keeps it off a midnight.
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    const web = process.env[WEB_UI_ENV];
    if (!web) throw new Error(`${WEB_UI_ENV} is not set: run this suite with npm run test:marquez-ui, which finds the web UI build`);
    await mkdir(artifacts, { recursive: true });
    state = await mkdtemp(join(tmpdir(), 'sluice-marquez-ui-'));
    const demo = [join(root, 'examples', 'churn', 'demo.ts'), '--state-dir', state, '--rows', '2000'];
    expect(await run(demo)).toBe(0);
    expect(await run([...demo, '--bad'])).toBe(1);
    const uiPort = await freePort();
    catalog = await serve(state, `http://127.0.0.1:${uiPort}`);
    ui = await startWebUi({ dir: web, api: catalog.url, port: uiPort });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'UTC' });
    // The namespace the UI opens on (it keeps the last chosen one in localStorage).
    await context.addInitScript(() => {
      if (!localStorage.getItem('selectedNamespace')) localStorage.setItem('selectedNamespace', 'sluice');
    });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/') && r.status() >= 400)
        apiFailures.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    catalog?.child.kill('SIGTERM');
    if (state) await rm(state, { recursive: true, force: true });
  });

  // What the runs emitted, counted from their events.jsonl as the dashboard should count it.
  async function emitted(): Promise<{ events: number; sources: number }> {
    const events = (await readFile(join(state, 'lineage', 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const sources = new Set<string>();
    for (const e of events)
      for (const d of [...(e['inputs'] ?? []), ...(e['outputs'] ?? [])]) sources.add(d.facets?.dataSource?.name ?? 'default');
    return { events: events.filter((e) => ['START', 'COMPLETE', 'FAIL', 'ABORT'].includes(e['eventType'])).length, sources: sources.size };
  }

  // A chart of the dashboard: the number beside its title, and whether its line is drawn.
  async function chart(title: string): Promise<{ value: number; drawn: boolean }> {
    const value = page.locator(`div:text-is("${title}") + div`).filter({ hasText: /^\d+$/ });
    await value.waitFor();
    const drawn = (await value.locator('xpath=../..').locator('svg path').count()) > 0;
    return { value: Number(await value.textContent()), drawn };
  }

  it('shows the dashboard with its charts: events of the day by state, datasets, sources and jobs', async () => {
    const { events, sources } = await emitted();
    expect(events).toBeGreaterThanOrEqual(16); // the good run (10 events) and the bad one (6), at least
    const week = page.waitForResponse((r) => r.url().includes('/stats/lineage-events?period=WEEK'));
    await page.goto(ui.url);
    await page.getByText(`${events} EVENTS`).waitFor();
    expect(await page.getByRole('button', { name: 'FAILED' }).textContent()).toMatch(/[1-9]/);
    const datasets =
      (await api('namespaces/s3%3A%2F%2Fchurn-data/datasets')).totalCount +
      (await api('namespaces/s3%3A%2F%2Fchurn-models/datasets')).totalCount;
    const jobs = (await api('jobs')).totalCount;
    expect([await chart('DATASETS'), await chart('SOURCES'), await chart('JOBS')]).toEqual([
      { value: datasets, drawn: true },
      { value: sources, drawn: true },
      { value: jobs, drawn: true },
    ]);
    await page.getByText('churn.test').first().waitFor();
    await shot('dashboard');
    await page.getByRole('button', { name: '7 Days' }).click();
    expect((await week).status()).toBe(200);
    await page.getByText(`${events} EVENTS`).waitFor();
    // The run-state filter lists the jobs whose latest run failed.
    const failed = page.waitForResponse((r) => r.url().includes('lastRunStates=FAILED'));
    await page.getByRole('button', { name: 'FAILED' }).click();
    expect((await failed).status()).toBe(200);
    await shot('dashboard-week-failed');
  });

  it('lists the pipeline and its steps on the jobs page', async () => {
    await page.goto(`${ui.url}/jobs`);
    for (const job of ['churn', 'churn.ingest', 'churn.test', 'churn.features', 'churn.score'])
      await page.getByRole('link', { name: job, exact: true }).first().waitFor();
    await shot('jobs');
  });

  it('lists the datasets of a namespace chosen in the namespace menu, with their quality', async () => {
    await page.goto(`${ui.url}/datasets`);
    await page.getByRole('combobox', { name: 'sluice' }).click();
    await page.getByRole('option', { name: 's3://churn-data' }).click();
    await page
      .getByRole('row', { name: /staged\/customers/ })
      .getByText('UNHEALTHY')
      .waitFor();
    await page.getByRole('row', { name: /raw\/customers/ }).waitFor();
    await shot('datasets');
  });

  it('draws the lineage graph around the failed step', async () => {
    await page.goto(`${ui.url}/lineage/job/sluice/churn.test`);
    // Long dataset names are cut short in the nodes (`staged/customer...`).
    for (const text of ['churn.test', 'churn.ingest', 'raw/customers', /^staged\/customer/, /^quarantine\/cust/])
      await page.getByText(text).first().waitFor();
    await shot('lineage-graph');
  });

  it('shows a dataset with its fields, facets, failing quality checks and versions', async () => {
    await page.goto(
      `${ui.url}/lineage/dataset/${enc('s3://churn-data')}/${enc('staged/customers')}?tableLevelNode=dataset:s3://churn-data:staged/customers`,
    );
    await page.getByRole('heading', { name: 'staged/customers' }).waitFor();
    await page.getByText('2 FAILING').waitFor();
    await page.getByRole('cell', { name: 'customer_id', exact: true }).waitFor();
    await page.getByText('"dataQualityAssertions"').waitFor();
    await shot('dataset-detail');
    await page.getByRole('tab', { name: 'VERSION HISTORY' }).click();
    const versions = (await api(`namespaces/${enc('s3://churn-data')}/datasets/${enc('staged/customers')}/versions`)).versions;
    await page
      .getByText(versions[0].version)
      .or(page.getByText(String(versions[0].version).slice(0, 8)))
      .first()
      .waitFor();
    await shot('dataset-versions');
  });

  it('draws column lineage from the features back to the staged columns', async () => {
    await page.goto(`${ui.url}/datasets`);
    await page
      .getByRole('row', { name: /features\/churn/ })
      .getByRole('link', { name: 'VIEW' })
      .click();
    for (const text of ['features/churn', 'published/customers', 'tickets_per_month', 'support_tickets'])
      await page.getByText(text).first().waitFor();
    await shot('column-lineage');
  });

  it('shows the failed run of the data tests with its error, in the job drawer and its run history', async () => {
    await page.goto(`${ui.url}/lineage/job/sluice/churn.test?tableLevelNode=job:sluice:churn.test`);
    await page.getByRole('heading', { name: 'churn.test' }).waitFor();
    await page.getByText('"errorMessage"').waitFor();
    await page
      .getByText(/data tests failed/)
      .first()
      .waitFor();
    await shot('failed-run');
    await page.getByRole('tab', { name: 'RUN HISTORY' }).click();
    await page.getByRole('cell', { name: 'FAILED' }).waitFor();
    await page.getByRole('cell', { name: 'COMPLETED' }).waitFor();
    await shot('run-history');
  });

  it('finds the quarantined batch by searching', async () => {
    await page.goto(ui.url);
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/search?q=quarantine'));
    await page.getByRole('banner').getByRole('textbox').fill('quarantine');
    expect((await answered).status()).toBe(200);
    await page.getByRole('link', { name: /quarantine\/customers/ }).waitFor();
    await shot('search');
  });

  it('lists the run events of the day', async () => {
    await page.goto(`${ui.url}/events?dateFrom=${day(-1)}T00:00:00&dateTo=${day(1)}T23:59:59`);
    await page.getByText(`${(await emitted()).events} total`).waitFor();
    await page.getByRole('row', { name: /FAIL churn\.test/ }).waitFor();
    await shot('events');
  });

  it('deletes a dataset and a job with their delete buttons, and they are gone', async () => {
    await page.goto(
      `${ui.url}/lineage/dataset/${enc('s3://churn-data')}/${enc('rejected/customers')}?tableLevelNode=dataset:s3://churn-data:rejected/customers`,
    );
    await page.getByRole('heading', { name: 'rejected/customers' }).waitFor();
    await page.getByRole('button', { name: 'DELETE' }).click();
    const dataset = page.waitForResponse((r) => r.request().method() === 'DELETE');
    await page.getByRole('dialog').getByRole('button', { name: 'Continue' }).click();
    expect((await dataset).status()).toBe(200);
    // The UI goes back to the list (a client-side navigation, so no page load to wait for).
    await expect.poll(() => new URL(page.url()).pathname).toBe('/datasets');
    expect((await fetch(`${catalog.url}/api/v1/namespaces/${enc('s3://churn-data')}/datasets/${enc('rejected/customers')}`)).status).toBe(
      404,
    );
    await page.goto(`${ui.url}/lineage/job/sluice/churn.score?tableLevelNode=job:sluice:churn.score`);
    await page.getByRole('heading', { name: 'churn.score' }).waitFor();
    await page.getByRole('button', { name: 'DELETE' }).click();
    const job = page.waitForResponse((r) => r.request().method() === 'DELETE');
    await page.getByRole('dialog').getByRole('button', { name: 'Continue' }).click();
    expect((await job).status()).toBe(200);
    // The UI leaves the deleted job's page; the jobs page no longer lists it.
    await expect.poll(() => new URL(page.url()).pathname).not.toMatch(/churn\.score/);
    // The UI keeps the namespace last chosen (s3://churn-data, on the datasets page); the jobs are in `sluice`.
    await page.evaluate(() => localStorage.setItem('selectedNamespace', 'sluice'));
    await page.goto(`${ui.url}/jobs`);
    await page.getByRole('link', { name: 'churn.test', exact: true }).first().waitFor();
    expect(await page.getByRole('link', { name: 'churn.score', exact: true }).count()).toBe(0);
    await shot('after-delete');
  });

  it('got only 2xx answers from the catalog, and the page threw nothing', () => {
    expect(apiFailures).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
