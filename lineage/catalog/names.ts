/** Characters Marquez allows in a namespace name (`NamespaceName`); anything else is an illegal name. */
const NAMESPACE = /^[a-zA-Z0-9:;=/_\-.@+]{1,1024}$/;
const MAX_NAME = 1024;
// Control characters are never part of a real name and break logs and terminals.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A job namespace with disallowed characters replaced by `_`, as Marquez stores it. */
export function sanitizeJobNamespace(name: string): string {
  return name.replace(/[^a-zA-Z0-9:;=/_\-.@+]/g, '_').slice(0, MAX_NAME);
}

/** Why a dataset namespace is illegal (Marquez answers 400), or undefined when it is fine. */
export function illegalNamespace(name: string): string | undefined {
  return NAMESPACE.test(name)
    ? undefined
    : `namespace ${JSON.stringify(name.slice(0, 80))}: expected 1-1024 of a-z A-Z 0-9 : ; = / _ - . @ +`;
}

/** Why a job or dataset name is illegal (400), or undefined when it is fine. */
export function illegalName(what: string, name: string): string | undefined {
  if (name.length > MAX_NAME) return `${what}: expected at most ${MAX_NAME} characters, got ${name.length}`;
  if (CONTROL.test(name)) return `${what} ${JSON.stringify(name.slice(0, 80))}: control characters are not allowed`;
  return undefined;
}

/** A parsed lineage node id: `job:ns:name`, `dataset:ns:name`, `datasetField:ns:dataset:field`, `run:uuid`. */
export type NodeId =
  | { type: 'JOB' | 'DATASET'; namespace: string; name: string; version?: string }
  | { type: 'DATASET_FIELD'; namespace: string; name: string; field: string; version?: string }
  | { type: 'RUN'; runId: string };

// Marquez splits only at colons not followed by `//` or a digit, so `s3://b` and `host:5432` survive.
function splitId(text: string): string[] {
  return text.split(/:(?!\/\/|\d)/);
}

/** Parses a node id as Marquez does; undefined when it is not one. */
export function parseNodeId(text: string): NodeId | undefined {
  const hash = text.lastIndexOf('#');
  const version = hash > 0 ? text.slice(hash + 1) : undefined;
  const id = hash > 0 ? text.slice(0, hash) : text;
  const parts = splitId(id);
  const [type] = parts;
  const v = version === undefined ? {} : { version };
  if (type === 'run' && parts.length === 2 && parts[1]) return { type: 'RUN', runId: parts[1] };
  if ((type === 'job' || type === 'dataset') && parts.length >= 3) {
    const [namespace, ...rest] = parts.slice(1);
    const name = rest.join(':');
    if (!namespace || !name) return undefined;
    return { type: type === 'job' ? 'JOB' : 'DATASET', namespace, name, ...v };
  }
  if (type === 'datasetField' && parts.length >= 4) {
    const [namespace, name, ...field] = parts.slice(1);
    if (!namespace || !name || field.length === 0) return undefined;
    return { type: 'DATASET_FIELD', namespace, name, field: field.join(':'), ...v };
  }
  return undefined;
}

/** `job:{ns}:{name}`. */
export const jobNodeId = (namespace: string, name: string): string => `job:${namespace}:${name}`;
/** `dataset:{ns}:{name}`. */
export const datasetNodeId = (namespace: string, name: string): string => `dataset:${namespace}:${name}`;
/** `datasetField:{ns}:{dataset}:{field}`. */
export const fieldNodeId = (namespace: string, name: string, field: string): string => `datasetField:${namespace}:${name}:${field}`;
