// The lineage page's stylesheet: system fonts only (nothing is fetched), one colour per health, the same in the graph
// and the panels: failed red, warn amber, quarantined orange and hatched, running blue, ok green.

/** The page's CSS, inlined in its `<style>` element. */
export const PAGE_STYLE = `
:root { --bg: #f4f6f9; --panel: #fff; --ink: #1e293b; --muted: #64748b; --line: #e2e8f0; --accent: #2563eb;
  --failed: #dc2626; --failed-bg: #fef2f2; --warned: #b45309; --warned-bg: #fffbeb; --quarantined: #c2410c; --quarantined-bg: #fff7ed;
  --running: #2563eb; --running-bg: #eff6ff; --ok: #047857; --ok-bg: #ecfdf5; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { height: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 0; color: var(--ink);
  background: var(--bg); display: flex; flex-direction: column; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
.mono, code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
.muted { color: var(--muted); }
header { flex: none; display: flex; gap: 16px; align-items: center; padding: 0 16px; height: 54px; background: #0f172a; color: #fff; }
header .brand { color: #fff; font-weight: 700; font-size: 16px; letter-spacing: .01em; white-space: nowrap; }
header .brand span { color: #93c5fd; }
.search { position: relative; flex: 1; max-width: 620px; }
#search { width: 100%; font: inherit; padding: 8px 12px; border-radius: 8px; border: 1px solid #334155; background: #1e293b; color: #fff; outline: none; }
#search:focus { border-color: #60a5fa; background: #0b1222; }
#search::placeholder { color: #94a3b8; }
#search-results { position: absolute; top: 42px; left: 0; right: 0; z-index: 20; background: #fff; color: var(--ink); border-radius: 10px;
  box-shadow: 0 12px 32px rgba(15,23,42,.25); padding: 6px; max-height: 70vh; overflow: auto; }
.hit-group h4 { margin: 8px 8px 4px; font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
a.hit { display: grid; grid-template-columns: 64px minmax(0, 1fr) auto; gap: 10px; align-items: baseline; padding: 6px 8px; border-radius: 6px; color: var(--ink); }
a.hit:hover, a.hit.active { background: #eff6ff; text-decoration: none; }
a.hit.all { display: block; color: var(--accent); border-top: 1px solid var(--line); margin-top: 4px; border-radius: 0 0 6px 6px; }
.hit-name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.hit-detail { color: var(--muted); font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 260px; }
.kind { font-size: 10px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; padding: 2px 6px; border-radius: 4px; text-align: center; }
.kind-job { background: #e2e8f0; color: #334155; } .kind-dataset { background: #dbeafe; color: #1e40af; } .kind-field { background: #ede9fe; color: #5b21b6; }
#busy { color: #cbd5e1; font-size: 12px; white-space: nowrap; }
.banner { flex: none; margin: 0; padding: 10px 16px; }
#error { background: var(--failed-bg); color: #991b1b; border-bottom: 1px solid #fecaca; white-space: pre-wrap; }
#key-form { background: var(--warned-bg); border-bottom: 1px solid #fcd34d; display: flex; gap: 8px; align-items: center; }
#key-form input { font: inherit; padding: 4px 8px; border: 1px solid #d6d3d1; border-radius: 6px; }
button, .button { font: inherit; font-size: 13px; padding: 5px 12px; border-radius: 6px; border: 1px solid #cbd5e1; background: #fff; color: var(--ink); cursor: pointer; display: inline-block; }
button:hover, .button:hover { background: #f1f5f9; text-decoration: none; }
.button { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; } .button:hover { background: #1d4ed8; }
main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(0, 1fr) minmax(380px, 34%); }
#graph-pane { position: relative; display: flex; flex-direction: column; min-height: 0; border-right: 1px solid var(--line); }
#graph-pane[hidden] { display: none; }
body[data-view="home"] main, body[data-view="search"] main, body[data-view="unknown"] main { grid-template-columns: 1fr; }
body[data-view="home"] #detail, body[data-view="search"] #detail, body[data-view="unknown"] #detail { max-width: 1180px; width: 100%; margin: 0 auto; background: transparent; }
#graph-toolbar { flex: none; display: flex; gap: 10px; align-items: center; padding: 8px 12px; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
#graph-toolbar select { font: inherit; font-size: 13px; padding: 3px 6px; border-radius: 6px; border: 1px solid #cbd5e1; background: #fff; }
#graph-toolbar label { font-size: 12px; color: var(--muted); }
#graph-toolbar .zoom { display: flex; gap: 4px; margin-left: auto; } #graph-toolbar .zoom button { padding: 3px 9px; }
#graph { flex: 1; min-height: 0; background-color: #f8fafc; background-image: radial-gradient(#dbe2ea 1px, transparent 1px); background-size: 18px 18px; }
#lineage-graph { width: 100%; height: 100%; display: block; cursor: grab; outline: none; touch-action: none; user-select: none; }
#lineage-graph.dragging { cursor: grabbing; }
#graph-note { position: absolute; left: 12px; bottom: 10px; font-size: 12px; color: var(--muted); background: rgba(255,255,255,.9); padding: 2px 8px; border-radius: 6px; }
.legend { position: absolute; right: 12px; bottom: 10px; display: flex; gap: 6px; background: rgba(255,255,255,.9); padding: 4px 6px; border-radius: 8px; }
#detail { overflow: auto; padding: 18px 22px 40px; background: var(--panel); }
.node { cursor: pointer; }
.node .box { fill: #fff; stroke: #cbd5e1; stroke-width: 1.2; }
.node.dataset .box { fill: #f8fbff; stroke: #93c5fd; }
.node .accent { fill: #94a3b8; } .node.dataset .accent { fill: #60a5fa; } .node.job.ok .accent { fill: var(--ok); }
.node.failed .box { fill: var(--failed-bg); stroke: var(--failed); stroke-width: 2; } .node.failed .accent { fill: var(--failed); }
.node.warned .box { fill: var(--warned-bg); stroke: #d97706; stroke-width: 2; } .node.warned .accent { fill: #d97706; }
.node.quarantined .box { fill: url(#hatch); stroke: var(--quarantined); stroke-width: 2; stroke-dasharray: 7 3; } .node.quarantined .accent { fill: var(--quarantined); }
.node.running .box { stroke: var(--running); stroke-width: 2; } .node.running .accent { fill: var(--running); }
.node:hover .box { stroke: #0f172a; }
.node.focus .box { stroke: #0f172a; stroke-width: 3; filter: drop-shadow(0 3px 6px rgba(15,23,42,.25)); }
.hatch-bg { fill: #fff7ed; } .hatch-line { stroke: #fed7aa; stroke-width: 5; }
.node text { pointer-events: none; }
.node .kind { font-size: 9.5px; font-weight: 700; letter-spacing: .07em; fill: var(--muted); }
.node .name { font-size: 13.5px; font-weight: 600; fill: #0f172a; }
.node .sub { font-size: 11px; fill: var(--muted); }
.chip text { font-size: 9px; font-weight: 700; letter-spacing: .04em; fill: #fff; }
.chip-failed rect { fill: var(--failed); } .chip-warned rect { fill: #d97706; } .chip-quarantined rect { fill: var(--quarantined); }
.chip-running rect { fill: var(--running); } .chip-ok rect { fill: #d1fae5; } .chip-ok text { fill: #065f46; }
.chip-none rect { fill: #e2e8f0; } .chip-none text { fill: #475569; }
.toggle { cursor: pointer; opacity: 0; transition: opacity .12s; }
.node:hover .toggle, .node.focus .toggle, .toggle.collapsed { opacity: 1; }
.toggle circle { fill: #fff; stroke: #64748b; stroke-width: 1.2; } .toggle:hover circle { fill: #e2e8f0; }
.toggle.collapsed circle { fill: #0f172a; stroke: #0f172a; } .toggle.collapsed text { fill: #fff; }
.toggle text { font-size: 11px; font-weight: 700; fill: #334155; pointer-events: none; }
.edge { fill: none; stroke: #94a3b8; stroke-width: 1.4; } .edge.strong { stroke: #334155; stroke-width: 2; } .edge.faint { stroke: #d5dde6; }
.arrow { fill: #94a3b8; } .arrow.strong { fill: #334155; }
.column-dataset .box { fill: #fff; stroke: #93c5fd; stroke-width: 1.2; }
.column-header { cursor: pointer; } .column-header:hover .box { stroke: #1d4ed8; }
.column-header .name { font-size: 13px; font-weight: 700; fill: #0f172a; }
.column-header .rule { stroke: #dbeafe; }
.field-row { cursor: pointer; } .field-row .row-bg { fill: transparent; } .field-row:hover .row-bg { fill: #f1f5f9; }
.field-row text { font-size: 12.5px; fill: #1e293b; pointer-events: none; } .field-row .field-type { fill: var(--muted); font-size: 10.5px; }
.field-row.selected .row-bg { fill: #bfdbfe; } .field-row.selected .field-name { font-weight: 700; }
.field-row.upstream .row-bg { fill: #e0e7ff; } .field-row.downstream .row-bg { fill: #dcfce7; }
.field-row.other text { fill: #94a3b8; }
.badge { display: inline-block; font-size: 10.5px; font-weight: 700; letter-spacing: .03em; padding: 1px 7px; border-radius: 9px; white-space: nowrap; vertical-align: 1px; }
.badge-failed { background: var(--failed); color: #fff; } .badge-warned { background: #fde68a; color: #78350f; }
.badge-quarantined { background: var(--quarantined); color: #fff; } .badge-running { background: var(--running-bg); color: #1e40af; }
.badge-ok { background: #d1fae5; color: #065f46; } .badge-none { background: #e2e8f0; color: #475569; }
.legend .badge { font-size: 10px; }
.title-block { margin-bottom: 14px; }
.title-kind { font-size: 11px; font-weight: 700; letter-spacing: .08em; color: var(--muted); }
.title { margin: 2px 0 2px; font-size: 21px; line-height: 1.25; overflow-wrap: anywhere; }
.title-sub { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.kv { display: grid; grid-template-columns: 120px minmax(0, 1fr); gap: 6px 12px; margin: 0 0 16px; }
.kv dt { color: var(--muted); font-size: 12.5px; } .kv dd { margin: 0; overflow-wrap: anywhere; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.panel-section { margin: 18px 0; } .panel-section > h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: #475569; margin: 0 0 8px; }
h4 { font-size: 12.5px; margin: 12px 0 6px; color: #334155; }
table.grid { border-collapse: collapse; width: 100%; font-size: 13px; background: #fff; }
table.grid th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; padding: 6px 8px; border-bottom: 1px solid var(--line); }
table.grid td { padding: 6px 8px; border-bottom: 1px solid #f1f5f9; vertical-align: top; overflow-wrap: anywhere; }
table.grid td .mono { overflow-wrap: normal; white-space: nowrap; }
table.grid tr.failing td { background: var(--failed-bg); } table.grid tr.warning td { background: var(--warned-bg); }
table.grid tr.quarantined td { background: var(--quarantined-bg); }
.error-text { color: #991b1b; font-size: 12.5px; }
.error-box { background: var(--failed-bg); border: 1px solid #fecaca; border-left: 4px solid var(--failed); border-radius: 6px; padding: 10px 12px; margin: 0 0 14px; color: #7f1d1d; overflow-wrap: anywhere; }
.error-box pre { white-space: pre-wrap; max-height: 240px; overflow: auto; }
details.version { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 0 12px; background: #fff; }
details.version[open] { padding-bottom: 10px; }
details.version > summary { cursor: pointer; padding: 9px 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
details.version.quarantined { border: 2px dashed var(--quarantined); background: var(--quarantined-bg); }
details.version.failed-tests { border-left: 4px solid var(--failed); } details.version.warned-tests { border-left: 4px solid #d97706; }
.version-name { font-weight: 600; overflow-wrap: anywhere; }
details.facet { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 0 10px; }
details.facet > summary { cursor: pointer; padding: 6px 0; } .facet-name { font-weight: 600; }
details.facet pre, #trace-json { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 360px; overflow: auto; background: #f8fafc; padding: 8px; border-radius: 6px; }
.copyable { display: flex; gap: 8px; align-items: center; background: #0f172a; border-radius: 6px; padding: 6px 6px 6px 10px; }
.copyable code { color: #e2e8f0; flex: 1; overflow-wrap: anywhere; } .copyable button { flex: none; font-size: 12px; padding: 2px 10px; }
.home-intro h2 { margin: 4px 0 2px; font-size: 22px; }
#attention .attention-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; }
li.attention { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--muted); border-radius: 8px; padding: 8px 12px; }
li.attention.failed { border-left-color: var(--failed); } li.attention.warned { border-left-color: #d97706; } li.attention.quarantined { border-left-color: var(--quarantined); }
body[data-view="home"] .panel-section, body[data-view="search"] .search-page { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
body[data-view="home"] #attention { background: transparent; border: 0; padding: 0; }
.search-page .hit-group { margin-bottom: 10px; }
ol.causes > li, ol.chain > li { margin: 0 0 10px; }
.empty { padding: 8px; }
ul.run-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
li.run { border: 1px solid var(--line); border-left: 4px solid #a7f3d0; border-radius: 6px; padding: 6px 10px; }
li.run.failed { border-left-color: var(--failed); background: var(--failed-bg); } li.run.warned { border-left-color: #d97706; background: var(--warned-bg); }
li.run.running { border-left-color: var(--running); }
.run-line { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
ul.io-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
li.io { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
li.io.quarantined { border: 2px dashed var(--quarantined); background: var(--quarantined-bg); }
.io-line { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; font-weight: 600; } .io-detail { font-size: 12.5px; overflow-wrap: anywhere; }
.run-line .when { color: var(--muted); font-size: 12.5px; }
`;
