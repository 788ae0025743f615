import { z } from 'zod';

// Strict objects whose unknown-key error lists what is allowed, so a typo is named rather than ignored.
function settings<T extends z.ZodRawShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown ${what} setting; allowed: ${allowed}` : undefined),
  });
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// A preprocessed schema accepts `unknown`; state the input callers may write so TypeScript still helps them.
const accepting = <In, Out>(schema: z.ZodType<Out, unknown>) => schema as unknown as z.ZodType<Out, In>;
// Env values are parsed as JSON, so an all-digit key or header value arrives as a number.
const numberAsText = (schema: z.ZodType<string>) =>
  accepting<string | number, string>(z.preprocess((v) => (typeof v === 'number' ? String(v) : v), schema));
const text = (what: string) => z.string({ error: `expected ${what} as a string` }).min(1, { error: `expected a non-empty ${what}` });

const httpUrl = z
  .string({ error: 'expected an http(s) URL as a string' })
  .trim()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { error: 'expected an http(s) URL' });

const common = {
  /** Child name in a composite transport. */
  name: z.string().optional(),
  /** Order in a composite transport with `sort_transports` (higher first). */
  priority: z.number({ error: 'expected a number' }).optional(),
};

/** `auth` of the http transport: `{ type: api_key, apiKey }` (the Python spellings `apikey`, `api_key` are accepted). */
export const ApiKeyAuthSchema = accepting<
  { type: 'api_key'; apiKey?: string | number; apikey?: string | number; api_key?: string | number },
  { type: 'api_key'; apiKey: string }
>(
  z.preprocess(
    (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const { apikey, api_key, ...rest } = v as Record<string, unknown>;
      return { ...rest, apiKey: rest['apiKey'] ?? apikey ?? api_key };
    },
    settings({ type: z.literal('api_key'), apiKey: numberAsText(text('API key')) }, 'auth'),
  ),
);

/** Retry policy of the http transport, with urllib3's names and the Python client's defaults. */
export const HttpRetrySchema = settings(
  {
    /** Retries after the first attempt, of any kind (urllib3 `total`). */
    total: z.int().min(0, { error: 'expected an integer >= 0' }).default(5),
    /** Retries after connection errors. */
    connect: z.int().min(0, { error: 'expected an integer >= 0' }).default(5),
    /** Retries after errors or timeouts once the request was sent. */
    read: z.int().min(0, { error: 'expected an integer >= 0' }).default(5),
    /** Delay before retry n (n >= 2) is backoff_factor * 2^(n-1) seconds; the first retry is immediate. */
    backoff_factor: z.number().min(0, { error: 'expected a number of seconds >= 0' }).default(0.3),
    /** Upper bound of one delay, in seconds. */
    backoff_max: z.number().positive({ error: 'expected a number of seconds > 0' }).default(120),
    /** Statuses that are retried; 429 is included (unlike urllib3's default, which needs Retry-After). */
    status_forcelist: z
      .array(z.int().min(100, { error: 'expected an HTTP status' }).max(599, { error: 'expected an HTTP status' }))
      .default([429, 500, 502, 503, 504]),
    /** Methods retried after a read error or a listed status; the transport only POSTs. */
    allowed_methods: z.array(z.string()).default(['HEAD', 'POST']),
  },
  'retry',
);

/** The http transport: POST each event as JSON to `new URL(endpoint, url)`. */
export const HttpTransportConfigSchema = settings(
  {
    type: z.literal('http'),
    url: httpUrl,
    endpoint: z.string({ error: 'expected an endpoint path as a string' }).default('api/v1/lineage'),
    /** Seconds per attempt. */
    timeout: z.number({ error: 'expected a number of seconds' }).positive({ error: 'expected a number of seconds > 0' }).default(5),
    /** Check TLS certificates. */
    verify: z.boolean().default(true),
    auth: ApiKeyAuthSchema.optional(),
    compression: z.literal('gzip').nullish(),
    custom_headers: z
      .record(
        z.string().regex(HEADER_NAME, { error: 'expected an HTTP header name' }),
        numberAsText(z.string().regex(/^[^\r\n]*$/, { error: 'expected a header value without line breaks' })),
      )
      .default({}),
    retry: HttpRetrySchema.prefault({}),
    ...common,
  },
  'http transport',
);
/** Settings of the http transport, defaults applied. */
export type HttpTransportConfig = z.infer<typeof HttpTransportConfigSchema>;

/** The file transport: JSON lines appended to `log_file_path`, or one file per event when `append` is false. */
export const FileTransportConfigSchema = settings(
  {
    type: z.literal('file'),
    log_file_path: numberAsText(text('log_file_path (the file events are written to)')),
    append: z.boolean().default(false),
    ...common,
  },
  'file transport',
);
/** Settings of the file transport, defaults applied. */
export type FileTransportConfig = z.infer<typeof FileTransportConfigSchema>;

/** The console transport: one JSON line per event on stderr. */
export const ConsoleTransportConfigSchema = settings({ type: z.literal('console'), ...common }, 'console transport');
/** Settings of the console transport. */
export type ConsoleTransportConfig = z.infer<typeof ConsoleTransportConfigSchema>;

/** The noop transport: events are discarded. */
export const NoopTransportConfigSchema = settings({ type: z.literal('noop'), ...common }, 'noop transport');
/** Settings of the noop transport. */
export type NoopTransportConfig = z.infer<typeof NoopTransportConfigSchema>;

/** Settings of the composite transport, defaults applied; children keyed by name (list positions become "0", "1"…). */
export type CompositeTransportConfig = {
  type: 'composite';
  transports: Record<string, TransportConfig>;
  continue_on_failure: boolean;
  continue_on_success: boolean;
  sort_transports: boolean;
  name?: string | undefined;
  priority?: number | undefined;
};

/** Settings of any transport, defaults applied. */
export type TransportConfig =
  | HttpTransportConfig
  | FileTransportConfig
  | ConsoleTransportConfig
  | NoopTransportConfig
  | CompositeTransportConfig
  | TransformTransportConfig;

/** Settings of the transform transport: events pass through a transformer before the inner transport. */
export type TransformTransportConfig = {
  type: 'transform';
  transport: TransportConfig;
  /** A built-in transformer, by its openlineage-python class path or short name (e.g. `JobNamespaceReplaceTransformer`). */
  transformer_class: string;
  transformer_properties: Record<string, unknown>;
  name?: string | undefined;
  priority?: number | undefined;
};

// A list becomes a map keyed by position so errors read `transports.0.url`; like Python, empty
// children of a named map (e.g. an env var set to an empty string) are dropped.
function childrenByName(value: unknown): unknown {
  if (Array.isArray(value)) return Object.fromEntries(value.map((child, i) => [String(i), child]));
  if (typeof value !== 'object' || value === null) return value;
  const isEmpty = (c: unknown) => !c || (typeof c === 'object' && Object.keys(c).length === 0);
  return Object.fromEntries(Object.entries(value).filter(([, c]) => !isEmpty(c)));
}

/** The composite transport: emits to each child in turn; `transports` is a list or a map of name → settings. */
export const CompositeTransportConfigSchema = settings(
  {
    type: z.literal('composite'),
    get transports(): z.ZodType<Record<string, TransportConfig>, unknown> {
      return z.preprocess(
        childrenByName,
        z
          .record(z.string(), TransportConfigSchema, { error: 'expected a list or a map of transport settings' })
          .refine((children) => Object.keys(children).length > 0, { error: 'expected at least one transport' }),
      );
    },
    continue_on_failure: z.boolean().default(true),
    continue_on_success: z.boolean().default(true),
    sort_transports: z.boolean().default(false),
    ...common,
  },
  'composite transport',
);

/** The transform transport (openlineage-python's `transform`): rewrites each event, then emits it to `transport`. */
export const TransformTransportConfigSchema = settings(
  {
    type: z.literal('transform'),
    get transport(): z.ZodType<TransportConfig, unknown> {
      return TransportConfigSchema;
    },
    transformer_class: text('transformer_class (the transformer to apply)'),
    transformer_properties: z
      .record(z.string(), z.unknown(), { error: 'expected a map of transformer settings' })
      .nullish()
      .transform((v) => v ?? {}),
    ...common,
  },
  'transform transport',
);

/** Settings of any transport, told apart by `type`: http, file, console, noop, composite or transform. */
export const TransportConfigSchema: z.ZodType<TransportConfig, unknown> = z.discriminatedUnion('type', [
  HttpTransportConfigSchema,
  FileTransportConfigSchema,
  ConsoleTransportConfigSchema,
  NoopTransportConfigSchema,
  CompositeTransportConfigSchema,
  TransformTransportConfigSchema,
]) as never;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'y');
    return true;
  } catch {
    return false;
  }
}

/**
 * One job-name filter of the `filters` section: `{type: exact, match}` drops RunEvents whose job name equals `match`,
 * `{type: regex, regex}` those whose job name matches at its start (Python's `re.match`).
 */
export const FilterConfigSchema = z.discriminatedUnion('type', [
  settings({ type: z.literal('exact'), match: text('job name to match') }, 'exact filter'),
  settings(
    {
      type: z.literal('regex'),
      regex: text('regular expression').refine(compiles, { error: 'expected a valid regular expression' }),
    },
    'regex filter',
  ),
]);
/** A job-name filter. */
export type FilterConfig = z.infer<typeof FilterConfigSchema>;

/** Lineage configuration in the Python client's layout: `transport` and `filters` are read; other sections are kept. */
export const LineageConfigSchema = z.looseObject({
  transport: TransportConfigSchema,
  filters: z
    .array(FilterConfigSchema, { error: 'expected a list of filters' })
    .nullish()
    .transform((v) => v ?? undefined),
});
/** Lineage configuration, validated and with defaults applied. */
export type LineageConfig = { transport: TransportConfig; filters?: FilterConfig[] | undefined };
/** Lineage configuration as written by a user (snake_case keys, defaults optional). */
export type LineageConfigInput = { transport?: Record<string, unknown> } & Record<string, unknown>;
