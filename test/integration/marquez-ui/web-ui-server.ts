// Serves a production build of Marquez's web UI and proxies its API calls to a Marquez-compatible server (`sluice
// lineage serve`, or Marquez), as Marquez's own `web/setupProxy.js` does, with node:http alone. Run directly:
//   node test/integration/marquez-ui/web-ui-server.ts --dir <web build> --api http://127.0.0.1:5000 [--port 3000]
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

/** A running web UI server. */
export type WebUiServer = { readonly url: string; readonly server: Server; close(): Promise<void> };

/** Options: the build folder, the API's base URL, and where to listen (127.0.0.1, a free port by default). */
export type WebUiOptions = { readonly dir: string; readonly api: string; readonly port?: number; readonly host?: string };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// The UI's client-side routes (its React Router table): each is answered with index.html, as setupProxy.js does.
const CLIENT_ROUTES = [
  /^\/$/,
  /^\/jobs\/?$/,
  /^\/datasets\/?$/,
  /^\/events\/?$/,
  /^\/lineage\/[^/]+\/[^/]+\/[^/]+\/?$/,
  /^\/datasets\/column-level\/[^/]+\/[^/]+\/?$/,
];
const API = /^\/api\/(v1|v2beta)\//;

function proxy(api: URL, req: IncomingMessage, res: ServerResponse): void {
  const headers = { ...req.headers, host: api.host };
  const upstream = request(
    { protocol: api.protocol, hostname: api.hostname, port: api.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 502, message: `cannot reach the API at ${api.origin}: ${error.message}` }));
  });
  req.pipe(upstream);
}

async function file(root: string, path: string, res: ServerResponse): Promise<boolean> {
  const target = resolve(root, `.${decodeURIComponent(path)}`);
  // Never outside the build folder, whatever the path says.
  if (target !== root && !target.startsWith(root + sep)) return false;
  const info = await stat(target).catch(() => undefined);
  if (!info?.isFile()) return false;
  res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream', 'content-length': info.size });
  createReadStream(target).pipe(res);
  return true;
}

/** Starts the server; resolves once it listens. */
export async function startWebUi(options: WebUiOptions): Promise<WebUiServer> {
  const root = resolve(options.dir);
  const index = await stat(join(root, 'index.html')).catch(() => undefined);
  if (!index?.isFile()) throw new Error(`--dir ${options.dir}: expected a build of Marquez's web UI (a folder with index.html)`);
  const api = new URL(options.api);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://ui.invalid').pathname;
    if (API.test(path)) return proxy(api, req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return res.end();
    }
    if (path === '/healthcheck') return res.end('OK');
    const route = CLIENT_ROUTES.some((r) => r.test(path)) ? '/index.html' : path;
    file(root, route, res).then(
      (served) => {
        if (served) return;
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`not found: ${path.slice(0, 200)}`);
      },
      () => {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`bad path: ${path.slice(0, 200)}`);
      },
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.main) {
  const usage = `usage: node test/integration/marquez-ui/web-ui-server.ts --dir <web build> --api <url> [--port 3000] [--host 127.0.0.1]
  --dir   a production build of Marquez's web UI (index.html, bundle.js, …)
  --api   the Marquez-compatible API to proxy /api/v1 and /api/v2beta to, e.g. http://127.0.0.1:5000 (sluice lineage serve)
  --port  where the UI listens (default 3000); --host defaults to 127.0.0.1\n`;
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      api: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) process.stdout.write(usage);
  else if (!values.dir || !values.api) {
    process.stderr.write(`--dir and --api are required\n${usage}`);
    process.exitCode = 2;
  } else {
    const port = Number(values.port ?? 3000);
    startWebUi({ dir: values.dir, api: values.api, port, host: values.host }).then(
      (ui) => process.stdout.write(`Marquez web UI on ${ui.url}, API ${values.api}; Ctrl-C stops it\n`),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      },
    );
  }
}
