// A lineage sink for the benchmark: answers every POST with 201 (after --delay-ms, if given) and prints its URL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const delayIndex = process.argv.indexOf('--delay-ms');
const delayMs = delayIndex > 0 ? Number(process.argv[delayIndex + 1]) : 0;
let received = 0;

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received += 1;
    const answer = () => {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end('{}');
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`sink received ${received} events\n`);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
