// Runs a real Marquez (Java) on a private PostgreSQL cluster, both on 127.0.0.1, for tests. See README.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MarquezUnavailableError, prepareMarquez, tail } from './prepare-marquez.ts';
import { ensureJava, findPostgres } from './system-deps.ts';
import type { Postgres } from './system-deps.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export { ensureJava } from './system-deps.ts';
export {
  MARQUEZ_JARS_ENV,
  MARQUEZ_VERSIONS,
  MarquezUnavailableError,
  prepareMarquez,
  type MarquezComponent,
  type Prepared,
} from './prepare-marquez.ts';

/** A running Marquez; `stop()` ends Marquez and PostgreSQL by PID and removes the temp cluster. */
export interface MarquezHandle {
  readonly url: string;
  readonly adminUrl: string;
  readonly version: string;
  /** Marquez's console log (kept until stop). */
  readonly logFile: string;
  /** What stop() ends: the Marquez JVM, the postmaster, and the temp directory of the cluster. */
  readonly pids: { readonly marquez: number; readonly postgres: number };
  readonly dir: string;
  /** Runs SQL in Marquez's database as its superuser (e.g. refreshing the view the stats read); returns psql's output. */
  sql(statement: string): string;
  stop(): Promise<void>;
}

export interface StartMarquezOptions {
  /** Where downloaded/built jars live. @default <repo>/.cache/marquez */
  readonly cacheDir?: string;
  /** How long to wait for /healthcheck. @default 180000 */
  readonly timeoutMs?: number;
  /** Progress lines. @default writes `[marquez] …` to stderr */
  readonly log?: (line: string) => void;
  /**
   * `'fast-start'` (tests): 512 MiB heap and the client JIT only, healthy in ~3 s. `'throughput'` (benchmarks): 2 GiB
   * heap and the JVM's full tiered JIT, as Marquez runs in production. @default 'fast-start'
   */
  readonly jvm?: 'fast-start' | 'throughput';
}

/** True when a Marquez that cannot start must fail the caller (CI), false when it was explicitly skipped. */
export function marquezRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.SLUICE_SKIP_MARQUEZ === '1' && env.CI !== 'true');
}

const defaultLog = (line: string): void => {
  process.stderr.write(`[marquez] ${line}\n`);
};

/** Starts PostgreSQL and Marquez; resolves when Marquez's health check answers 200. */
export async function startMarquez(options: StartMarquezOptions = {}): Promise<MarquezHandle> {
  const log = options.log ?? defaultLog;
  const cacheDir = options.cacheDir ?? join(repoRoot, '.cache', 'marquez');
  const timeoutMs = options.timeoutMs ?? 180_000;
  const t0 = Date.now();
  const java = ensureJava(log);
  const { classpath, version } = await prepareMarquez({ cacheDir, log });
  const pg = findPostgres(log);
  const run = new RunState(log);
  try {
    run.watch();
    await startPostgres(run, pg, log);
    const [port, adminPort] = [await freePort(), await freePort()];
    const config = join(run.dir, 'marquez.yml');
    writeFileSync(config, marquezConfig(port, adminPort, run.pgPort));
    const logFile = join(run.dir, 'marquez.log');
    const out = openSync(logFile, 'a');
    log(`starting Marquez ${version} on 127.0.0.1:${port} (admin ${adminPort})`);
    const jvm = options.jvm === 'throughput' ? ['-Xmx2g'] : ['-Xmx512m', '-XX:TieredStopAtLevel=1'];
    const child = spawn(java, [...jvm, '-Duser.timezone=UTC', '-cp', classpath, 'marquez.MarquezApp', 'server', config], {
      cwd: run.dir,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    run.java = child;
    run.track(child.pid);
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    await waitHealthy(adminUrl, child, logFile, timeoutMs, log);
    log(`Marquez ready at http://127.0.0.1:${port} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const pids = { marquez: child.pid ?? 0, postgres: run.pgPid };
    const sql = (statement: string) => run.sql(statement);
    return { url: `http://127.0.0.1:${port}`, adminUrl, version, logFile, pids, dir: run.dir, sql, stop: () => run.stop() };
  } catch (error) {
    await run.stop();
    throw error;
  }
}

/** Everything one start created, so that stop() and the exit handlers can undo exactly that. */
class RunState {
  readonly dir: string;
  pgPort = 0;
  pgPid = 0;
  pgData = '';
  pgBin = '';
  java: ChildProcess | undefined;
  private asPostgres: string[] = [];
  private stopped = false;
  private watchdog: ChildProcess | undefined;
  private readonly onExit = (): void => this.killNow();
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.killNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  private readonly log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.log = log;
    this.dir = mkdtempSync(join(tmpdir(), 'sluice-marquez-'));
    process.on('exit', this.onExit);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  runAsPostgres(): void {
    this.asPostgres = ['runuser', '-u', 'postgres', '--'];
  }

  /**
   * A detached shell that kills our PIDs (listed in `<dir>/.pids` as they start) and removes the directory if this
   * Node process dies without running its exit handlers (SIGKILL). Started before PostgreSQL, so no window is left.
   */
  watch(): void {
    const pids = join(this.dir, '.pids');
    writeFileSync(pids, '');
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 $(cat '${pids}') 2>/dev/null; sleep 2; rm -rf '${this.dir}'`;
    this.watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    this.watchdog.unref();
  }

  /** Records a PID for the watchdog. */
  track(pid: number | undefined): void {
    if (pid) appendFileSync(join(this.dir, '.pids'), `${pid}\n`);
  }

  /**
   * Kills our PIDs at once. On process exit the watchdog is left to remove the directory once PostgreSQL is
   * gone (removing it while the postmaster still writes races); after a graceful stop we remove it here.
   */
  private killNow(exiting = true): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const [pid, sig] of [
      [this.java?.pid, 'SIGKILL'],
      [this.pgPid, 'SIGQUIT'],
    ] as const) {
      if (pid) {
        try {
          process.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    }
    if (exiting && this.watchdog) return;
    if (this.watchdog?.pid) {
      try {
        process.kill(this.watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    const java = this.java;
    if (java?.pid && java.exitCode === null && java.signalCode === null) {
      const exited = new Promise<void>((done) => java.once('exit', () => done()));
      java.kill('SIGTERM');
      const timer = setTimeout(() => java.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.pgPid) {
      const r = this.pgTool('pg_ctl', ['stop', '-D', this.pgData, '-m', 'fast', '-w', '-t', '20']);
      if (r.status !== 0) this.log(`pg_ctl stop failed (${r.stderr.trim()}); killing PID ${this.pgPid}`);
      // pg_ctl returns when postmaster.pid is gone, a moment before the process itself.
      if (!(await gone(this.pgPid, 5_000))) this.log(`PostgreSQL PID ${this.pgPid} still running after pg_ctl stop; killing it`);
    }
    this.killNow(false);
  }

  /** Runs one SQL statement in the marquez database; throws with psql's message when it fails. */
  sql(statement: string): string {
    const args = ['-h', join(this.dir, 'sock'), '-p', String(this.pgPort), '-U', 'postgres', '-d', 'marquez'];
    const r = this.pgTool('psql', [...args, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', statement]);
    if (r.status !== 0) throw new Error(`psql ${statement.slice(0, 80)}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Runs a PostgreSQL tool, as user postgres when we are root (initdb refuses root). */
  pgTool(tool: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
    const cmd = [...this.asPostgres, join(this.pgBin, tool), ...args];
    return spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  }
}

async function startPostgres(run: RunState, pg: Postgres, log: (line: string) => void): Promise<void> {
  if (process.getuid?.() === 0) run.runAsPostgres();
  run.pgBin = pg.bin;
  run.pgData = join(run.dir, 'pgdata');
  const sock = join(run.dir, 'sock');
  mkdirSync(sock);
  if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'postgres:postgres', run.dir]);
  const exec = (tool: string, args: string[]) => run.pgTool(tool, args);
  const t = Date.now();
  const init = exec('initdb', ['-D', run.pgData, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync', '--locale=C']);
  if (init.status !== 0) throw new MarquezUnavailableError('postgresql', `initdb failed:\n${tail(`${init.stdout}${init.stderr}`, 10)}`);
  run.pgPort = await freePort();
  const opts = `-h 127.0.0.1 -p ${run.pgPort} -k ${sock} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = exec('pg_ctl', ['start', '-D', run.pgData, '-w', '-t', '60', '-l', join(run.dir, 'postgres.log'), '-o', opts]);
  const pidFile = join(run.pgData, 'postmaster.pid');
  if (existsSync(pidFile)) run.pgPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  run.track(run.pgPid);
  if (start.status !== 0) {
    const pglog = existsSync(join(run.dir, 'postgres.log')) ? readFileSync(join(run.dir, 'postgres.log'), 'utf8') : '';
    throw new MarquezUnavailableError('postgresql', `pg_ctl start failed:\n${tail(`${start.stderr}${pglog}`, 10)}`);
  }
  const sql = exec('psql', [
    '-h',
    sock,
    '-p',
    String(run.pgPort),
    '-U',
    'postgres',
    '-v',
    'ON_ERROR_STOP=1',
    '-q',
    '-c',
    "CREATE USER marquez PASSWORD 'marquez'",
    '-c',
    'CREATE DATABASE marquez OWNER marquez',
  ]);
  if (sql.status !== 0) throw new MarquezUnavailableError('postgresql', `creating the marquez database failed: ${sql.stderr}`);
  log(`PostgreSQL ${pg.version} on 127.0.0.1:${run.pgPort} (PID ${run.pgPid}) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

function marquezConfig(port: number, adminPort: number, pgPort: number): string {
  return `server:
  applicationConnectors:
    - type: http
      bindHost: 127.0.0.1
      port: ${port}
      httpCompliance: RFC7230_LEGACY
  adminConnectors:
    - type: http
      bindHost: 127.0.0.1
      port: ${adminPort}
  requestLog:
    appenders: []
db:
  driverClass: org.postgresql.Driver
  url: jdbc:postgresql://127.0.0.1:${pgPort}/marquez
  user: marquez
  password: marquez
migrateOnStartup: true
graphql:
  enabled: false
search:
  enabled: false
logging:
  level: INFO
  loggers:
    marquez: INFO
    org.flywaydb: WARN
  appenders:
    - type: console
`;
}

async function waitHealthy(
  adminUrl: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const t0 = Date.now();
  let next = 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new MarquezUnavailableError(
        'marquez',
        `Marquez exited (${child.exitCode ?? child.signalCode}) before it was healthy; last lines of ${logFile}:\n${tail(readFileSync(logFile, 'utf8'), 25)}`,
      );
    }
    try {
      const r = await fetch(`${adminUrl}/healthcheck`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    const waited = Date.now() - t0;
    if (waited > timeoutMs) {
      throw new MarquezUnavailableError(
        'marquez',
        `no healthy answer from ${adminUrl}/healthcheck after ${timeoutMs / 1000} s; last lines of ${logFile}:\n${tail(readFileSync(logFile, 'utf8'), 25)}`,
      );
    }
    if (waited > next) {
      log(`waiting for Marquez health check (${Math.round(waited / 1000)} s; migrations run on first start)`);
      next += 10_000;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Waits until a process is gone (or a zombie); false if it is still running after `ms`. */
async function gone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    let state = '';
    try {
      process.kill(pid, 0);
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '';
    } catch {
      return true;
    }
    if (state === 'Z') return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}
