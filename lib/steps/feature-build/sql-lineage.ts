import type { IndirectSubtype } from '../../../core/column-transformations.ts';
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
  type SourceKey,
} from './derivation.ts';
import { expressionLineage, type ExpressionContext } from './expression-lineage.ts';

export { LineageUnsupported, type ColumnDerivation, type QueryLineage, type SourceKey } from './derivation.ts';

type Bindings = Scope['bindings'];
type DatasetInfluence = Map<SourceKey, Set<IndirectSubtype>>;

/**
 * Derives column lineage from a statement as DuckDB's own parser serialises it (`json_serialize_sql`).
 * `inputs` gives each input relation's columns; `aggregates` the names DuckDB lists as aggregate functions.
 */
export function deriveLineage(
  statement: Node,
  inputs: ReadonlyMap<string, readonly string[]>,
  aggregates: ReadonlySet<string>,
): QueryLineage {
  return new QueryDeriver(inputs, aggregates).query(statement.node, { bindings: [], ctes: new Map() });
}

/** Walks query nodes: set operations, CTEs, FROM clauses and select lists. */
class QueryDeriver implements ExpressionContext {
  readonly #inputs: ReadonlyMap<string, readonly string[]>;
  readonly aggregates: ReadonlySet<string>;

  constructor(inputs: ReadonlyMap<string, readonly string[]>, aggregates: ReadonlySet<string>) {
    this.#inputs = inputs;
    this.aggregates = aggregates;
  }

  query(node: Node, outer: Scope): QueryLineage {
    if (node.type === 'SET_OPERATION_NODE') return this.#setOperation(node, outer);
    if (node.type !== 'SELECT_NODE') throw new LineageUnsupported(`${String(node.type).toLowerCase().replace(/_/g, ' ')} queries`);
    const ctes = new Map<string, QueryLineage>();
    const scope: Scope = { bindings: [], ctes, parent: outer };
    for (const { key, value } of node.cte_map?.map ?? []) {
      if (value.materialized === 'CTE_MATERIALIZE_RECURSIVE' || value.query?.node?.type === 'RECURSIVE_CTE_NODE')
        throw new LineageUnsupported('recursive CTEs');
      ctes.set(String(key).toLowerCase(), renamed(this.query(value.query.node, scope), value.aliases));
    }
    const dataset: DatasetInfluence = new Map();
    scope.bindings.push(...this.#from(node.from_table, scope, dataset));
    scope.selectAliases = new Map();
    const columns = this.#selectList(node, scope);
    this.#clauses(node, scope, columns, dataset);
    return { columns, dataset };
  }

  #expr(node: Node | null | undefined, scope: Scope, outer: 'IDENTITY' | 'TRANSFORMATION'): ColumnDerivation {
    return expressionLineage(this, node, scope, outer);
  }

  #setOperation(node: Node, outer: Scope): QueryLineage {
    const left = this.query(node.left, outer);
    const right = this.query(node.right, outer);
    const dataset = new Map(left.dataset);
    for (const [key, set] of right.dataset) addAll(dataset, key, set);
    if (node.setop_type !== 'UNION' && node.setop_type !== 'UNION_BY_NAME') {
      for (const c of right.columns) addInfluence(dataset, c.lineage, 'FILTER');
      return { columns: left.columns, dataset };
    }
    const columns = left.columns.map((c, i) => {
      const lineage = emptyDerivation();
      mergeDerivation(lineage, c.lineage, 'IDENTITY');
      const other = node.setop_type === 'UNION_BY_NAME' ? right.columns.find((r) => r.name === c.name) : right.columns[i];
      if (other) mergeDerivation(lineage, other.lineage, 'IDENTITY');
      return { name: c.name, lineage };
    });
    return { columns, dataset };
  }

  /** The relations a FROM clause binds; JOIN conditions and USING columns influence the whole output. */
  #from(ref: Node | null, scope: Scope, dataset: DatasetInfluence): Bindings {
    if (!ref || ref.type === 'EMPTY') return [];
    switch (ref.type) {
      case 'BASE_TABLE': {
        if (ref.schema_name || ref.catalog_name)
          throw new LineageUnsupported(`table ${ref.schema_name}.${ref.table_name} outside the step's inputs`);
        const name = String(ref.table_name);
        const relation = this.#table(name, scope);
        for (const [key, set] of relation.dataset) addAll(dataset, key, set);
        return [{ alias: ref.alias || name, relation: renamed(relation, ref.column_name_alias) }];
      }
      case 'SUBQUERY': {
        const relation = this.query(ref.subquery.node, { bindings: [], ctes: new Map(), parent: scope });
        for (const [key, set] of relation.dataset) addAll(dataset, key, set);
        return [{ alias: ref.alias || '', relation: renamed(relation, ref.column_name_alias) }];
      }
      case 'JOIN':
        return this.#join(ref, scope, dataset);
      default:
        throw new LineageUnsupported(`FROM ${String(ref.type).toLowerCase().replace(/_/g, ' ')}`);
    }
  }

  /** A CTE in scope, else a step input (each column its own identity source). */
  #table(name: string, scope: Scope): QueryLineage {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const cte = s.ctes.get(name.toLowerCase());
      if (cte) return cte;
    }
    const input = [...this.#inputs.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    if (input === undefined) throw new LineageUnsupported(`table ${name} is neither an input nor a CTE`);
    const columns = (this.#inputs.get(input) ?? []).map((c) => ({
      name: c,
      lineage: { direct: new Map([[`${input}.${c}`, { subtype: 'IDENTITY' as const, masking: false }]]), indirect: new Map() },
    }));
    return { columns, dataset: new Map() };
  }

  #join(ref: Node, scope: Scope, dataset: DatasetInfluence): Bindings {
    const bindings = [...this.#from(ref.left, scope, dataset), ...this.#from(ref.right, scope, dataset)];
    const joined: Scope = { bindings, ctes: new Map(), parent: scope };
    if (ref.condition) addInfluence(dataset, this.#expr(ref.condition, joined, 'TRANSFORMATION'), 'JOIN');
    let using: string[] = ref.using_columns ?? [];
    if (ref.ref_type === 'NATURAL') {
      const names = (b: Bindings) => new Set(b.flatMap((x) => x.relation.columns.map((c) => c.name?.toLowerCase())));
      const right = names(this.#from(ref.right, scope, new Map()));
      using = [...names(this.#from(ref.left, scope, new Map()))].filter((n): n is string => n !== undefined && right.has(n));
    }
    for (const column of using) {
      for (const b of bindings) {
        const found = b.relation.columns.find((c) => c.name?.toLowerCase() === column.toLowerCase());
        if (found) addInfluence(dataset, found.lineage, 'JOIN');
      }
    }
    return bindings;
  }

  /** The output columns: stars expanded (EXCLUDE, REPLACE), other items derived; aliases become visible to later items. */
  #selectList(node: Node, scope: Scope): QueryLineage['columns'] {
    const columns: QueryLineage['columns'] = [];
    for (const item of node.select_list ?? []) {
      if (item.class === 'STAR') {
        columns.push(...this.#star(item, scope));
        continue;
      }
      const lineage = this.#expr(item, scope, 'IDENTITY');
      const name = item.alias || (item.class === 'COLUMN_REF' ? (item.column_names as string[]).at(-1) : undefined);
      if (name && !scope.bindings.some((b) => b.relation.columns.some((c) => c.name?.toLowerCase() === name.toLowerCase()))) {
        scope.selectAliases?.set(name.toLowerCase(), lineage);
      }
      columns.push({ name, lineage });
    }
    return columns;
  }

  #star(item: Node, scope: Scope): QueryLineage['columns'] {
    if (item.columns || item.expr) throw new LineageUnsupported('COLUMNS(...) expressions');
    const excluded = new Set<string>(
      (item.exclude_list ?? []).map((e: Node) =>
        String(Array.isArray(e) ? e[e.length - 1] : (e.exclude_name?.column_names?.at(-1) ?? e.column_names?.at(-1) ?? e)).toLowerCase(),
      ),
    );
    const replaced = new Map<string, Node>((item.replace_list ?? []).map((r: Node) => [String(r.key).toLowerCase(), r.value]));
    const columns: QueryLineage['columns'] = [];
    for (const b of scope.bindings) {
      if (item.relation_name && b.alias.toLowerCase() !== String(item.relation_name).toLowerCase()) continue;
      for (const c of b.relation.columns) {
        const lower = c.name?.toLowerCase() ?? '';
        if (excluded.has(lower)) continue;
        const replacement = replaced.get(lower);
        columns.push({ name: c.name, lineage: replacement ? this.#expr(replacement, scope, 'IDENTITY') : c.lineage });
      }
    }
    return columns;
  }

  /** WHERE, HAVING, QUALIFY, GROUP BY, ORDER BY and DISTINCT ON influence the whole output. */
  #clauses(node: Node, scope: Scope, columns: QueryLineage['columns'], dataset: DatasetInfluence): void {
    // Positional references (GROUP BY 1, ORDER BY 2) and select aliases both name select items.
    const item = (e: Node): ColumnDerivation => {
      if (e?.class === 'CONSTANT' && Number.isInteger(e.value?.value))
        return columns[(e.value.value as number) - 1]?.lineage ?? emptyDerivation();
      if (e?.class === 'COLUMN_REF' && e.column_names.length === 1) {
        const byName = columns.find((c) => c.name?.toLowerCase() === String(e.column_names[0]).toLowerCase());
        try {
          return this.#expr(e, scope, 'TRANSFORMATION');
        } catch (error) {
          if (byName) return byName.lineage;
          throw error;
        }
      }
      return this.#expr(e, scope, 'TRANSFORMATION');
    };
    for (const clause of [node.where_clause, node.having, node.qualify])
      if (clause) addInfluence(dataset, this.#expr(clause, scope, 'TRANSFORMATION'), 'FILTER');
    for (const g of node.group_expressions ?? []) addInfluence(dataset, item(g), 'GROUP_BY');
    if (node.aggregate_handling === 'FORCE_AGGREGATES') {
      for (const c of columns)
        if (![...c.lineage.direct.values()].some((d) => d.subtype === 'AGGREGATION')) addInfluence(dataset, c.lineage, 'GROUP_BY');
    }
    for (const modifier of node.modifiers ?? []) {
      if (modifier.type === 'ORDER_MODIFIER') for (const o of modifier.orders) addInfluence(dataset, item(o.expression), 'SORT');
      if (modifier.type === 'DISTINCT_MODIFIER')
        for (const t of modifier.distinct_on_targets ?? []) addInfluence(dataset, item(t), 'GROUP_BY');
    }
  }
}

/** A relation with its columns renamed by a column alias list (`t(a, b)`), names beyond the list kept. */
function renamed(relation: QueryLineage, names: string[] | undefined): QueryLineage {
  return names && names.length > 0
    ? { ...relation, columns: relation.columns.map((c, i) => ({ ...c, name: names[i] ?? c.name })) }
    : relation;
}
