// The baseline of the data-test step: the same 12 rules as one hand-written DuckDB query over the staged Parquet, on an
// opened DuckDB (as the step finds it warm after ingest). Prints JSON: its time, and each rule's verdict in the order of
// bench/data-tests/pipeline.ts.
import { openDuckDb } from '../../lib/runtime/duckdb.ts';

const [file] = process.argv.slice(2) as [string];
const db = await openDuckDb();
const started = performance.now();
const cpu = process.cpuUsage();
const [row = {}] = await db.all(`SELECT
    count(*) FILTER (WHERE customer_id IS NULL) AS not_null,
    count(customer_id) - count(DISTINCT customer_id) AS duplicates,
    count(*) FILTER (WHERE plan NOT IN ('basic', 'standard', 'premium')) AS other_plans,
    count(*) FILTER (WHERE monthly_charges < 0 OR monthly_charges > 1000) AS charges_out,
    count(*) FILTER (WHERE tenure_months < 0 OR tenure_months > 600) AS tenure_out,
    count(*) FILTER (WHERE NOT regexp_full_match(customer_id, 'C[0-9]{7}')) AS bad_ids,
    count(*) FILTER (WHERE length(customer_id) <> 8) AS bad_lengths,
    count(*) AS row_count,
    count(*) FILTER (WHERE last_login IS NULL) / count(*) AS null_fraction,
    avg(monthly_charges) AS mean_charges,
    stddev_samp(tenure_months) AS sd_tenure,
    sum(support_tickets) AS tickets
    FROM read_parquet('${file.replace(/'/g, "''")}')`);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
await db.close();
const n = (key: string) => Number(row[key]);
const passed = [
  n('not_null') === 0,
  n('duplicates') === 0,
  n('other_plans') === 0,
  n('charges_out') === 0,
  n('tenure_out') === 0,
  n('bad_ids') === 0,
  n('bad_lengths') === 0,
  n('row_count') >= 1000,
  n('null_fraction') <= 0.01,
  n('mean_charges') >= 20 && n('mean_charges') <= 120,
  n('sd_tenure') >= 0 && n('sd_tenure') <= 50,
  n('tickets') >= 0,
];
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, passed, row, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
