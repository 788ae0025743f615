// The lineage page's script: search, the graph around the node in the URL's hash, and that node's runs or versions.
import { enc, get } from './api.ts';
import type { SearchResultList } from '../../../marquez/api.ts';
import { datasetDetail, jobDetail, overview } from './details.ts';
import type { NodeName } from './details.ts';
import { $, el, showError } from './dom.ts';
import { drawGraph } from './graph.ts';

// Marquez splits node ids at colons not followed by `//` or a digit, so `s3://b` and `host:5432` survive.
function splitId(id: string): NodeName {
  const body = id.slice(id.indexOf(':') + 1);
  const at = body.search(/:(?!\/\/|\d)/);
  return { type: id.slice(0, id.indexOf(':')), namespace: body.slice(0, at), name: body.slice(at + 1) };
}

async function search(q: string): Promise<void> {
  const list = $('#results');
  list.replaceChildren();
  if (!q.trim()) return;
  const { results } = await get<SearchResultList>(`search?q=${enc(q)}&limit=50`);
  if (results.length === 0) list.append(el('li', { class: 'muted' }, `no job or dataset matches ${JSON.stringify(q)}`));
  for (const r of results) {
    list.append(
      el(
        'li',
        {},
        el(
          'a',
          { href: `#${enc(r.nodeId)}`, 'data-node': r.nodeId },
          el('span', { class: 'kind' }, r.type),
          ' ',
          `${r.namespace} : ${r.name}`,
        ),
      ),
    );
  }
}

async function route(): Promise<void> {
  showError('');
  const nodeId = decodeURIComponent(location.hash.slice(1));
  if (!nodeId) return overview();
  const id = splitId(nodeId);
  $('#node').textContent = nodeId;
  try {
    await drawGraph(nodeId, $<HTMLSelectElement>('#depth').value, $<HTMLSelectElement>('#direction').value);
    $('#detail').replaceChildren(...(id.type === 'job' ? await jobDetail(id) : await datasetDetail(id)));
  } catch (e) {
    showError(e);
  }
}

const searchBox = $<HTMLInputElement>('#search');
searchBox.addEventListener('input', () => search(searchBox.value).catch(showError));
$('#depth').addEventListener('change', route);
$('#direction').addEventListener('change', route);
window.addEventListener('hashchange', route);
route().catch(showError);
