// Marquez's `/api/v2beta/search/jobs|datasets` answer from its OpenSearch index (web UI builds with advanced search
// call them). The catalog keeps no such index, so it answers as Marquez does with search disabled: 400 without a
// search text, else 503; `/api/v1/search` is the search that works.
import { HttpError } from './http-body.ts';

/** `GET /api/v2beta/<segments>`: always an HttpError (400 or 503), or 404 for any other path. */
export function betaRoute(method: string, segments: string[], query: URLSearchParams): never {
  const path = segments.join('/');
  if (method !== 'GET' || (path !== 'search/jobs' && path !== 'search/datasets'))
    throw new HttpError(404, `no route ${method} /api/v2beta/${path.slice(0, 200)}`);
  if ((query.get('q') ?? '').trim() === '') throw new HttpError(400, 'q: required, a search text');
  throw new HttpError(
    503,
    `/api/v2beta/${path} searches Marquez's OpenSearch index, which the embedded catalog does not keep; use /api/v1/search?q=…`,
  );
}
