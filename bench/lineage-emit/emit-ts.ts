// Times the Sluice client: build, validate, serialise and POST `count` step events, one after another.
// Usage: node emit-ts.ts <sink-url> <count> <warmup>; prints {"perEventUs", "cpuUs", "bytes"} on stdout.
import { OpenLineageClient, uuidv7 } from '../../lineage/index.ts';
import { stepEvent } from './step-event.ts';

const [url, count, warmup] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const client = new OpenLineageClient({ env: {}, config: { transport: { type: 'http', url } } });
const parent = uuidv7();
for (let i = 0; i < warmup; i += 1) await client.emit(stepEvent(parent));
const bytes = JSON.stringify(stepEvent(parent)).length;
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
for (let i = 0; i < count; i += 1) await client.emit(stepEvent(parent));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const used = process.cpuUsage(cpu);
await client.close();
process.stdout.write(
  `${JSON.stringify({ perEventUs: (seconds / count) * 1e6, cpuUs: (used.user + used.system) / count, bytes, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
