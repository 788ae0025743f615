import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

/** An HTTP error with the status and message the client gets (always 4xx for bad input). */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Reads a request body up to `limit` bytes (after gunzip too, so a small bomb cannot expand past it); 413 beyond. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, `request body of ${declared} bytes is larger than the limit of ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body is larger than the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') throw new HttpError(415, `Content-Encoding ${JSON.stringify(encoding)} is not supported; send gzip or none`);
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limit }, (error, out) => {
      if (!error) resolve(out);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        reject(new HttpError(413, `decompressed body is larger than the limit of ${limit} bytes`));
      else reject(new HttpError(400, `cannot decompress the gzip body: ${error.message}`));
    });
  });
}

/** Nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Fails a JSON text nested deeper than the limit, in one pass over its bytes before it is parsed: the parser itself
 * copes, but every later walk of the value would recurse that deep.
 */
export function checkJsonDepth(body: Buffer, limit: number = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) throw new HttpError(400, `the JSON body is nested more than ${limit} levels deep`);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
}

/** Parses JSON; 400 with the parser's message when it is not JSON, or when it is nested too deep. */
export function parseJson(body: Buffer): unknown {
  checkJsonDepth(body);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `unparsable JSON: ${(error as Error).message}`);
  }
}

/** A non-negative integer query parameter (`limit`, `offset`, `depth`), its default when absent; 400 when malformed. */
export function intParam(params: URLSearchParams, name: string, fallback: number, max = 1_000_000): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) > max)
    throw new HttpError(400, `${name}: expected an integer from 0 to ${max}, got ${JSON.stringify(raw.slice(0, 40))}`);
  return Number(raw);
}
