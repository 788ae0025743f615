// Pieces every detail view is made of: a title block, sections, key-value lists, tables and raw facets.
import { el } from '../dom.ts';
import type { Child } from '../dom.ts';

/** The title block of a view: what it is (job, dataset, run…), its name, a line under it and badges. */
export function titleBlock(kind: string, name: string, sub: Child, ...badges: Child[]): HTMLElement {
  return el(
    'div',
    { class: 'title-block' },
    el('div', { class: 'title-kind' }, kind, ...badges.map((b) => (b ? [' ', b] : []))),
    el('h2', { class: 'title', title: name }, name),
    el('div', { class: 'title-sub' }, sub),
  );
}

/** A titled section of a view. */
export const section = (title: string, id: string, ...children: Child[]): HTMLElement =>
  el('section', { class: 'panel-section', id }, el('h3', {}, title), ...children);

/** A two-column list of labelled values (rows with no value are left out). */
export function keyValues(rows: [string, Child][]): HTMLElement {
  return el(
    'dl',
    { class: 'kv' },
    rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
  );
}

/** A table: header cells, then rows of cells; a row may carry a class. */
export function table(
  id: string | undefined,
  head: string[],
  rows: { cells: Child[]; class?: string; attrs?: Record<string, string> }[],
): HTMLElement {
  return el(
    'table',
    { class: 'grid', ...(id ? { id } : {}) },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        head.map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((r) =>
        el(
          'tr',
          { class: r.class ?? '', ...(r.attrs ?? {}) },
          r.cells.map((c) => el('td', {}, c)),
        ),
      ),
    ),
  );
}

/** A facet as its producer sent it, folded (the JSON without `_producer` and `_schemaURL` noise up front). */
export function facetBlock(name: string, facet: unknown): HTMLElement {
  const body = typeof facet === 'object' && facet !== null ? { ...(facet as Record<string, unknown>) } : facet;
  let schema = '';
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    schema = typeof b._schemaURL === 'string' ? (b._schemaURL.split('/').pop() ?? '') : '';
    delete b._producer;
    delete b._schemaURL;
  }
  return el(
    'details',
    { class: 'facet', 'data-facet': name },
    el(
      'summary',
      {},
      el('span', { class: 'facet-name' }, name),
      schema ? el('span', { class: 'muted' }, ` ${schema.replace(/\.json.*$/, '')}`) : '',
    ),
    el('pre', { class: 'mono' }, JSON.stringify(body, null, 2)),
  );
}

/** A text with a button that copies it (a command to paste into a terminal). */
export function copyable(text: string, id?: string): HTMLElement {
  const code = el('code', { class: 'mono', ...(id ? { id } : {}) }, text);
  const button = el('button', { type: 'button', class: 'copy', title: 'Copy to the clipboard' }, 'Copy');
  button.addEventListener('click', () => {
    void navigator.clipboard?.writeText(text).then(
      () => (button.textContent = 'Copied'),
      () => (button.textContent = 'Select and copy'),
    );
  });
  return el('div', { class: 'copyable' }, code, button);
}
