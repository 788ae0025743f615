import type { CatalogStore } from './catalog-store.ts';
import { HttpError } from './http-body.ts';
import { datasetView } from './dataset-views.ts';
import { jobView } from './read-models.ts';
import { dataset, job } from './read-routes.ts';
import type { Dataset, Job, Tag, TagList } from '../marquez/api.ts';

/** A write handler for tags: segments, the parsed body (PUT /tags) and the method; returns the JSON body (200). */
export type TagHandler = (store: CatalogStore, params: string[], body: unknown, method: string) => Job | Dataset | TagList;

const TAG = /^[A-Za-z0-9_\-.:]{1,256}$/;

function tagName(tag: string): string {
  if (!TAG.test(tag)) throw new HttpError(400, `tag ${JSON.stringify(tag.slice(0, 80))}: expected 1-256 of A-Z a-z 0-9 _ - . :`);
  return tag;
}

function ensureTag(store: CatalogStore, tag: string): void {
  if (!store.get('SELECT 1 AS x FROM tags WHERE name = ?', tag))
    throw new HttpError(404, `tag ${JSON.stringify(tag)} not found; create it with PUT /api/v1/tags/${tag}`);
}

function setTag(store: CatalogStore, owner: string, tag: string, method: string): void {
  if (method === 'POST') store.run('INSERT OR IGNORE INTO object_tags (owner, tag) VALUES (?, ?)', owner, tag);
  else store.run('DELETE FROM object_tags WHERE owner = ? AND tag = ?', owner, tag);
}

/** POST/DELETE tags on jobs, datasets and dataset fields; PUT /tags/{tag} creates a tag (Marquez's routes and shapes). */
export const TAG_ROUTES: [string, string[], TagHandler][] = [
  [
    'tags/*',
    ['PUT'],
    (s, [tag], body) => {
      const description =
        typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>)['description'] === 'string'
          ? (body as Record<string, string>)['description']
          : null;
      s.run(
        'INSERT INTO tags (name, description) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET description = excluded.description',
        tagName(tag!),
        description ?? null,
      );
      return { tags: s.all<Tag>('SELECT name, description FROM tags ORDER BY name') };
    },
  ],
  [
    'namespaces/*/jobs/*/tags/*',
    ['POST', 'DELETE'],
    (s, [ns, name, tag], _b, method) => {
      const j = job(s, ns!, name!);
      ensureTag(s, tagName(tag!));
      setTag(s, `job:${j.uuid}`, tag!, method);
      return jobView(s, j);
    },
  ],
  [
    'namespaces/*/datasets/*/tags/*',
    ['POST', 'DELETE'],
    (s, [ns, name, tag], _b, method) => {
      const d = dataset(s, ns!, name!);
      ensureTag(s, tagName(tag!));
      setTag(s, `dataset:${d.uuid}`, tag!, method);
      return datasetView(s, d);
    },
  ],
  [
    'namespaces/*/datasets/*/fields/*/tags/*',
    ['POST', 'DELETE'],
    (s, [ns, name, field, tag], _b, method) => {
      const d = dataset(s, ns!, name!);
      if (!(JSON.parse(d.fields) as { name: string }[]).some((f) => f.name === field))
        throw new HttpError(
          404,
          `field ${JSON.stringify(field!.slice(0, 200))} not found in dataset ${JSON.stringify(name!.slice(0, 200))}`,
        );
      ensureTag(s, tagName(tag!));
      setTag(s, `field:${d.uuid}:${field}`, tag!, method);
      return datasetView(s, d);
    },
  ],
];
