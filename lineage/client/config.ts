import { LineageConfigError } from './errors.ts';
import { LineageConfigSchema } from './config-schema.ts';
import type { LineageConfig, LineageConfigInput } from './config-schema.ts';
import { formatIssues } from '../../core/issues.ts';
import { lineageWording } from './issues.ts';
import { readLineageConfigFile } from './config-file.ts';

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Options of {@link resolveLineageConfig}. */
export type ResolveLineageConfigOptions = {
  /** Explicit configuration (Python's `config=`); wins over the environment. */
  config?: LineageConfigInput | undefined;
  /** Environment to read; defaults to `process.env`. */
  env?: Environment | undefined;
  /** Directory searched for `openlineage.yml`; defaults to `process.cwd()`. */
  cwd?: string | undefined;
};

const PREFIX = 'OPENLINEAGE__';
const DEFAULT_HTTP = 'default_http';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Reads `OPENLINEAGE__A__B=v` variables into `{ a: { b: v } }` like openlineage-python: key segments lower-cased,
 * values parsed as JSON when they parse, and variables applied in reverse-sorted order so a JSON object set at a
 * higher level (`OPENLINEAGE__TRANSPORT`) replaces nested ones (`OPENLINEAGE__TRANSPORT__TYPE`).
 */
export function configFromEnvironment(env: Environment): Json {
  const config: Json = {};
  const entries = Object.entries(env)
    .filter((e): e is [string, string] => e[0].startsWith(PREFIX) && e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
  for (const [key, raw] of entries) {
    const path = key
      .slice(PREFIX.length)
      .split('__')
      .map((k) => k.toLowerCase());
    let node = config;
    for (const segment of path.slice(0, -1)) {
      if (!isObject(node[segment])) node[segment] = {};
      node = node[segment] as Json;
    }
    node[path[path.length - 1]!] = parseValue(raw);
  }
  return config;
}

/** Deep-merges `override` into `base` (override wins; objects merge, everything else replaces), like Python's deep_merge_dicts. */
function deepMerge(base: Json, override: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] = isObject(out[key]) && isObject(value) ? deepMerge(out[key], value) : value;
  }
  return out;
}

function mergeSources(fromEnv: Json, explicit: Json): Json {
  // `fromEnv` is the lower-precedence source, `explicit` the higher (env < YAML < constructor config).
  const envTransport = fromEnv['transport'];
  const explicitTransport = explicit['transport'];
  // Deviation from Python: a transport of another type replaces the lower source's instead of mixing settings.
  if (
    isObject(envTransport) &&
    isObject(explicitTransport) &&
    explicitTransport['type'] !== undefined &&
    envTransport['type'] !== undefined &&
    envTransport['type'] !== explicitTransport['type']
  ) {
    return { ...deepMerge(fromEnv, explicit), transport: explicitTransport };
  }
  return deepMerge(fromEnv, explicit);
}

function legacyHttp(env: Environment): Json {
  const transport: Json = { type: 'http', url: env['OPENLINEAGE_URL'], endpoint: env['OPENLINEAGE_ENDPOINT'] ?? 'api/v1/lineage' };
  const apiKey = env['OPENLINEAGE_API_KEY'];
  if (apiKey) transport['auth'] = { type: 'api_key', apiKey };
  return transport;
}

function validate(raw: Json, source: string): LineageConfig {
  const result = LineageConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new LineageConfigError(formatIssues(result.error.issues, { wording: lineageWording }), source);
  return result.data as LineageConfig;
}

/**
 * Resolves the transport configuration the way openlineage-python does: `OPENLINEAGE_DISABLED=true` → noop; else the
 * explicit `config`, deep-merged over the YAML file (`$OPENLINEAGE_CONFIG`, `./openlineage.yml`,
 * `~/.openlineage/openlineage.yml`: the first readable), deep-merged over `OPENLINEAGE__…` variables, when that names
 * a transport `type`; else the legacy `OPENLINEAGE_URL` / `OPENLINEAGE_ENDPOINT` / `OPENLINEAGE_API_KEY`. Returns
 * `undefined` when nothing is configured, so the caller picks its own default. Throws {@link LineageConfigError}
 * listing every problem (and naming the YAML file when it does not parse).
 */
export function resolveLineageConfig(options: ResolveLineageConfigOptions = {}): LineageConfig | undefined {
  const env = options.env ?? process.env;
  if ((env['OPENLINEAGE_DISABLED'] ?? '').trim().toLowerCase() === 'true') {
    return { transport: { type: 'noop', name: 'OPENLINEAGE_DISABLED=true' } };
  }
  const explicit = options.config ?? {};
  if (!isObject(explicit)) throw new LineageConfigError([`config: expected an object, got ${typeof explicit}`], 'constructor config');
  const file = readLineageConfigFile({ env, cwd: options.cwd });
  const merged = mergeSources(mergeSources(configFromEnvironment(env), file?.content ?? {}), explicit);
  const transport = merged['transport'];
  const source = [options.config ? 'constructor config' : undefined, file?.path, 'OPENLINEAGE__* variables']
    .filter((s) => s !== undefined)
    .join(', ');
  const legacyUrl = env['OPENLINEAGE_URL'];

  if (isObject(transport) && transport['type'] !== undefined) {
    // Python aliases OPENLINEAGE_URL into a composite as its `default_http` child.
    if (transport['type'] === 'composite' && legacyUrl && (transport['transports'] === undefined || isObject(transport['transports']))) {
      const children = (transport['transports'] ?? {}) as Json;
      if (children[DEFAULT_HTTP] === undefined) {
        merged['transport'] = { ...transport, transports: { ...children, [DEFAULT_HTTP]: legacyHttp(env) } };
      }
    }
    return validate(merged, source);
  }
  if (legacyUrl) {
    return validate({ ...merged, transport: legacyHttp(env) }, 'OPENLINEAGE_URL, OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY');
  }
  if (transport !== undefined && !(isObject(transport) && Object.keys(transport).length === 0)) {
    // Settings without a type would silently print to the console in Python; name the omission instead.
    return validate(merged, source);
  }
  return undefined;
}
