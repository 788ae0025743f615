// The harness itself: loopback only, and nothing left behind after stop().
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMarquez, type MarquezHandle } from './harness.ts';

/** Local addresses (hex, as in /proc/net/tcp) of the sockets listening on a port. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((f) => existsSync(f))
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1))
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A')
    .map((cols) => cols[1]!.split(':')[0]!);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

const LOOPBACK = new Set(['0100007F', '0000000000000000FFFF00000100007F']);

describe('the Marquez harness', () => {
  let marquez: MarquezHandle;
  beforeAll(async () => {
    marquez = await startMarquez();
  });
  afterAll(async () => {
    await marquez?.stop();
  });

  it('serves the API and the health check on 127.0.0.1 only', async () => {
    expect((await fetch(`${marquez.adminUrl}/healthcheck`)).status).toBe(200);
    expect((await fetch(`${marquez.url}/api/v1/namespaces`)).status).toBe(200);
    for (const url of [marquez.url, marquez.adminUrl]) {
      const bound = listeners(Number(new URL(url).port));
      expect([url, bound.length > 0 && bound.every((a) => LOOPBACK.has(a))]).toEqual([url, true]);
    }
  });

  it('ends Marquez and PostgreSQL by PID and removes its temp cluster on stop()', async () => {
    const { pids, dir } = marquez;
    expect([alive(pids.marquez), alive(pids.postgres), existsSync(dir)]).toEqual([true, true, true]);
    await marquez.stop();
    expect([alive(pids.marquez), alive(pids.postgres), existsSync(dir)]).toEqual([false, false, false]);
  });
});
