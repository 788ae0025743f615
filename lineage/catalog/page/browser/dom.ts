/** The element matching `selector`; the page's markup has every element the script looks up. */
export const $ = <E extends Element = HTMLElement>(selector: string): E => document.querySelector<E>(selector)!;

/** What `el` appends: nodes as they are, anything else as text (never as HTML); arrays nest. */
export type Child = Node | string | number | null | undefined | readonly Child[];

/** Attribute values; `null`, `undefined` and `false` leave the attribute out. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** A new HTML element with attributes and children; every text goes through a text node. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null && v !== false) e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

function append(parent: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** A new SVG element with attributes and children (texts as text nodes). */
export function svgEl(
  tag: string,
  attrs: Record<string, string | number | null | undefined> = {},
  ...children: (Node | string)[]
): SVGElement {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

/** Shows an error above the view (an empty text hides it). */
export function showError(error: unknown): void {
  const message = typeof error === 'object' && error !== null && 'message' in error && error.message ? error.message : error;
  const box = $('#error');
  box.textContent = String(message);
  box.hidden = String(message) === '';
}

/** Says what the page is doing (loading, laying out) or clears it. */
export function showBusy(text: string): void {
  const s = $('#busy');
  s.textContent = text;
  s.hidden = text === '';
}
