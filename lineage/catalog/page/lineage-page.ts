import { createHash } from 'node:crypto';
import { loadLayoutWorker, loadPageScript } from './page-script.ts';
import { PAGE_STYLE } from './page-style.ts';

/** The path the page starts its graph-layout worker from (served by the catalog, without a key: it holds no data). */
export const LAYOUT_WORKER_PATH = '/layout-worker.js';

/** The page's HTML and the Content-Security-Policy that lets only its own inline script and style run. */
export type LineagePage = { html: string; csp: string };

/** The layout worker's script and its content hash (part of its URL, so browsers may keep it). */
export type LayoutWorker = { script: string; hash: string };

const sha256 = (text: string, encoding: 'base64' | 'hex') => createHash('sha256').update(text, 'utf8').digest(encoding);

const select = (id: string, options: [string, string][], selected: string) =>
  `<select id="${id}">${options.map(([v, t]) => `<option value="${v}"${v === selected ? ' selected' : ''}>${t}</option>`).join('')}</select>`;

/** The lineage page around its script: header with search, the graph with its controls, the detail panel. */
export function pageHtml(script: string, workerUrl = LAYOUT_WORKER_PATH): LineagePage {
  // Inlined: `</script` inside the script would end the element early.
  const inline = script.replace(/<\/(script)/gi, '<\\/$1');
  const depths = [1, 2, 3, 5, 10, 20].map((d): [string, string] => [String(d), String(d)]);
  const directions: [string, string][] = [
    ['both', 'both (as Marquez)'],
    ['upstream', 'upstream'],
    ['downstream', 'downstream'],
  ];
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice lineage</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body data-layout-worker="${workerUrl}" data-view="home">
<header>
  <a class="brand" href="#/">Sluice <span>lineage</span></a>
  <div class="search">
    <input id="search" type="search" placeholder="Search jobs, datasets and fields   ( / )" autocomplete="off" spellcheck="false" aria-label="search jobs, datasets and fields">
    <div id="search-results" role="listbox" hidden></div>
  </div>
  <span id="busy" role="status" hidden></span>
</header>
<form id="key-form" class="banner" hidden><label><span id="key-message"></span> <input id="key" type="password" autocomplete="off" placeholder="API key"></label> <button>Use key</button></form>
<p id="error" class="banner" role="alert" hidden></p>
<main>
  <section id="graph-pane" hidden>
    <div id="graph-toolbar">
      <span id="scope"><label>depth ${select('depth', depths, '2')}</label> <label>direction ${select('direction', directions, 'both')}</label></span>
      <span class="zoom"><button type="button" id="zoom-out" title="Zoom out (-)">−</button><button type="button" id="zoom-in" title="Zoom in (+)">+</button><button type="button" id="zoom-fit" title="Show the whole graph">Fit</button><button type="button" id="zoom-focus" title="Centre the selected node">Centre</button></span>
    </div>
    <div id="graph"></div>
    <div id="graph-note"></div>
    <div class="legend"><span class="badge badge-failed">FAILED</span><span class="badge badge-warned">WARN</span><span class="badge badge-quarantined">QUARANTINED</span><span class="badge badge-running">RUNNING</span><span class="badge badge-ok">OK</span></div>
  </section>
  <section id="detail" aria-live="polite"></section>
</main>
<script type="module">${inline}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(inline, 'base64')}'`,
    `style-src 'sha256-${sha256(PAGE_STYLE, 'base64')}'`,
    "worker-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

let page: Promise<LineagePage> | undefined;
let worker: Promise<LayoutWorker> | undefined;

/** The layout worker's script, read once per process (a failure is tried again on the next request). */
export function layoutWorker(): Promise<LayoutWorker> {
  if (!worker) {
    worker = loadLayoutWorker().then((script) => ({ script, hash: sha256(script, 'hex').slice(0, 16) }));
    worker.catch(() => (worker = undefined));
  }
  return worker;
}

/** The lineage page served at `/`, made once per process (a failure is tried again on the next request). */
export function lineagePage(): Promise<LineagePage> {
  if (!page) {
    page = Promise.all([loadPageScript(), layoutWorker()]).then(([script, w]) => pageHtml(script, `${LAYOUT_WORKER_PATH}?v=${w.hash}`));
    page.catch(() => (page = undefined));
  }
  return page;
}
