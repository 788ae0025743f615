/** The element matching `selector`; the page's markup has every element the script looks up. */
export const $ = <E extends Element = HTMLElement>(selector: string): E => document.querySelector<E>(selector)!;

/** What `el` appends: nodes as they are, anything else as text (never as HTML). */
export type Child = Node | string | number | null | undefined;

/** Attribute values; `null`, `undefined` and `false` leave the attribute out. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** A new HTML element with attributes and children; every text goes through a text node. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null && v !== false) e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/** A new SVG element with attributes. */
export function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** A duration for people: milliseconds below a second, seconds with one decimal above. */
export const duration = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? '–' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;

/** A coloured badge for a run state (NEW when the job has no run state yet). */
export const stateBadge = (state: string | null | undefined): HTMLSpanElement =>
  el('span', { class: `state state-${String(state).toLowerCase()}` }, state || 'NEW');

/** Shows an error above the graph (an empty text clears it). */
export function showError(error: unknown): void {
  const message = typeof error === 'object' && error !== null && 'message' in error && error.message ? error.message : error;
  $('#error').textContent = String(message);
}
