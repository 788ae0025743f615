import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CatalogStore } from './catalog-store.ts';
import { betaRoute } from './beta-routes.ts';
import { DELETE_ROUTES } from './delete-routes.ts';
import type { DeleteHandler } from './delete-routes.ts';
import { HttpError, parseJson, readBody } from './http-body.ts';
import { ingestEvent } from './ingest.ts';
import { guardRequest } from './request-guard.ts';
import { LAYOUT_WORKER_PATH, layoutWorker, lineagePage } from './page/lineage-page.ts';
import { READ_ROUTES } from './read-routes.ts';
import type { ReadAnswer } from './read-routes.ts';
import { STATS_ROUTES } from './stats-routes.ts';
import { TAG_ROUTES } from './tag-routes.ts';
import type { TagHandler } from './tag-routes.ts';
import type { ApiError } from '../marquez/api.ts';

/** Options of the catalog server. */
export type CatalogServerOptions = {
  /** SQLite file; `:memory:` keeps nothing. @default ':memory:' */
  readonly db?: string;
  /** An existing store to serve instead of opening `db`. */
  readonly store?: CatalogStore;
  /** @default 5000 (0 picks a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** When set, writes need `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Reads need the key too. @default false */
  readonly protectReads?: boolean;
  /** Largest request body, compressed or not, in bytes. @default 8 MiB */
  readonly maxBodyBytes?: number;
  /** Host names besides the bound address that requests may name (a proxy's, a DNS name); others get 403. */
  readonly allowedHosts?: readonly string[];
  /** Web origins whose pages may write (Marquez's web UI through its proxy); other cross-origin writes get 403. */
  readonly allowedOrigins?: readonly string[];
};

/** A running catalog: its base URL, store and how to stop it. */
export type CatalogServer = { readonly url: string; readonly store: CatalogStore; readonly server: Server; close(): Promise<void> };

const PREFIX = '/api/v1/';
const BETA_PREFIX = '/api/v2beta/';
const GET_ROUTES = [...READ_ROUTES, ...STATS_ROUTES];

/** An answer's body: a Marquez JSON shape, an error, or the page's HTML. */
type Body = ReadAnswer | ReturnType<TagHandler> | ReturnType<DeleteHandler> | ApiError | string;

// An empty body goes without a content type, as Marquez answers an empty 200 (run facets of a run that has none).
function send(res: ServerResponse, status: number, body?: Body, type = 'application/json', headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...(text === '' && status === 200 ? {} : { 'content-type': type }),
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function decodeSegments(path: string): string[] {
  return path
    .replace(/\/$/, '')
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new HttpError(400, `malformed percent-encoding in path segment ${JSON.stringify(s.slice(0, 80))}`);
      }
    });
}

function match(pattern: string, segments: string[]): string[] | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: string[] = [];
  for (let i = 0; i < parts.length; i += 1) {
    if (parts[i] === '*') params.push(segments[i]!);
    else if (parts[i] !== segments[i]) return undefined;
  }
  return params;
}

function authorized(req: IncomingMessage, key: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(key);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Handles one request: Marquez's `/api/v1` routes and the lineage page at `/`. */
export async function handleRequest(
  store: CatalogStore,
  options: CatalogServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  guardRequest(req, options);
  const url = new URL(req.url ?? '/', 'http://catalog.invalid');
  const method = req.method ?? 'GET';
  const write = method !== 'GET' && method !== 'HEAD';
  // The page at `/` and its layout worker hold no data, so they are served without the key; with --protect-reads the
  // page asks for the key itself.
  const page = url.pathname === '/' && method === 'GET';
  const worker = url.pathname === LAYOUT_WORKER_PATH && method === 'GET';
  if (options.apiKey && (write || options.protectReads) && !page && !worker && !authorized(req, options.apiKey)) {
    res.setHeader('www-authenticate', 'Bearer');
    throw new HttpError(401, 'missing or wrong API key: send Authorization: Bearer <key>');
  }
  if (page) {
    const { html, csp } = await lineagePage();
    return send(res, 200, html, 'text/html; charset=utf-8', { 'content-security-policy': csp, 'referrer-policy': 'no-referrer' });
  }
  if (worker) {
    const { script, hash } = await layoutWorker();
    // The page names the worker by its content hash, so that URL's answer never changes.
    const cache = url.searchParams.get('v') === hash ? 'public, max-age=31536000, immutable' : 'no-cache';
    return send(res, 200, script, 'text/javascript; charset=utf-8', { 'cache-control': cache });
  }
  if (url.pathname.startsWith(BETA_PREFIX)) betaRoute(method, decodeSegments(url.pathname.slice(BETA_PREFIX.length)), url.searchParams);
  if (!url.pathname.startsWith(PREFIX)) throw new HttpError(404, `no route ${method} ${url.pathname.slice(0, 200)}`);
  const segments = decodeSegments(url.pathname.slice(PREFIX.length));
  if (segments.join('/') === 'lineage' && method === 'POST') {
    const result = ingestEvent(store, parseJson(await readBody(req, options.maxBodyBytes ?? 8 * 1024 * 1024)));
    if (result.status === 201) return send(res, 201);
    return send(res, result.status, { code: result.status, message: result.message, errors: result.errors });
  }
  for (const [pattern, methods, handler] of TAG_ROUTES) {
    const params = match(pattern, segments);
    if (params && methods.includes(method)) {
      const body = method === 'PUT' ? await readBody(req, 64 * 1024) : Buffer.alloc(0);
      return send(
        res,
        200,
        store.transaction(() => handler(store, params, body.length > 0 ? parseJson(body) : {}, method)),
      );
    }
  }
  if (method === 'DELETE') {
    for (const [pattern, handler] of DELETE_ROUTES) {
      const params = match(pattern, segments);
      if (params)
        return send(
          res,
          200,
          store.transaction(() => handler(store, params)),
        );
    }
  }
  if (method === 'GET') {
    for (const [pattern, handler] of GET_ROUTES) {
      const params = match(pattern, segments);
      if (params) return send(res, 200, handler(store, params, url.searchParams));
    }
  }
  throw new HttpError(404, `no route ${method} ${url.pathname.slice(0, 200)}`);
}

/** Starts the catalog: Marquez's HTTP API and the lineage page, on 127.0.0.1 unless told otherwise. */
export async function startCatalogServer(options: CatalogServerOptions = {}): Promise<CatalogServer> {
  const store = options.store ?? new CatalogStore(options.db ?? ':memory:');
  const server = createServer((req, res) => {
    handleRequest(store, options, req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      // Drain what the client is still sending so the answer reaches it.
      req.resume();
      if (error instanceof HttpError && error.status === 413) res.setHeader('connection', 'close');
      if (error instanceof HttpError) send(res, error.status, { code: error.status, message: error.message });
      else send(res, 500, { code: 500, message: `internal error: ${error instanceof Error ? error.message : String(error)}` });
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5000, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    store,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (!options.store) store.close();
    },
  };
}
