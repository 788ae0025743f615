// The search view: every job, dataset and field matching a text (the drop-down shows the first few).
import { el } from '../dom.ts';
import { hitList } from '../search-box.ts';
import { searchAll } from '../search.ts';
import { titleBlock } from './panel.ts';

/** The search view's panel. */
export async function searchView(q: string): Promise<HTMLElement[]> {
  if (!q.trim()) return [titleBlock('SEARCH', 'Search', 'Type a job, dataset or field name in the box above.')];
  const hits = await searchAll(q, 100);
  const n = hits.jobs.length + hits.datasets.length + hits.fields.length;
  return [
    titleBlock('SEARCH', `“${q}”`, `${n} result${n === 1 ? '' : 's'}`),
    el('div', { class: 'search-page', id: 'search-page' }, hitList(hits, q)),
  ];
}
