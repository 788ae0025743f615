import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import { buildPage, bundlePage } from '../../../lineage/catalog/page/build-page.ts';
import { pageHtml } from '../../../lineage/catalog/page/lineage-page.ts';
import { PAGE_SOURCES, loadPageScript } from '../../../lineage/catalog/page/page-script.ts';

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

  it('writes the bundle where it is told (npm run build:page, a package build)', async () => {
    const out = await buildPage(join(dir, 'dist', 'page.js'));
    expect(await readFile(out, 'utf8')).toBe(await bundlePage());
  });
});

describe('the lineage page', () => {
  it('inlines its script so that no text in it can end the script element', () => {
    const html = pageHtml('const a = "</script><b>"; const b = "</SCRIPT>";');
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
      expect((await fetch(`${catalog.url}/api/v1/namespaces`)).status).toBe(401);
    } finally {
      await catalog.close();
    }
  });
});
