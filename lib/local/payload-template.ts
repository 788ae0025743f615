import { SluiceError } from '../../core/errors.ts';

/**
 * Reads a JSONPath reference path as ASL allows them in `.$` fields and `…Path` fields: `$` or `$$` followed by
 * `.name`, `['name']` or `[index]` segments. Anything else (filters, wildcards, intrinsic functions) is an error
 * naming the path, since the local runner must not guess what Step Functions would do.
 */
export function readPath(path: string, input: unknown, context: unknown): unknown {
  const root = path.startsWith('$$') ? context : input;
  let rest = path.startsWith('$$') ? path.slice(2) : path.startsWith('$') ? path.slice(1) : undefined;
  if (rest === undefined) throw unsupported(path, 'a reference path starts with $ or $$');
  let value: unknown = root;
  while (rest.length > 0) {
    const segment = /^\.([A-Za-z_][A-Za-z0-9_-]*)|^\['([^']*)'\]|^\[(\d+)\]/.exec(rest);
    if (!segment) throw unsupported(path, "only .name, ['name'] and [index] segments are supported locally");
    const key = segment[1] ?? segment[2] ?? Number(segment[3]);
    if (value === null || typeof value !== 'object' || !(key in value)) {
      throw new SluiceError(
        'ASL_PATH_MISSING',
        `${path}: the path matches nothing in ${path.startsWith('$$') ? 'the context' : 'the input'}`,
      );
    }
    value = (value as Record<string | number, unknown>)[key];
    rest = rest.slice(segment[0].length);
  }
  return value;
}

/** Builds a payload template (`Parameters`, `ItemSelector`, `BatchInput`): `"name.$"` fields take the value at their path. */
export function resolveTemplate(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((t) => resolveTemplate(t, input, context));
  if (template === null || typeof template !== 'object') return template;
  return Object.fromEntries(
    Object.entries(template).map(([name, value]) =>
      name.endsWith('.$') ? [name.slice(0, -2), readPath(String(value), input, context)] : [name, resolveTemplate(value, input, context)],
    ),
  );
}

function unsupported(path: string, why: string): SluiceError {
  return new SluiceError('ASL_PATH_UNSUPPORTED', `${JSON.stringify(path)}: ${why}`);
}
