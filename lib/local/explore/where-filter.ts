import { SluiceError } from '../../../core/errors.ts';
import { literal, type DuckDb } from '../../runtime/duckdb.ts';

/** Parts of a parsed SELECT that must stay empty when only a WHERE clause was added. */
const EMPTY_PARTS = ['group_expressions', 'group_sets', 'having', 'qualify', 'sample', 'modifiers'] as const;

/**
 * Checks that `--where` text is one filter expression over the table and nothing else: DuckDB parses
 * `SELECT * FROM t WHERE (<expression>)`, which must stay exactly that one SELECT, with no subquery anywhere in the
 * expression. The text reaches the parser inside a string literal, never as a statement that runs; what is returned
 * is DuckDB's rendering of the parsed expression, so comments and anything after it are gone.
 */
export async function checkWhere(db: DuckDb, expression: string): Promise<string> {
  const text = expression.trim();
  if (text === '') throw invalid(expression, 'it is empty');
  // Outside quoted strings and names, a comment could only hide part of the statement the filter is put in.
  if (/--|\/\*/.test(text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, "''"))) throw invalid(expression, 'comments are not allowed');
  // The parser needs a constant: the text goes in as one quoted string literal (quotes doubled), never as SQL.
  const [row] = await db.all(`SELECT json_serialize_sql(${literal(`SELECT * FROM t WHERE (${text})`)}) AS tree`);
  const json = String(row?.tree);
  const tree = JSON.parse(json) as {
    error: boolean;
    error_message?: string;
    statements?: Array<{ node: Record<string, unknown> }>;
  };
  if (tree.error) throw invalid(expression, tree.error_message ?? 'DuckDB cannot parse it');
  const node = tree.statements?.length === 1 ? tree.statements[0]!.node : undefined;
  const from = node?.from_table as { type?: string; table_name?: string } | undefined;
  const select = node?.select_list as Array<{ class?: string }> | undefined;
  const cte = (node?.cte_map as { map?: unknown[] } | undefined)?.map ?? [];
  const unexpected = node === undefined || node.type !== 'SELECT_NODE' || from?.type !== 'BASE_TABLE' || from.table_name !== 't';
  const extra = EMPTY_PARTS.some(
    (k) => node !== undefined && node[k] !== null && !(Array.isArray(node[k]) && (node[k] as unknown[]).length === 0),
  );
  if (unexpected || extra || cte.length > 0 || select?.length !== 1 || select[0]?.class !== 'STAR') {
    throw invalid(expression, 'it is more than one filter expression (it must not close the parenthesis it is put in)');
  }
  if (JSON.stringify(node.where_clause).includes('"class":"SUBQUERY"')) throw invalid(expression, 'subqueries are not allowed');
  // What runs is DuckDB's own rendering of the parsed filter: no comment or trailing text of the input survives.
  const [rendered] = await db.all(`SELECT json_deserialize_sql(${literal(json)}) AS sql`);
  const prefix = 'SELECT * FROM t WHERE ';
  const sql = String(rendered?.sql);
  if (!sql.startsWith(prefix)) throw invalid(expression, 'DuckDB renders it as more than a filter');
  return sql.slice(prefix.length);
}

function invalid(expression: string, why: string): SluiceError {
  return new SluiceError(
    'EXPLORE_WHERE_INVALID',
    `--where: ${JSON.stringify(expression)} is not a filter expression: ${why}; write a condition on the columns, e.g. --where "score > 0.8 AND plan = 'basic'"`,
  );
}
