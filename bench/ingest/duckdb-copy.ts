// The baseline of the ingest step: the hand-written DuckDB statement an engineer would write for the same extract, its
// columns typed by read_csv, written as zstd Parquet. Timed from loading DuckDB to the file written. Prints JSON.
const [csv, out] = process.argv.slice(2) as [string, string];
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const started = performance.now();
const cpu = process.cpuUsage();
const { DuckDBInstance } = await import('@duckdb/node-api');
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(`SET TimeZone = 'UTC'`);
await connection.run(`COPY (SELECT * FROM read_csv(${quote(csv)}, header = true, columns = {customer_id: 'VARCHAR', signup_date: 'DATE',
  plan: 'VARCHAR', monthly_charges: 'DOUBLE', tenure_months: 'BIGINT', support_tickets: 'BIGINT', last_login: 'TIMESTAMP',
  auto_renew: 'BOOLEAN'})) TO ${quote(out)} (FORMAT parquet, COMPRESSION zstd)`);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
connection.closeSync();
instance.closeSync();
process.stdout.write(`${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, maxRssKb: process.resourceUsage().maxRSS })}\n`);
