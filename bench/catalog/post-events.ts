// Posts serialised OpenLineage events to POST /api/v1/lineage, one at a time per stream, over keep-alive connections,
// as an emitter does. With several streams, a run's events stay in one stream, in order.
import { Agent, request } from 'node:http';

/** What posting took; every non-2xx answer is a failure and stops the stream that got it. */
export type PostResult = { readonly ms: number; readonly posted: number; readonly failures: string[] };

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function runIdOf(body: string): string {
  const at = body.indexOf('"runId":"');
  return at < 0 ? '' : body.slice(at + 9, at + 45);
}

/** Posts `bodies` to `<baseUrl>/api/v1/lineage` over `streams` connections; a run's events go through one stream in order. */
export async function postEvents(baseUrl: string, bodies: readonly string[], streams = 1): Promise<PostResult> {
  const url = new URL('/api/v1/lineage', baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: streams });
  const queues: string[][] = Array.from({ length: streams }, () => []);
  const streamOfRun = new Map<string, number>();
  for (const body of bodies) {
    const runId = runIdOf(body);
    let stream = streamOfRun.get(runId);
    if (stream === undefined) {
      stream = streamOfRun.size % streams;
      streamOfRun.set(runId, stream);
    }
    queues[stream]!.push(body);
  }
  const failures: string[] = [];
  let posted = 0;
  const started = performance.now();
  await Promise.all(
    queues.map(async (queue) => {
      for (const body of queue) {
        const status = await post(agent, url, body);
        if (status < 200 || status > 299) {
          failures.push(`HTTP ${status} for the event of run ${runIdOf(body)}`);
          return;
        }
        posted += 1;
      }
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  return { ms, posted, failures };
}
