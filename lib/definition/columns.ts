import { z } from 'zod';
import { ColumnNameSchema } from './names.ts';

/** The column types a dataset schema can declare. */
export const ColumnTypeSchema = z.enum(['string', 'number', 'integer', 'boolean', 'timestamp', 'date']);
/** One of {@link ColumnTypeSchema}'s values. */
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

/** A typed column of a dataset, as plain JSON (derived from the user's zod schema). */
export const ColumnSpecSchema = z.object({
  name: ColumnNameSchema,
  type: ColumnTypeSchema,
  nullable: z.boolean(),
  enum: z.array(z.string()).min(1).optional(),
  /** strptime format of a timestamp or date written as text in another form than ISO 8601 (`%d/%m/%Y`). */
  format: z.string().min(2).optional(),
  description: z.string().optional(),
});
/** A typed column of a dataset. */
export type ColumnSpec = z.infer<typeof ColumnSpecSchema>;

interface JsonSchemaNode {
  sluiceType?: 'timestamp' | 'date';
  sluiceFormat?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  description?: string;
  anyOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
}

const SUPPORTED =
  'z.string(), z.number(), z.int(), z.boolean(), z.enum([...]), z.iso.datetime(), z.iso.date(), column.timestamp(format), column.date(format), optionally .nullable() or .optional()';

/** strptime directives DuckDB understands, to check a stated format before any data is read. */
const FORMAT = /^(?:[^%]|%[aAbBcdfgGHIjmMpSuUVwWxXyYzZ%])+$/;

/** Column types that need more than zod's own: timestamps and dates written in a stated format. */
export const column = {
  /** A timestamp written as text in `format` (strptime, e.g. `%d/%m/%Y %H:%M`), or ISO 8601 when omitted. */
  timestamp: (format?: string) =>
    z.string().meta(format ? { sluiceType: 'timestamp', sluiceFormat: checked(format) } : { sluiceType: 'timestamp' }),
  /** A date written as text in `format` (strptime, e.g. `%d.%m.%Y`), or ISO 8601 (`YYYY-MM-DD`) when omitted. */
  date: (format?: string) => z.string().meta(format ? { sluiceType: 'date', sluiceFormat: checked(format) } : { sluiceType: 'date' }),
};

function checked(format: string): string {
  if (!FORMAT.test(format))
    throw new TypeError(`column format: expected strptime directives such as %Y-%m-%d, got ${JSON.stringify(format)}`);
  return format;
}

/**
 * Turns a dataset's zod object schema into plain column specs, or lists what cannot be turned.
 * Problems come back as `[path, message]` pairs relative to the schema.
 */
export function columnsFromZod(schema: unknown): { columns: ColumnSpec[]; problems: Array<[string, string]> } {
  if (!(schema instanceof z.ZodObject)) {
    return { columns: [], problems: [['', `expected a z.object({...}) of columns, got ${describe(schema)}`]] };
  }
  let json: JsonSchemaNode;
  try {
    json = z.toJSONSchema(schema, { unrepresentable: 'throw' }) as JsonSchemaNode;
  } catch (error) {
    return { columns: [], problems: [['', `cannot be stored as plain JSON (${(error as Error).message}); use ${SUPPORTED}`]] };
  }
  const required = new Set(json.required ?? []);
  const columns: ColumnSpec[] = [];
  const problems: Array<[string, string]> = [];
  for (const [name, node] of Object.entries(json.properties ?? {})) {
    const column = columnFromNode(name, node, !required.has(name));
    if (typeof column === 'string') problems.push([name, column]);
    else {
      const parsedName = ColumnNameSchema.safeParse(name);
      if (!parsedName.success) problems.push([name, parsedName.error.issues[0]?.message ?? 'invalid column name']);
      else columns.push(column);
    }
  }
  if (columns.length === 0 && problems.length === 0) problems.push(['', 'expected at least one column']);
  return { columns, problems };
}

function columnFromNode(name: string, node: JsonSchemaNode, optional: boolean): ColumnSpec | string {
  let nullable = optional;
  let body = node;
  if (node.anyOf) {
    const nonNull = node.anyOf.filter((n) => n.type !== 'null');
    if (nonNull.length !== 1 || nonNull.length === node.anyOf.length) return `unsupported union type; use ${SUPPORTED}`;
    nullable = true;
    body = { ...nonNull[0], description: node.description ?? nonNull[0]?.description };
  }
  let types = Array.isArray(body.type) ? body.type : body.type === undefined ? [] : [body.type];
  if (types.includes('null')) {
    nullable = true;
    types = types.filter((t) => t !== 'null');
  }
  const [type] = types;
  if (types.length !== 1 || type === undefined) return `unsupported type ${JSON.stringify(body.type ?? 'unknown')}; use ${SUPPORTED}`;
  const description = body.description === undefined ? {} : { description: body.description };
  if (type === 'string') {
    if (body.enum) return { name, type: 'string', nullable, enum: body.enum.map(String), ...description };
    if (body.sluiceType) {
      return { name, type: body.sluiceType, nullable, ...(body.sluiceFormat ? { format: body.sluiceFormat } : {}), ...description };
    }
    if (body.format === 'date-time') return { name, type: 'timestamp', nullable, ...description };
    if (body.format === 'date') return { name, type: 'date', nullable, ...description };
    return { name, type: 'string', nullable, ...description };
  }
  if (type === 'number' || type === 'integer' || type === 'boolean') return { name, type, nullable, ...description };
  return `unsupported type "${type}"; use ${SUPPORTED}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
