// Which fields of a column-lineage graph feed the chosen one and which it feeds.
import type { ColumnLineageNode } from '../../../marquez/api.ts';

/** The field at the other end of an edge of `id` (Marquez's column `inEdges` name the node itself as `origin`). */
export const otherEnd = (e: { origin: string; destination: string }, id: string): string => (e.origin === id ? e.destination : e.origin);

/** The fields a field is made from. */
export const inputsOf = (n: ColumnLineageNode): string[] => n.inEdges.map((e) => otherEnd(e, n.id));

/** The fields made from a field. */
export const outputsOf = (n: ColumnLineageNode): string[] => n.outEdges.map((e) => otherEnd(e, n.id));

/** Where each field of a column graph stands relative to the chosen one. */
export type FieldRole = 'selected' | 'upstream' | 'downstream' | 'other';

/** The roles of the fields of a column-lineage graph: upstream (what `selected` is made from) and downstream. */
export function fieldRoles(graph: ColumnLineageNode[], selected: string): Map<string, FieldRole> {
  const byId = new Map(graph.map((n) => [n.id, n]));
  const roles = new Map<string, FieldRole>(graph.map((n) => [n.id, 'other']));
  const walk = (start: string, next: (n: ColumnLineageNode) => string[], role: FieldRole) => {
    const queue = [start];
    const seen = new Set(queue);
    while (queue.length > 0) {
      for (const m of next(byId.get(queue.pop()!)!)) {
        if (seen.has(m) || !byId.has(m)) continue;
        seen.add(m);
        roles.set(m, role);
        queue.push(m);
      }
    }
  };
  if (!byId.has(selected)) return roles;
  walk(selected, inputsOf, 'upstream');
  walk(selected, outputsOf, 'downstream');
  roles.set(selected, 'selected');
  return roles;
}
