import type { DirectSubtype, IndirectSubtype } from '../../../core/column-transformations.ts';

/** An input column, keyed `<input alias>.<column>`. */
export type SourceKey = string;

/** Where one output column comes from. */
export interface ColumnDerivation {
  readonly direct: Map<SourceKey, { subtype: DirectSubtype; masking: boolean }>;
  readonly indirect: Map<SourceKey, Set<IndirectSubtype>>;
}

/** The lineage of a query: per output column (in order) and the dataset-wide influences. */
export interface QueryLineage {
  readonly columns: Array<{ readonly name: string | undefined; readonly lineage: ColumnDerivation }>;
  readonly dataset: Map<SourceKey, Set<IndirectSubtype>>;
}

/** Raised when the SQL uses something the derivation does not follow; the message names it. */
export class LineageUnsupported extends Error {}

type Node = Record<string, any>;
interface Scope {
  readonly bindings: Array<{ alias: string; relation: QueryLineage }>;
  readonly ctes: Map<string, QueryLineage>;
  readonly parent?: Scope;
  /** Select-list aliases visible to ORDER BY, GROUP BY and later select items (DuckDB allows lateral aliases). */
  selectAliases?: Map<string, ColumnDerivation>;
}

const RANK: Record<DirectSubtype, number> = { IDENTITY: 0, TRANSFORMATION: 1, AGGREGATION: 2 };
const MASKING = /^(count|count_star|approx_count_distinct|hash|md5|md5_number|sha1|sha256|bit_count)$/i;
const VALUE_WINDOWS = new Set(['WINDOW_FIRST_VALUE', 'WINDOW_LAST_VALUE', 'WINDOW_LEAD', 'WINDOW_LAG', 'WINDOW_NTH_VALUE']);

/**
 * Derives column lineage from a statement as DuckDB's own parser serialises it (`json_serialize_sql`).
 * `inputs` gives each input relation's columns; `aggregates` the names DuckDB lists as aggregate functions.
 */
export function deriveLineage(
  statement: Node,
  inputs: ReadonlyMap<string, readonly string[]>,
  aggregates: ReadonlySet<string>,
): QueryLineage {
  const empty = (): ColumnDerivation => ({ direct: new Map(), indirect: new Map() });

  const merge = (into: ColumnDerivation, from: ColumnDerivation, outer: DirectSubtype, masking = false): void => {
    for (const [key, d] of from.direct) {
      const subtype = RANK[outer] > RANK[d.subtype] ? outer : d.subtype;
      const prev = into.direct.get(key);
      const keep = prev && RANK[prev.subtype] > RANK[subtype] ? prev.subtype : subtype;
      into.direct.set(key, { subtype: keep, masking: Boolean(prev?.masking) || d.masking || masking });
    }
    for (const [key, set] of from.indirect) addAll(into.indirect, key, set);
  };
  // Every input column an expression touches, directly or not, as one INDIRECT influence.
  const influence = (into: Map<SourceKey, Set<IndirectSubtype>>, from: ColumnDerivation, subtype: IndirectSubtype): void => {
    for (const key of [...from.direct.keys(), ...from.indirect.keys()]) addAll(into, key, [subtype]);
  };

  const resolve = (names: string[], scope: Scope): ColumnDerivation => {
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
  };

  const expr = (node: Node | null | undefined, scope: Scope, outer: DirectSubtype): ColumnDerivation => {
    const out = empty();
    if (!node || typeof node !== 'object') return out;
    switch (node.class) {
      case 'COLUMN_REF':
        merge(out, resolve(node.column_names as string[], scope), outer);
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
        const aggregate = aggregates.has(name.toLowerCase());
        const inner: DirectSubtype = aggregate ? 'AGGREGATION' : 'TRANSFORMATION';
        for (const child of node.children ?? []) merge(out, expr(child, scope, inner), outer, MASKING.test(name));
        if (node.filter) influence(out.indirect, expr(node.filter, scope, 'TRANSFORMATION'), 'FILTER');
        for (const o of node.order_bys?.orders ?? []) influence(out.indirect, expr(o.expression, scope, 'TRANSFORMATION'), 'SORT');
        return out;
      }
      case 'WINDOW': {
        const inner: DirectSubtype = VALUE_WINDOWS.has(node.type) ? 'TRANSFORMATION' : 'AGGREGATION';
        for (const child of node.children ?? []) merge(out, expr(child, scope, inner), outer, MASKING.test(String(node.function_name)));
        for (const e of [...(node.partitions ?? []), ...(node.orders ?? []).map((o: Node) => o.expression), node.filter_expr]) {
          influence(out.indirect, expr(e, scope, 'TRANSFORMATION'), 'WINDOW');
        }
        return out;
      }
      case 'CASE': {
        for (const check of node.case_checks ?? []) {
          influence(out.indirect, expr(check.when_expr, scope, 'TRANSFORMATION'), 'CONDITIONAL');
          merge(out, expr(check.then_expr, scope, 'TRANSFORMATION'), outer);
        }
        merge(out, expr(node.else_expr, scope, 'TRANSFORMATION'), outer);
        return out;
      }
      case 'SUBQUERY': {
        const sub = query(node.subquery.node, { bindings: [], ctes: new Map(), parent: scope });
        for (const c of sub.columns) merge(out, c.lineage, 'TRANSFORMATION');
        for (const [key, set] of sub.dataset) addAll(out.indirect, key, set);
        if (node.child) merge(out, expr(node.child, scope, 'TRANSFORMATION'), outer);
        return out;
      }
      default:
        // Operators, casts, comparisons, conjunctions, BETWEEN, COLLATE: every nested expression transforms.
        for (const child of nestedExpressions(node)) merge(out, expr(child, scope, 'TRANSFORMATION'), outer);
        return out;
    }
  };

  const table = (ref: Node | null, scope: Scope, dataset: Map<SourceKey, Set<IndirectSubtype>>): Scope['bindings'] => {
    if (!ref || ref.type === 'EMPTY') return [];
    const renamed = (relation: QueryLineage, names: string[] | undefined): QueryLineage =>
      names && names.length > 0 ? { ...relation, columns: relation.columns.map((c, i) => ({ ...c, name: names[i] ?? c.name })) } : relation;
    switch (ref.type) {
      case 'BASE_TABLE': {
        if (ref.schema_name || ref.catalog_name)
          throw new LineageUnsupported(`table ${ref.schema_name}.${ref.table_name} outside the step's inputs`);
        const name = String(ref.table_name);
        let relation: QueryLineage | undefined;
        for (let s: Scope | undefined = scope; s && !relation; s = s.parent) relation = s.ctes.get(name.toLowerCase());
        if (!relation) {
          const input = [...inputs.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
          if (input === undefined) throw new LineageUnsupported(`table ${name} is neither an input nor a CTE`);
          relation = {
            columns: (inputs.get(input) ?? []).map((c) => ({
              name: c,
              lineage: { direct: new Map([[`${input}.${c}`, { subtype: 'IDENTITY' as const, masking: false }]]), indirect: new Map() },
            })),
            dataset: new Map(),
          };
        }
        for (const [key, set] of relation.dataset) addAll(dataset, key, set);
        return [{ alias: ref.alias || name, relation: renamed(relation, ref.column_name_alias) }];
      }
      case 'SUBQUERY': {
        const relation = query(ref.subquery.node, { bindings: [], ctes: new Map(), parent: scope });
        for (const [key, set] of relation.dataset) addAll(dataset, key, set);
        return [{ alias: ref.alias || '', relation: renamed(relation, ref.column_name_alias) }];
      }
      case 'JOIN': {
        const bindings = [...table(ref.left, scope, dataset), ...table(ref.right, scope, dataset)];
        const joined: Scope = { bindings, ctes: new Map(), parent: scope };
        if (ref.condition) influence(dataset, expr(ref.condition, joined, 'TRANSFORMATION'), 'JOIN');
        let using: string[] = ref.using_columns ?? [];
        if (ref.ref_type === 'NATURAL') {
          const names = (b: Scope['bindings']) => new Set(b.flatMap((x) => x.relation.columns.map((c) => c.name?.toLowerCase())));
          const right = names(table(ref.right, scope, new Map()));
          using = [...names(table(ref.left, scope, new Map()))].filter((n): n is string => n !== undefined && right.has(n));
        }
        for (const column of using) {
          for (const b of bindings) {
            const found = b.relation.columns.find((c) => c.name?.toLowerCase() === column.toLowerCase());
            if (found) influence(dataset, found.lineage, 'JOIN');
          }
        }
        return bindings;
      }
      default:
        throw new LineageUnsupported(`FROM ${String(ref.type).toLowerCase().replace(/_/g, ' ')}`);
    }
  };

  const query = (node: Node, outer: Scope): QueryLineage => {
    if (node.type === 'SET_OPERATION_NODE') {
      const left = query(node.left, outer);
      const right = query(node.right, outer);
      const dataset = new Map(left.dataset);
      for (const [key, set] of right.dataset) addAll(dataset, key, set);
      if (node.setop_type !== 'UNION' && node.setop_type !== 'UNION_BY_NAME') {
        for (const c of right.columns) influence(dataset, c.lineage, 'FILTER');
        return { columns: left.columns, dataset };
      }
      const columns = left.columns.map((c, i) => {
        const lineage = empty();
        merge(lineage, c.lineage, 'IDENTITY');
        const other = node.setop_type === 'UNION_BY_NAME' ? right.columns.find((r) => r.name === c.name) : right.columns[i];
        if (other) merge(lineage, other.lineage, 'IDENTITY');
        return { name: c.name, lineage };
      });
      return { columns, dataset };
    }
    if (node.type !== 'SELECT_NODE') throw new LineageUnsupported(`${String(node.type).toLowerCase().replace(/_/g, ' ')} queries`);
    const ctes = new Map<string, QueryLineage>();
    const scope: Scope = { bindings: [], ctes, parent: outer };
    for (const { key, value } of node.cte_map?.map ?? []) {
      if (value.materialized === 'CTE_MATERIALIZE_RECURSIVE' || value.query?.node?.type === 'RECURSIVE_CTE_NODE')
        throw new LineageUnsupported('recursive CTEs');
      const relation = query(value.query.node, scope);
      const names: string[] = value.aliases ?? [];
      ctes.set(
        String(key).toLowerCase(),
        names.length ? { ...relation, columns: relation.columns.map((c, i) => ({ ...c, name: names[i] ?? c.name })) } : relation,
      );
    }
    const dataset = new Map<SourceKey, Set<IndirectSubtype>>();
    scope.bindings.push(...table(node.from_table, scope, dataset));
    scope.selectAliases = new Map();

    const columns: QueryLineage['columns'] = [];
    for (const item of node.select_list ?? []) {
      if (item.class === 'STAR') {
        if (item.columns || item.expr) throw new LineageUnsupported('COLUMNS(...) expressions');
        const excluded = new Set<string>(
          (item.exclude_list ?? []).map((e: Node) =>
            String(
              Array.isArray(e) ? e[e.length - 1] : (e.exclude_name?.column_names?.at(-1) ?? e.column_names?.at(-1) ?? e),
            ).toLowerCase(),
          ),
        );
        const replaced = new Map<string, Node>((item.replace_list ?? []).map((r: Node) => [String(r.key).toLowerCase(), r.value]));
        for (const b of scope.bindings) {
          if (item.relation_name && b.alias.toLowerCase() !== String(item.relation_name).toLowerCase()) continue;
          for (const c of b.relation.columns) {
            const lower = c.name?.toLowerCase() ?? '';
            if (excluded.has(lower)) continue;
            const replacement = replaced.get(lower);
            columns.push({ name: c.name, lineage: replacement ? expr(replacement, scope, 'IDENTITY') : c.lineage });
          }
        }
        continue;
      }
      const lineage = expr(item, scope, 'IDENTITY');
      const name = item.alias || (item.class === 'COLUMN_REF' ? (item.column_names as string[]).at(-1) : undefined);
      if (name && !scope.bindings.some((b) => b.relation.columns.some((c) => c.name?.toLowerCase() === name.toLowerCase()))) {
        scope.selectAliases.set(name.toLowerCase(), lineage);
      }
      columns.push({ name, lineage });
    }
    // Positional references (GROUP BY 1, ORDER BY 2) and select aliases both name select items.
    const item = (e: Node): ColumnDerivation => {
      if (e?.class === 'CONSTANT' && Number.isInteger(e.value?.value)) return columns[(e.value.value as number) - 1]?.lineage ?? empty();
      if (e?.class === 'COLUMN_REF' && e.column_names.length === 1) {
        const byName = columns.find((c) => c.name?.toLowerCase() === String(e.column_names[0]).toLowerCase());
        try {
          return expr(e, scope, 'TRANSFORMATION');
        } catch (error) {
          if (byName) return byName.lineage;
          throw error;
        }
      }
      return expr(e, scope, 'TRANSFORMATION');
    };
    for (const clause of [node.where_clause, node.having, node.qualify])
      if (clause) influence(dataset, expr(clause, scope, 'TRANSFORMATION'), 'FILTER');
    for (const g of node.group_expressions ?? []) influence(dataset, item(g), 'GROUP_BY');
    if (node.aggregate_handling === 'FORCE_AGGREGATES') {
      for (const [i, c] of columns.entries())
        if (![...c.lineage.direct.values()].some((d) => d.subtype === 'AGGREGATION')) influence(dataset, columns[i]!.lineage, 'GROUP_BY');
    }
    for (const modifier of node.modifiers ?? []) {
      if (modifier.type === 'ORDER_MODIFIER') for (const o of modifier.orders) influence(dataset, item(o.expression), 'SORT');
      if (modifier.type === 'DISTINCT_MODIFIER')
        for (const t of modifier.distinct_on_targets ?? []) influence(dataset, item(t), 'GROUP_BY');
    }
    return { columns, dataset };
  };

  return query(statement.node, { bindings: [], ctes: new Map() });
}

function addAll<K, V>(map: Map<K, Set<V>>, key: K, values: Iterable<V>): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  for (const v of values) set.add(v);
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
