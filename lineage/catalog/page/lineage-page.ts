import { loadPageScript } from './page-script.ts';

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
header { display: flex; gap: 12px; align-items: center; padding: 10px 16px; background: #1f2937; color: #fff; }
header h1 { font-size: 16px; margin: 0 12px 0 0; } header a { color: #fff; }
input, select { font: inherit; padding: 4px 6px; }
main { display: grid; grid-template-columns: 280px 1fr; min-height: calc(100vh - 50px); }
aside { border-right: 1px solid #ddd; padding: 10px; } aside ul { list-style: none; padding: 0; margin: 0; } aside li { margin: 4px 0; }
.kind { font-size: 11px; background: #eef; padding: 1px 4px; border-radius: 3px; }
section#view { padding: 10px 16px; overflow: auto; }
#graph { overflow: auto; border: 1px solid #eee; margin-bottom: 12px; }
.node rect { fill: #fff; stroke: #6b7280; } .node.dataset rect { fill: #f0f7ff; stroke: #3b82f6; }
.node.failing rect { fill: #fee2e2; stroke: #dc2626; stroke-width: 2; } .node.selected rect { stroke-width: 3; }
.node { cursor: pointer; } .node text { font-size: 12px; } .node text.sub { fill: #666; font-size: 10px; }
.edge { fill: none; stroke: #999; }
table { border-collapse: collapse; margin: 6px 0 12px; } td, th { border: 1px solid #e5e7eb; padding: 3px 8px; text-align: left; }
tr.failing td { background: #fee2e2; }
.state { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #e5e7eb; }
.state-completed { background: #d1fae5; } .state-failed, .state-aborted { background: #dc2626; color: #fff; } .state-running { background: #fef3c7; }
.version { border: 1px solid #e5e7eb; padding: 6px 10px; margin: 8px 0; } .version.quarantined { border: 2px solid #d97706; background: #fffbeb; }
.muted { color: #777; font-size: 12px; } .mono { font-family: ui-monospace, monospace; font-size: 12px; }
#error { color: #b91c1c; }
#key-form { padding: 8px; margin: 6px 0; background: #fffbeb; border: 1px solid #d97706; }
`;

/** The lineage page around its script: search, the graph around a node (depth and direction), runs, dataset versions. */
export function pageHtml(script: string): string {
  // Inlined: `</script` inside the script would end the element early.
  const inline = script.replace(/<\/(script)/gi, '<\\/$1');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice lineage</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1><a href="#">Sluice lineage</a></h1>
  <label>depth <select id="depth">${[1, 2, 3, 5, 10, 20].map((d) => `<option${d === 2 ? ' selected' : ''}>${d}</option>`).join('')}</select></label>
  <label>direction <select id="direction"><option value="both">both (Marquez)</option><option value="upstream">upstream</option><option value="downstream">downstream</option></select></label>
  <span id="node" class="mono"></span>
</header>
<main>
  <aside>
    <input id="search" type="search" placeholder="search jobs and datasets" autocomplete="off">
    <ul id="results"></ul>
  </aside>
  <section id="view">
    <form id="key-form" hidden><label><span id="key-message"></span> <input id="key" type="password" autocomplete="off" placeholder="API key"></label> <button>Use key</button></form>
    <p id="error"></p>
    <div id="graph"></div>
    <div id="detail"></div>
  </section>
</main>
<script type="module">${inline}</script>
</body>
</html>
`;
}

let page: Promise<string> | undefined;

/** The lineage page served at `/`, made once per process (a failure is tried again on the next request). */
export function lineagePage(): Promise<string> {
  if (!page) {
    page = loadPageScript().then(pageHtml);
    page.catch(() => (page = undefined));
  }
  return page;
}
