import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../../lineage/catalog/index.ts';
import { buildPage, bundlePage } from '../../../../lineage/catalog/page/build-page.ts';
import { createHash } from 'node:crypto';
import { LAYOUT_WORKER_PATH, pageHtml } from '../../../../lineage/catalog/page/lineage-page.ts';
import { PAGE_SOURCES, elkWorkerSource, loadLayoutWorker, loadPageScript } from '../../../../lineage/catalog/page/page-script.ts';

describe('where the lineage page script comes from', () => {
  let dir: string;
  let built: string;
  let sources: string;
  const fresh = async () => 'bundled now';
  const age = (path: string, seconds: number) => utimes(path, new Date(Date.now() - seconds * 1000), new Date(Date.now() - seconds * 1000));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-page-'));
    built = join(dir, 'lineage-page.bundle.js');
    sources = join(dir, 'browser');
    await writeFile(built, 'built earlier');
    await mkdir(sources);
    await writeFile(join(sources, 'main.ts'), 'export {};');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the built file when it is newer than the sources', async () => {
    await age(join(sources, 'main.ts'), 60);
    await age(built, 10);
    expect(await loadPageScript({ builtFile: built, sourceDir: sources, bundle: fresh })).toBe('built earlier');
  });

  it('bundles the sources when they changed after the build', async () => {
    await age(join(sources, 'main.ts'), 10);
    await age(built, 60);
    expect(await loadPageScript({ builtFile: built, sourceDir: sources, bundle: fresh })).toBe('bundled now');
  });

  it('keeps an older built file when nothing can bundle', async () => {
    expect(await loadPageScript({ builtFile: built, sourceDir: sources, bundle: null })).toBe('built earlier');
  });

  it('bundles the sources with esbuild when nothing was built', async () => {
    expect(await loadPageScript({ builtFile: join(dir, 'missing.js'), sourceDir: PAGE_SOURCES })).toBe(await bundlePage());
  });

  it('fails, saying how to build the page, when there is neither a built file nor esbuild', async () => {
    await expect(loadPageScript({ builtFile: join(dir, 'missing.js'), sourceDir: sources, bundle: null })).rejects.toThrow(
      /npm run build:page/,
    );
  });

  it('writes the bundle where it is told (npm run build:page, a package build), and the layout worker beside it', async () => {
    const out = await buildPage(join(dir, 'dist', 'page.js'));
    expect(await readFile(out, 'utf8')).toBe(await bundlePage());
    const worker = await readFile(join(dir, 'dist', 'layout-worker.js'), 'utf8');
    expect(worker.endsWith(await readFile(elkWorkerSource()!, 'utf8'))).toBe(true);
    expect(worker.split('\n', 1)[0]).toMatch(/elkjs \(Eclipse Public License 2\.0/);
    expect(await readFile(join(dir, 'dist', 'layout-worker.LICENSE.md'), 'utf8')).toMatch(/Eclipse Public License/);
  });

  it('serves the built layout worker, else the one elkjs ships', async () => {
    const built = join(dir, 'built-worker.js');
    await writeFile(built, 'self.onmessage = () => {};');
    expect(await loadLayoutWorker(built)).toBe('self.onmessage = () => {};');
    expect(await loadLayoutWorker(join(dir, 'missing.js'))).toBe(await readFile(elkWorkerSource()!, 'utf8'));
  });
});

describe('the lineage page', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('base64');

  it('allows by its Content-Security-Policy only its own inline script and style, its worker and its own API', () => {
    const { html, csp } = pageHtml('console.log(1)');
    const script = /<script type="module">([\s\S]*)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`script-src 'sha256-${sha(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${sha(style)}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('inlines its script so that no text in it can end the script element', () => {
    const { html } = pageHtml('const a = "</script><b>"; const b = "</SCRIPT>";');
    expect(html.match(/<\/script>/gi)).toHaveLength(1);
    expect(html).toContain('const a = "<\\/script><b>"; const b = "<\\/SCRIPT>";');
  });

  it('is served at / with its script, without the key of a catalog that protects reads', async () => {
    const catalog = await startCatalogServer({ port: 0, apiKey: 'k', protectReads: true });
    try {
      const res = await fetch(catalog.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('<script type="module">');
      expect(html).toContain('sluice-catalog-key');
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'sha256-/);
      expect((await fetch(`${catalog.url}/api/v1/namespaces`)).status).toBe(401);
      // The layout worker holds no data either; the page names it by its content hash, which may then be cached for good.
      const url = /data-layout-worker="([^"]+)"/.exec(html)![1]!;
      expect(url).toMatch(new RegExp(`^${LAYOUT_WORKER_PATH}\\?v=[0-9a-f]{16}$`));
      const worker = await fetch(`${catalog.url}${url}`);
      expect(worker.status).toBe(200);
      expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(worker.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await worker.text()).toBe(await loadLayoutWorker());
      expect((await fetch(`${catalog.url}${LAYOUT_WORKER_PATH}?v=old`)).headers.get('cache-control')).toBe('no-cache');
    } finally {
      await catalog.close();
    }
  });
});
