// A pass-through HTTP proxy on 127.0.0.1 that records what the client sent and what Marquez answered.
import { createServer, type IncomingMessage } from 'node:http';

/** One request that went through the proxy. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly status: number;
  readonly answer: string;
}

/** A running proxy; `exchanges` grows as requests pass. */
export interface RecordingProxy {
  readonly url: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/** Starts a proxy that forwards every request to `target` (e.g. Marquez's API) unchanged. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection') headers[k] = v;
      let status = 502;
      let answer = '';
      try {
        const r = await fetch(`${target}${req.url ?? '/'}`, {
          method: req.method,
          headers,
          body: body.length ? body : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        status = r.status;
        answer = await r.text();
      } catch (error) {
        answer = `proxy: ${error instanceof Error ? error.message : String(error)}`;
      }
      const text = headers['content-encoding'] === 'gzip' ? '(gzip)' : body.toString('utf8');
      exchanges.push({ method: req.method ?? 'GET', path: req.url ?? '/', body: text, status, answer });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(answer);
    })();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
