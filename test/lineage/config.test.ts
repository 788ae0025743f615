import { describe, expect, it } from 'vitest';
import { LineageConfigError, isSluiceError, resolveLineageConfig } from '../../lineage/index.ts';
import { configFromEnvironment } from '../../lineage/client/config.ts';
import type { LineageConfigInput } from '../../lineage/index.ts';

const RETRY_DEFAULTS = {
  total: 5,
  connect: 5,
  read: 5,
  backoff_factor: 0.3,
  backoff_max: 120,
  status_forcelist: [429, 500, 502, 503, 504],
  allowed_methods: ['HEAD', 'POST'],
};
const http = (settings: Record<string, unknown>) => ({
  type: 'http',
  endpoint: 'api/v1/lineage',
  timeout: 5,
  verify: true,
  custom_headers: {},
  retry: RETRY_DEFAULTS,
  ...settings,
});

describe('configFromEnvironment', () => {
  it('does nest OPENLINEAGE__ variables with lower-cased keys and JSON-parsed values', () => {
    expect(
      configFromEnvironment({
        OPENLINEAGE__TRANSPORT__TYPE: 'http',
        OPENLINEAGE__TRANSPORT__TIMEOUT: '2.5',
        OPENLINEAGE__TRANSPORT__VERIFY: 'false',
        OPENLINEAGE__TRANSPORT__AUTH: '{"type":"api_key","apiKey":"k"}',
        OPENLINEAGE__TRANSPORT__URL: 'http://marquez:5000',
        OPENLINEAGE__FACETS__ENVIRONMENT_VARIABLES: '["AWS_REGION"]',
        OPENLINEAGE_URL: 'http://ignored',
        openlineage__transport__type: 'ignored',
      }),
    ).toEqual({
      transport: { type: 'http', timeout: 2.5, verify: false, auth: { type: 'api_key', apiKey: 'k' }, url: 'http://marquez:5000' },
      facets: { environment_variables: ['AWS_REGION'] },
    });
  });

  it('does let a JSON object at a higher level win over nested variables', () => {
    expect(
      configFromEnvironment({
        OPENLINEAGE__TRANSPORT__TYPE: 'http',
        OPENLINEAGE__TRANSPORT: '{"type":"console"}',
        OPENLINEAGE__TRANSPORT__URL: 'http://x',
      }),
    ).toEqual({ transport: { type: 'console' } });
  });
});

type Case = [name: string, env: Record<string, string>, config: LineageConfigInput | undefined, expected: unknown];

describe('resolveLineageConfig', () => {
  const cases: Case[] = [
    ['nothing is configured', {}, undefined, undefined],
    ['only unrelated sections are set', { OPENLINEAGE__TAGS__JOB__TEAM: 'data' }, undefined, undefined],
    [
      'OPENLINEAGE__ variables name an http transport',
      { OPENLINEAGE__TRANSPORT__TYPE: 'http', OPENLINEAGE__TRANSPORT__URL: 'http://marquez:5000' },
      undefined,
      { transport: http({ url: 'http://marquez:5000' }) },
    ],
    [
      'variables set every http setting, an all-digit API key and a header',
      {
        OPENLINEAGE__TRANSPORT__TYPE: 'http',
        OPENLINEAGE__TRANSPORT__URL: 'https://lineage.example.com/base/',
        OPENLINEAGE__TRANSPORT__ENDPOINT: 'v1/events',
        OPENLINEAGE__TRANSPORT__TIMEOUT: '1.5',
        OPENLINEAGE__TRANSPORT__COMPRESSION: 'gzip',
        OPENLINEAGE__TRANSPORT__AUTH__TYPE: 'api_key',
        OPENLINEAGE__TRANSPORT__AUTH__APIKEY: '12345',
        OPENLINEAGE__TRANSPORT__CUSTOM_HEADERS__X_TEAM: 'data',
        OPENLINEAGE__TRANSPORT__RETRY__TOTAL: '2',
      },
      undefined,
      {
        transport: http({
          url: 'https://lineage.example.com/base/',
          endpoint: 'v1/events',
          timeout: 1.5,
          compression: 'gzip',
          auth: { type: 'api_key', apiKey: '12345' },
          custom_headers: { x_team: 'data' },
          retry: { ...RETRY_DEFAULTS, total: 2 },
        }),
      },
    ],
    [
      'a JSON transport object beats nested variables',
      { OPENLINEAGE__TRANSPORT: '{"type":"console"}', OPENLINEAGE__TRANSPORT__TYPE: 'http' },
      undefined,
      { transport: { type: 'console' } },
    ],
    [
      'only legacy OPENLINEAGE_URL is set',
      { OPENLINEAGE_URL: 'http://marquez:5000' },
      undefined,
      { transport: http({ url: 'http://marquez:5000' }) },
    ],
    [
      'legacy URL, endpoint and API key are set',
      { OPENLINEAGE_URL: 'http://marquez:5000', OPENLINEAGE_ENDPOINT: 'api/v2/lineage', OPENLINEAGE_API_KEY: 's3cret' },
      undefined,
      { transport: http({ url: 'http://marquez:5000', endpoint: 'api/v2/lineage', auth: { type: 'api_key', apiKey: 's3cret' } }) },
    ],
    [
      'a transport with a type is configured besides the legacy URL',
      {
        OPENLINEAGE_URL: 'http://marquez:5000',
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: '/tmp/ol/events.jsonl',
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
      },
      undefined,
      { transport: { type: 'file', log_file_path: '/tmp/ol/events.jsonl', append: true } },
    ],
    [
      'OPENLINEAGE_DISABLED is true',
      { OPENLINEAGE_DISABLED: ' TRUE ', OPENLINEAGE_URL: 'http://marquez:5000' },
      { transport: { type: 'console' } },
      { transport: { type: 'noop', name: 'OPENLINEAGE_DISABLED=true' } },
    ],
    [
      'OPENLINEAGE_DISABLED is anything but true',
      { OPENLINEAGE_DISABLED: 'false', OPENLINEAGE_URL: 'http://m' },
      undefined,
      { transport: http({ url: 'http://m' }) },
    ],
    [
      'constructor config of the same type is merged over the environment',
      { OPENLINEAGE__TRANSPORT__TYPE: 'http', OPENLINEAGE__TRANSPORT__URL: 'http://env:5000', OPENLINEAGE__TRANSPORT__TIMEOUT: '9' },
      { transport: { type: 'http', url: 'http://explicit:5000' } },
      { transport: http({ url: 'http://explicit:5000', timeout: 9 }) },
    ],
    [
      'constructor config of another type replaces the environment transport',
      { OPENLINEAGE__TRANSPORT__TYPE: 'http', OPENLINEAGE__TRANSPORT__URL: 'http://env:5000' },
      { transport: { type: 'console' } },
      { transport: { type: 'console' } },
    ],
    [
      'constructor config beats the legacy URL',
      { OPENLINEAGE_URL: 'http://env:5000' },
      { transport: { type: 'noop' } },
      { transport: { type: 'noop' } },
    ],
    [
      'a composite is configured with named children and the legacy URL',
      {
        OPENLINEAGE__TRANSPORT__TYPE: 'composite',
        OPENLINEAGE__TRANSPORT__CONTINUE_ON_FAILURE: 'false',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__LOCAL__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__LOCAL__LOG_FILE_PATH: '/tmp/events.jsonl',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__EMPTY: '',
        OPENLINEAGE_URL: 'http://marquez:5000',
      },
      undefined,
      {
        transport: {
          type: 'composite',
          continue_on_failure: false,
          continue_on_success: true,
          sort_transports: false,
          transports: {
            local: { type: 'file', log_file_path: '/tmp/events.jsonl', append: false },
            default_http: http({ url: 'http://marquez:5000' }),
          },
        },
      },
    ],
    [
      'a composite lists its children',
      {},
      { transport: { type: 'composite', transports: [{ type: 'console' }, { type: 'noop', name: 'off' }] } },
      {
        transport: {
          type: 'composite',
          continue_on_failure: true,
          continue_on_success: true,
          sort_transports: false,
          transports: { 0: { type: 'console' }, 1: { type: 'noop', name: 'off' } },
        },
      },
    ],
  ];

  it.each(cases)('does resolve the config when %s', (_name, env, config, expected) => {
    expect(resolveLineageConfig({ env, config })).toEqual(expected);
  });

  const bad: Array<[name: string, env: Record<string, string>, config: LineageConfigInput | undefined, issues: string[]]> = [
    [
      'the url is not http(s)',
      {},
      { transport: { type: 'http', url: 'ftp://x' } },
      ['transport.url: expected an http(s) URL, got "ftp://x"'],
    ],
    ['the url is not a URL', {}, { transport: { type: 'http', url: 'x' } }, ['transport.url: expected an http(s) URL, got "x"']],
    ['the url is missing', {}, { transport: { type: 'http' } }, ['transport.url: missing; expected a string']],
    [
      'the type is unknown',
      { OPENLINEAGE__TRANSPORT__TYPE: 'kafka' },
      undefined,
      ['transport.type: expected one of "http", "file", "console", "noop", "composite", "transform", got "kafka"'],
    ],
    [
      'settings are given without a type',
      { OPENLINEAGE__TRANSPORT__URL: 'http://x' },
      undefined,
      ['transport.type: expected one of "http", "file", "console", "noop", "composite", "transform", got nothing'],
    ],
    [
      'several settings are wrong at once',
      {
        OPENLINEAGE__TRANSPORT__TYPE: 'http',
        OPENLINEAGE__TRANSPORT__URL: 'http://x',
        OPENLINEAGE__TRANSPORT__TIMEOUT: '5s',
        OPENLINEAGE__TRANSPORT__COMPRESSION: 'zip',
        OPENLINEAGE__TRANSPORT__VERIFY: 'no',
      },
      undefined,
      [
        'transport.timeout: expected a number, got "5s"',
        'transport.verify: expected true or false, got "no"',
        'transport.compression: expected "gzip", got "zip"',
      ],
    ],
    [
      'the timeout is not positive',
      {},
      { transport: { type: 'http', url: 'http://x', timeout: -1 } },
      ['transport.timeout: expected a number of seconds > 0, got -1'],
    ],
    [
      'a setting is misspelt',
      {},
      { transport: { type: 'http', url: 'http://x', endpont: 'api' } },
      [
        'transport.endpont: unknown http transport setting; allowed: type, url, endpoint, timeout, verify, auth, compression, custom_headers, retry, name, priority',
      ],
    ],
    [
      'the auth type is not api_key',
      {},
      { transport: { type: 'http', url: 'http://x', auth: { type: 'jwt', apiKey: 'k' } } },
      ['transport.auth.type: expected "api_key", got "jwt"'],
    ],
    [
      'auth is a bare string',
      { OPENLINEAGE__TRANSPORT__TYPE: 'http', OPENLINEAGE__TRANSPORT__URL: 'http://x', OPENLINEAGE__TRANSPORT__AUTH: 'topsecret' },
      undefined,
      ['transport.auth: expected an object, got a secret of 9 characters'],
    ],
    [
      'the API key is missing',
      {},
      { transport: { type: 'http', url: 'http://x', auth: { type: 'api_key' } } },
      ['transport.auth.apiKey: missing; expected a string'],
    ],
    [
      'the API key is empty',
      {},
      { transport: { type: 'http', url: 'http://x', auth: { type: 'api_key', apiKey: '' } } },
      ['transport.auth.apiKey: expected a non-empty API key, got a secret of 0 characters'],
    ],
    [
      'a header value holds a line break',
      {},
      { transport: { type: 'http', url: 'http://x', custom_headers: { 'X-A': 'a\r\nb' } } },
      ['transport.custom_headers.X-A: expected a header value without line breaks, got a secret of 4 characters'],
    ],
    [
      'a retry count is negative',
      {},
      { transport: { type: 'http', url: 'http://x', retry: { total: -1 } } },
      ['transport.retry.total: expected an integer >= 0, got -1'],
    ],
    [
      'the file path is missing',
      { OPENLINEAGE__TRANSPORT__TYPE: 'file' },
      undefined,
      ['transport.log_file_path: missing; expected a string'],
    ],
    [
      'append is not a boolean',
      { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: '/tmp/x', OPENLINEAGE__TRANSPORT__APPEND: 'True' },
      undefined,
      ['transport.append: expected true or false, got "True"'],
    ],
    [
      'a composite has no children',
      {},
      { transport: { type: 'composite', transports: [] } },
      ['transport.transports: expected at least one transport, got an object'],
    ],
    [
      'composite children are wrong',
      {},
      { transport: { type: 'composite', transports: { remote: { type: 'http', url: 'x' }, local: { type: 'file' } } } },
      [
        'transport.transports.remote.url: expected an http(s) URL, got "x"',
        'transport.transports.local.log_file_path: missing; expected a string',
      ],
    ],
    [
      'the legacy URL is not a URL',
      { OPENLINEAGE_URL: 'marquez:5000' },
      undefined,
      ['transport.url: expected an http(s) URL, got "marquez:5000"'],
    ],
  ];

  it.each(bad)('fails when %s', (_name, env, config, issues) => {
    let error: unknown;
    try {
      resolveLineageConfig({ env, config });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LineageConfigError);
    expect(isSluiceError(error)).toBe(true);
    expect((error as LineageConfigError).code).toBe('LINEAGE_CONFIG');
    expect((error as LineageConfigError).issues).toEqual(issues);
    expect((error as Error).message).toContain(issues.join('; '));
  });

  it('fails naming the legacy variables when OPENLINEAGE_URL is bad, without echoing the API key', () => {
    expect(() => resolveLineageConfig({ env: { OPENLINEAGE_URL: 'nope', OPENLINEAGE_API_KEY: 'topsecret' } })).toThrow(
      'invalid lineage configuration (OPENLINEAGE_URL, OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY): transport.url: expected an http(s) URL, got "nope"',
    );
    try {
      resolveLineageConfig({
        env: { OPENLINEAGE__TRANSPORT__TYPE: 'http', OPENLINEAGE__TRANSPORT__AUTH: '{"type":"jwt","apiKey":"topsecret"}' },
      });
    } catch (e) {
      expect((e as Error).message).not.toContain('topsecret');
    }
  });

  it('does read process.env when no env is given', () => {
    const saved = process.env['OPENLINEAGE_DISABLED'];
    process.env['OPENLINEAGE_DISABLED'] = 'true';
    try {
      expect(resolveLineageConfig()?.transport.type).toBe('noop');
    } finally {
      if (saved === undefined) delete process.env['OPENLINEAGE_DISABLED'];
      else process.env['OPENLINEAGE_DISABLED'] = saved;
    }
  });
});
