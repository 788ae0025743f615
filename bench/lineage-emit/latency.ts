// Times what lineage adds to a step: the emitter a step builds (lib/runtime's, with a directory outbox) sending START
// and COMPLETE, for `steps` consecutive steps in one process (as in a warm Lambda or a local run).
// Usage: node latency.ts <lineage-url> <steps> <outbox-dir>; prints {"firstMs", "restMeanMs", "restMaxMs", "delivered", "outboxed"}.
import { lineageEmitter } from '../../lib/runtime/lineage/emitter.ts';
import { runEvent, uuidv7 } from '../../lineage/index.ts';
import { stepEvent } from './step-event.ts';

const [url, steps, outbox] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]!];
const env = { OPENLINEAGE_URL: url, SLUICE_LINEAGE_OUTBOX: outbox };
const parent = uuidv7();
const times: number[] = [];
let delivered = 0;
let outboxed = 0;
for (let i = 0; i < steps; i += 1) {
  const start = process.hrtime.bigint();
  const emitter = lineageEmitter(env);
  const complete = stepEvent(parent);
  const startEvent = runEvent({
    eventType: 'START',
    run: { runId: complete.run.runId },
    job: { namespace: complete.job.namespace, name: complete.job.name },
  });
  await emitter.emit(startEvent);
  await emitter.emit(complete);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const stats = emitter.stats();
  delivered += stats.delivered;
  outboxed += stats.outboxed;
}
const rest = times.slice(1);
process.stdout.write(
  `${JSON.stringify({ firstMs: times[0], restMeanMs: rest.reduce((a, b) => a + b, 0) / rest.length, restMaxMs: Math.max(...rest), delivered, outboxed })}\n`,
);
