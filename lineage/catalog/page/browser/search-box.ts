// The search box in the header: results appear as one types, grouped by kind; arrows and Enter pick one, `/` focuses it.
import { $, el, showError } from './dom.ts';
import { routeHash } from './routes.ts';
import { searchAll } from './search.ts';
import type { Hit, Hits } from './search.ts';

const GROUPS: [keyof Hits, string][] = [
  ['jobs', 'Jobs'],
  ['datasets', 'Datasets'],
  ['fields', 'Fields'],
];

/** The result list as elements (shared with the search view); every hit is a link. */
export function hitList(hits: Hits, q: string): HTMLElement[] {
  const groups = GROUPS.filter(([k]) => hits[k].length > 0);
  if (groups.length === 0) return [el('p', { class: 'muted empty' }, `No job, dataset or field matches ${JSON.stringify(q)}.`)];
  return groups.map(([k, title]) =>
    el(
      'div',
      { class: 'hit-group' },
      el('h4', {}, title),
      hits[k].map((h: Hit) =>
        el(
          'a',
          { class: `hit hit-${h.kind}`, href: h.hash, 'data-kind': h.kind },
          el('span', { class: `kind kind-${h.kind}` }, h.kind),
          el('span', { class: 'hit-name' }, h.name),
          el('span', { class: 'hit-detail' }, h.detail),
        ),
      ),
    ),
  );
}

/** Wires the header's search box and its drop-down. */
export function attachSearchBox(): void {
  const input = $<HTMLInputElement>('#search');
  const list = $('#search-results');
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const links = () => [...list.querySelectorAll<HTMLAnchorElement>('a.hit')];
  const close = () => {
    list.hidden = true;
  };
  const run = async () => {
    const q = input.value;
    const mine = (seq += 1);
    if (!q.trim()) return close();
    const hits = await searchAll(q);
    if (mine !== seq) return;
    list.replaceChildren(
      ...hitList(hits, q),
      el('a', { class: 'hit all', href: routeHash({ view: 'search', q }) }, `All results for “${q}”`),
    );
    list.hidden = false;
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run().catch(showError), 120);
  });
  input.addEventListener('focus', () => {
    if (input.value.trim() && list.childElementCount > 0) list.hidden = false;
  });
  input.addEventListener('keydown', (e) => {
    const all = links();
    const at = all.findIndex((a) => a.classList.contains('active'));
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      all[at]?.classList.remove('active');
      const next = all[(at + (e.key === 'ArrowDown' ? 1 : all.length - 1) + (at < 0 && e.key === 'ArrowUp' ? 1 : 0)) % all.length];
      next?.classList.add('active');
      next?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const pick = all[at] ?? all[0];
      location.hash = pick ? pick.getAttribute('href')! : routeHash({ view: 'search', q: input.value });
      close();
    } else if (e.key === 'Escape') close();
  });
  list.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('a')) close();
  });
  document.addEventListener('pointerdown', (e) => {
    if (e.target instanceof Node && !list.contains(e.target) && e.target !== input) close();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && document.activeElement !== input && !(document.activeElement instanceof HTMLInputElement)) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
}
