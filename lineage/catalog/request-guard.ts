import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './http-body.ts';

/** Where the catalog listens, and which other host names it answers to. */
export interface GuardOptions {
  /** The address it is bound to. @default '127.0.0.1' */
  readonly host?: string;
  /** Host names (without port) it also answers to, e.g. the name of a proxy in front of it. */
  readonly allowedHosts?: readonly string[];
  /** Web origins (`http://host:port`) whose pages may write, e.g. Marquez's web UI served through its own proxy. */
  readonly allowedOrigins?: readonly string[];
}

/** True for addresses and names only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** True for a wildcard bind: every interface. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function hostname(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return hostHeader.replace(/:\d+$/, '').toLowerCase();
}

/** Whether a request's Host names this catalog: a rebound DNS name pointing at it does not. */
function hostAllowed(header: string | undefined, options: GuardOptions): boolean {
  if (header === undefined) return true;
  const name = hostname(header);
  if (options.allowedHosts?.some((h) => h.toLowerCase() === name)) return true;
  const bound = (options.host ?? '127.0.0.1').replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopback(bound)) return isLoopback(name);
  if (isWildcard(bound)) return options.allowedHosts === undefined || options.allowedHosts.length === 0 || isLoopback(name);
  return name === bound || (isIP(name) === 0 && name === bound);
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * Refuses what a web page could make a browser send, and what reached the catalog under another name: a write with
 * an Origin other than the catalog's own (no preflight is needed for a text/plain POST), a body that is not JSON,
 * and any request whose Host is not an address of the catalog (DNS rebinding turns an attacker's name into 127.0.0.1).
 */
export function guardRequest(req: IncomingMessage, options: GuardOptions): void {
  const host = req.headers.host;
  if (!hostAllowed(host, options)) {
    throw new HttpError(
      403,
      `Host ${JSON.stringify(String(host).slice(0, 100))} is not an address of this catalog; name it with --allowed-host when a proxy or DNS name is meant to reach it`,
    );
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let same = false;
    try {
      const from = new URL(origin);
      same =
        (host !== undefined && from.host.toLowerCase() === host.toLowerCase()) ||
        (options.allowedOrigins ?? []).some((allowed) => new URL(allowed).origin === from.origin);
    } catch {
      same = false;
    }
    if (!same)
      throw new HttpError(
        403,
        `writes from web pages of other sites are refused (Origin ${JSON.stringify(origin.slice(0, 100))}); name a page's origin with --allow-origin to let it write`,
      );
  }
  const type = req.headers['content-type'];
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && type !== undefined && !JSON_TYPE.test(type)) {
    throw new HttpError(415, `Content-Type ${JSON.stringify(type.slice(0, 100))} is not accepted; send the body as application/json`);
  }
}
