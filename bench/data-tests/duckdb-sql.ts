// The baseline for the data-test step: the same 12 rules as one hand-written DuckDB query over the staged Parquet.
import { openDuckDb } from '../../lib/runtime/duckdb.ts';

const [file] = process.argv.slice(2) as [string];
const db = await openDuckDb();
const runs: number[] = [];
let row: Record<string, unknown> = {};
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  [row = {}] = await db.all(`SELECT
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
  runs.push(performance.now() - started);
}
db.close();
process.stdout.write(`${JSON.stringify({ bestMs: Math.min(...runs), runs, row, maxRssKb: process.resourceUsage().maxRSS })}\n`);
