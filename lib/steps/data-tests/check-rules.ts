import type { DataTestsStep } from '../../definition/step-kinds/index.ts';
import { DUCKDB_NUMERIC_TYPE, ident } from '../../runtime/duckdb.ts';
import { BATCH_COLUMN } from '../../runtime/table-read.ts';
import { emptyTable, firstLine, type CheckContext } from '../check-context.ts';
import { compileRule } from './rule-sql.ts';

/**
 * Runs every rule of the audited dataset as the step would, over an empty table of its columns (and empty tables of
 * the datasets referential rules name): a `sql` predicate or pattern DuckDB cannot bind, or a referential rule
 * comparing columns of different types, is reported at the rule's path, as definePipeline reports.
 */
export async function checkRules(step: DataTestsStep, _index: number, context: CheckContext): Promise<void> {
  const rules = context.spec.datasets[step.dataset]?.tests ?? [];
  if (rules.length === 0) return;
  const at = (...path: PropertyKey[]): PropertyKey[] => ['datasets', step.dataset, 'tests', ...path];
  const fields = context.columns(step.dataset);
  if (!fields) {
    context.notChecked(at(), `the rules are not bound before the run: ${context.unknownColumns(step.dataset)}`);
    return;
  }
  const db = await context.duckdb();
  await emptyTable(db, 'batch', fields);
  const references = new Set<string>();
  for (const [j, rule] of rules.entries()) {
    if (rule.rule !== 'referential') continue;
    const target = context.columns(rule.dataset);
    if (!target) {
      context.notChecked(at(j), `the referenced column is not checked: ${context.unknownColumns(rule.dataset)}`);
      continue;
    }
    if (!references.has(rule.dataset)) await emptyTable(db, `ref_${rule.dataset}`, target, BATCH_COLUMN);
    references.add(rule.dataset);
    const referenced = rule.referencedColumn ?? rule.column;
    const mine = fields.find((f) => f.name === rule.column)?.type;
    const theirs = target.find((f) => f.name === referenced)?.type;
    if (mine && theirs && mine !== theirs && !(DUCKDB_NUMERIC_TYPE.test(mine) && DUCKDB_NUMERIC_TYPE.test(theirs))) {
      context.problem(
        at(j, rule.referencedColumn ? 'referencedColumn' : 'column'),
        `"${rule.column}" is ${mine} but "${referenced}" of dataset ${JSON.stringify(rule.dataset)} is ${theirs}; a referential rule compares values of one type`,
      );
    }
  }
  for (const [j, rule] of rules.entries()) {
    if (rule.rule === 'referential' && !references.has(rule.dataset)) continue;
    const compiled = compileRule(rule, { referenceTime: new Date(), referenceView: (ref) => ident(`ref_${ref}`) });
    // Drift rules are computed from the published history, not from SQL of the user's.
    if (!compiled) continue;
    try {
      const aggregates = Object.entries(compiled.aggregates).map(([name, expr]) => `${expr} AS ${ident(name)}`);
      if (aggregates.length > 0) await db.all(`SELECT ${aggregates.join(', ')} FROM batch`);
      if (compiled.failing) {
        await db.all(
          `SELECT * FROM batch WHERE ${compiled.failing.where}${compiled.failing.qualify ? ` QUALIFY ${compiled.failing.qualify}` : ''} LIMIT 0`,
        );
      }
    } catch (error) {
      context.problem(rule.rule === 'sql' ? at(j, 'predicate') : rule.rule === 'pattern' ? at(j, 'regex') : at(j), firstLine(error));
    }
  }
}
