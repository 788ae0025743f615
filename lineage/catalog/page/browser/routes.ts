// Every view of the page has a URL hash, so any view can be bookmarked, shared and reopened as it was.

/** How far the graph reaches from its node and in which direction (the catalog's `/lineage` parameters). */
export type GraphScope = { depth: number; direction: 'both' | 'upstream' | 'downstream' };

/** A view of the page, as its hash names it. */
export type Route =
  | { view: 'home' }
  | { view: 'search'; q: string }
  | ({ view: 'job'; namespace: string; name: string } & GraphScope)
  | ({ view: 'dataset'; namespace: string; name: string; version?: string } & GraphScope)
  | { view: 'field'; namespace: string; name: string; field: string }
  | ({ view: 'run'; id: string } & GraphScope)
  | { view: 'trace'; id: string }
  | { view: 'unknown'; hash: string };

/** The depths the page offers; the catalog allows up to 100. */
export const DEPTHS = [1, 2, 3, 5, 10, 20] as const;

/** The graph scope a view opens with when its hash does not say. */
export const DEFAULT_SCOPE: GraphScope = { depth: 2, direction: 'both' };

const enc = encodeURIComponent;

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function scopeOf(query: URLSearchParams): GraphScope {
  const depth = Number(query.get('depth'));
  const direction = query.get('direction');
  return {
    depth: Number.isInteger(depth) && depth >= 1 && depth <= 100 ? depth : DEFAULT_SCOPE.depth,
    direction: direction === 'upstream' || direction === 'downstream' ? direction : DEFAULT_SCOPE.direction,
  };
}

function scopeQuery(scope: GraphScope): string {
  const q = new URLSearchParams();
  if (scope.depth !== DEFAULT_SCOPE.depth) q.set('depth', String(scope.depth));
  if (scope.direction !== DEFAULT_SCOPE.direction) q.set('direction', scope.direction);
  const text = q.toString();
  return text ? `?${text}` : '';
}

// Marquez splits node ids at colons not followed by `//` or a digit, so `s3://b` and `host:5432` survive.
function fromNodeId(id: string): Route | undefined {
  const at = id.indexOf(':');
  const type = id.slice(0, at);
  const parts = id.slice(at + 1).split(/:(?!\/\/|\d)/);
  if ((type === 'job' || type === 'dataset') && parts.length >= 2 && parts[0] && parts.slice(1).join(':'))
    return { view: type, namespace: parts[0], name: parts.slice(1).join(':'), ...DEFAULT_SCOPE };
  if (type === 'datasetField' && parts.length >= 3 && parts[0] && parts[1])
    return { view: 'field', namespace: parts[0], name: parts[1], field: parts.slice(2).join(':') };
  return undefined;
}

/** The view a location hash names; a bare node id (`job:ns:name`, the page's earlier links) opens that node. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  if (raw === '' || raw === '/') return { view: 'home' };
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (!path.startsWith('/')) {
    const id = decode(path);
    return (id && fromNodeId(id)) || { view: 'unknown', hash };
  }
  const segments = path.slice(1).split('/').map(decode);
  if (segments.some((s) => s === undefined || s === '')) return { view: 'unknown', hash };
  const [kind, ...rest] = segments as string[];
  if (kind === 'search' && rest.length === 0) return { view: 'search', q: query.get('q') ?? '' };
  if (kind === 'job' && rest.length === 2) return { view: 'job', namespace: rest[0]!, name: rest[1]!, ...scopeOf(query) };
  if (kind === 'dataset' && rest.length === 2) return { view: 'dataset', namespace: rest[0]!, name: rest[1]!, ...scopeOf(query) };
  if (kind === 'dataset' && rest.length === 4 && rest[2] === 'version')
    return { view: 'dataset', namespace: rest[0]!, name: rest[1]!, version: rest[3]!, ...scopeOf(query) };
  if (kind === 'dataset' && rest.length === 4 && rest[2] === 'field')
    return { view: 'field', namespace: rest[0]!, name: rest[1]!, field: rest[3]! };
  if (kind === 'run' && rest.length === 1) return { view: 'run', id: rest[0]!, ...scopeOf(query) };
  if (kind === 'run' && rest.length === 2 && rest[1] === 'trace') return { view: 'trace', id: rest[0]! };
  return { view: 'unknown', hash };
}

/** The hash of a view (with `#`); the inverse of {@link parseRoute}. */
export function routeHash(route: Route): string {
  switch (route.view) {
    case 'home':
      return '#/';
    case 'search':
      return `#/search?${new URLSearchParams({ q: route.q }).toString()}`;
    case 'job':
      return `#/job/${enc(route.namespace)}/${enc(route.name)}${scopeQuery(route)}`;
    case 'dataset':
      return `#/dataset/${enc(route.namespace)}/${enc(route.name)}${route.version ? `/version/${enc(route.version)}` : ''}${scopeQuery(route)}`;
    case 'field':
      return `#/dataset/${enc(route.namespace)}/${enc(route.name)}/field/${enc(route.field)}`;
    case 'run':
      return `#/run/${enc(route.id)}${scopeQuery(route)}`;
    case 'trace':
      return `#/run/${enc(route.id)}/trace`;
    case 'unknown':
      return route.hash;
  }
}

/** The hash that opens a lineage node id (`job:…`, `dataset:…`, `datasetField:…`), keeping the graph scope. */
export function nodeHash(nodeId: string, scope: GraphScope = DEFAULT_SCOPE): string {
  const route = fromNodeId(nodeId);
  if (!route) return '#/';
  return routeHash(route.view === 'job' || route.view === 'dataset' ? { ...route, ...scope } : route);
}

/** Shorthands for links. */
export const jobHash = (namespace: string, name: string): string => routeHash({ view: 'job', namespace, name, ...DEFAULT_SCOPE });
/** The hash of a dataset (or one of its versions). */
export const datasetHash = (namespace: string, name: string, version?: string): string =>
  routeHash({ view: 'dataset', namespace, name, ...(version ? { version } : {}), ...DEFAULT_SCOPE });
/** The hash of a field's column lineage. */
export const fieldHash = (namespace: string, name: string, field: string): string => routeHash({ view: 'field', namespace, name, field });
/** The hash of a run. */
export const runHash = (id: string): string => routeHash({ view: 'run', id, ...DEFAULT_SCOPE });
