// Command-line wrapper of the Marquez harness: prepare | start | run -- <cmd>. See README.md.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { MarquezUnavailableError, prepareMarquez, startMarquez } from './harness.ts';

const usage = `usage: node test/integration/marquez/cli.ts prepare | start [--throughput] | run -- <cmd> [args...]
  prepare  fetch the Marquez jars from Maven Central (cached in .cache/marquez); start nothing
  start    start PostgreSQL + Marquez on 127.0.0.1, print MARQUEZ_URL=..., run until Ctrl-C
           (--throughput: 2 GiB heap and the full JIT, for benchmarks)
  run      start, run <cmd> with MARQUEZ_URL and MARQUEZ_ADMIN_URL set, stop; exits with <cmd>'s code`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'prepare') {
    const t = Date.now();
    const log = (line: string) => process.stderr.write(`[marquez] ${line}\n`);
    const p = await prepareMarquez({ cacheDir: resolve(import.meta.dirname, '../../../.cache/marquez'), log });
    log(`Marquez ${p.version} jars ready in ${((Date.now() - t) / 1000).toFixed(1)} s (${p.classpath.split(':').length} jars)`);
    return 0;
  }
  if (command === 'start') {
    const m = await startMarquez({ jvm: rest.includes('--throughput') ? 'throughput' : 'fast-start' });
    process.stdout.write(`MARQUEZ_VERSION=${m.version}\nMARQUEZ_URL=${m.url}\nMARQUEZ_ADMIN_URL=${m.adminUrl}\n`);
    process.stderr.write('[marquez] running; Ctrl-C stops it\n');
    await new Promise<void>((done) => {
      const stop = () => void m.stop().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  }
  if (command === 'run') {
    const cmd = rest[0] === '--' ? rest.slice(1) : rest;
    if (cmd.length === 0) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    const m = await startMarquez();
    try {
      return await new Promise<number>((done) => {
        const child = spawn(cmd[0]!, cmd.slice(1), {
          stdio: 'inherit',
          env: {
            ...process.env,
            MARQUEZ_URL: m.url,
            MARQUEZ_ADMIN_URL: m.adminUrl,
            PATH: `${join(import.meta.dirname, '../../../node_modules/.bin')}:${process.env.PATH}`,
          },
        });
        child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
        child.on('error', (e) => {
          process.stderr.write(`cannot run ${cmd[0]}: ${e.message}\n`);
          done(127);
        });
      });
    } finally {
      await m.stop();
    }
  }
  process.stderr.write(`${usage}\n`);
  return command === '--help' || command === '-h' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `[marquez] ${error instanceof MarquezUnavailableError ? 'unavailable: ' : ''}${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
