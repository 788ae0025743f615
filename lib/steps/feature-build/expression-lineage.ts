import type { DirectSubtype } from '../../../core/column-transformations.ts';
import {
  addAll,
  addInfluence,
  emptyDerivation,
  LineageUnsupported,
  mergeDerivation,
  type ColumnDerivation,
  type Node,
  type QueryLineage,
  type Scope,
} from './derivation.ts';

const MASKING = /^(count|count_star|approx_count_distinct|hash|md5|md5_number|sha1|sha256|bit_count)$/i;
const VALUE_WINDOWS = new Set(['WINDOW_FIRST_VALUE', 'WINDOW_LAST_VALUE', 'WINDOW_LEAD', 'WINDOW_LAG', 'WINDOW_NTH_VALUE']);

/** What expression lineage needs from the query around it. */
export interface ExpressionContext {
  /** Names DuckDB lists as aggregate functions (lower case). */
  readonly aggregates: ReadonlySet<string>;
  /** The lineage of a subquery, evaluated in a scope. */
  query(node: Node, scope: Scope): QueryLineage;
}

/** The lineage of one expression in a scope, its direct sources seen through `outer` (IDENTITY for a bare column). */
export function expressionLineage(
  ctx: ExpressionContext,
  node: Node | null | undefined,
  scope: Scope,
  outer: DirectSubtype,
): ColumnDerivation {
  const out = emptyDerivation();
  if (!node || typeof node !== 'object') return out;
  const inner = (child: Node | null | undefined, subtype: DirectSubtype): ColumnDerivation => expressionLineage(ctx, child, scope, subtype);
  switch (node.class) {
    case 'COLUMN_REF':
      mergeDerivation(out, resolveColumn(node.column_names as string[], scope), outer);
      return out;
    case 'CONSTANT':
    case 'PARAMETER':
      return out;
    case 'STAR':
      throw new LineageUnsupported(node.columns ? 'COLUMNS(...) expressions' : '* inside an expression');
    case 'LAMBDA':
      throw new LineageUnsupported('lambda expressions');
    case 'FUNCTION': {
      const name = String(node.function_name);
      const subtype: DirectSubtype = ctx.aggregates.has(name.toLowerCase()) ? 'AGGREGATION' : 'TRANSFORMATION';
      for (const child of node.children ?? []) mergeDerivation(out, inner(child, subtype), outer, MASKING.test(name));
      if (node.filter) addInfluence(out.indirect, inner(node.filter, 'TRANSFORMATION'), 'FILTER');
      for (const o of node.order_bys?.orders ?? []) addInfluence(out.indirect, inner(o.expression, 'TRANSFORMATION'), 'SORT');
      return out;
    }
    case 'WINDOW': {
      const subtype: DirectSubtype = VALUE_WINDOWS.has(node.type) ? 'TRANSFORMATION' : 'AGGREGATION';
      for (const child of node.children ?? []) mergeDerivation(out, inner(child, subtype), outer, MASKING.test(String(node.function_name)));
      for (const e of [...(node.partitions ?? []), ...(node.orders ?? []).map((o: Node) => o.expression), node.filter_expr]) {
        addInfluence(out.indirect, inner(e, 'TRANSFORMATION'), 'WINDOW');
      }
      return out;
    }
    case 'CASE': {
      for (const check of node.case_checks ?? []) {
        addInfluence(out.indirect, inner(check.when_expr, 'TRANSFORMATION'), 'CONDITIONAL');
        mergeDerivation(out, inner(check.then_expr, 'TRANSFORMATION'), outer);
      }
      mergeDerivation(out, inner(node.else_expr, 'TRANSFORMATION'), outer);
      return out;
    }
    case 'SUBQUERY': {
      const sub = ctx.query(node.subquery.node, { bindings: [], ctes: new Map(), parent: scope });
      for (const c of sub.columns) mergeDerivation(out, c.lineage, 'TRANSFORMATION');
      for (const [key, set] of sub.dataset) addAll(out.indirect, key, set);
      if (node.child) mergeDerivation(out, inner(node.child, 'TRANSFORMATION'), outer);
      return out;
    }
    default:
      // Operators, casts, comparisons, conjunctions, BETWEEN, COLLATE: every nested expression transforms.
      for (const child of nestedExpressions(node)) mergeDerivation(out, inner(child, 'TRANSFORMATION'), outer);
      return out;
  }
}

/** The derivation of a (possibly qualified) column name, looked up from the innermost scope out. */
function resolveColumn(names: string[], scope: Scope): ColumnDerivation {
  const column = names[names.length - 1] as string;
  const qualifier = names.length > 1 ? names[names.length - 2] : undefined;
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    for (const b of s.bindings) {
      if (qualifier !== undefined && b.alias.toLowerCase() !== qualifier.toLowerCase()) continue;
      const found = b.relation.columns.find((c) => c.name?.toLowerCase() === column.toLowerCase());
      if (found) return found.lineage;
    }
    const alias = qualifier === undefined ? s.selectAliases?.get(column.toLowerCase()) : undefined;
    if (alias) return alias;
  }
  throw new LineageUnsupported(`column ${names.join('.')} could not be traced to an input`);
}

/** The expressions directly inside an expression node, whatever its class calls them. */
function nestedExpressions(node: Node): Node[] {
  const found: Node[] = [];
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const v of value) if (v && typeof v === 'object' && 'class' in v) found.push(v);
    if (value && typeof value === 'object' && !Array.isArray(value) && 'class' in value) found.push(value);
  }
  return found;
}
