import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileTransport,
  HttpTransport,
  LineageConfigError,
  OpenLineageClient,
  resolveLineageConfig,
  runEvent,
  uuidv7,
} from '../../lineage/index.ts';
import { findLineageConfigFile } from '../../lineage/client/config-file.ts';
import { startLineageServer } from './lineage-server.ts';
import type { LineageServer } from './lineage-server.ts';

let dir: string;
let cwd: string;
let home: string;
let server: LineageServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-yaml-'));
  cwd = join(dir, 'project');
  home = join(dir, 'home');
  await mkdir(cwd, { recursive: true });
  await mkdir(join(home, '.openlineage'), { recursive: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const event = () => runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn.ingest' } });

describe('openlineage.yml', () => {
  it('does honour a Python file transport with append when the file is in the working directory', async () => {
    const log = join(dir, 'out', 'events.jsonl');
    await writeFile(join(cwd, 'openlineage.yml'), `transport:\n  type: file\n  log_file_path: ${log}\n  append: true\n`);
    const client = new OpenLineageClient({ env: { HOME: home }, cwd });
    expect(client.transport).toBeInstanceOf(FileTransport);
    await client.emit(event());
    await client.emit(event());
    expect((await readFile(log, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('does send the api_key from a Python http transport as a Bearer header', async () => {
    server = await startLineageServer();
    await writeFile(
      join(home, '.openlineage', 'openlineage.yml'),
      `transport:\n  type: http\n  url: ${server.url}\n  endpoint: api/v1/lineage\n  auth:\n    type: api_key\n    apiKey: yaml-key\n`,
    );
    const client = new OpenLineageClient({ env: { HOME: home }, cwd });
    expect(client.transport).toBeInstanceOf(HttpTransport);
    await client.emit(event());
    expect(server.requests.map((r) => [r.url, r.headers['authorization']])).toEqual([['/api/v1/lineage', 'Bearer yaml-key']]);
  });

  it('does pick OPENLINEAGE_CONFIG first, then ./openlineage.yml, then ~/.openlineage/openlineage.yml', async () => {
    const explicit = join(dir, 'custom.yml');
    await writeFile(explicit, 'transport: {type: console}\n');
    await writeFile(join(cwd, 'openlineage.yml'), 'transport: {type: noop}\n');
    await writeFile(join(home, '.openlineage', 'openlineage.yml'), 'transport: {type: file, log_file_path: x}\n');
    expect(findLineageConfigFile({ env: { HOME: home, OPENLINEAGE_CONFIG: explicit }, cwd })).toBe(explicit);
    expect(findLineageConfigFile({ env: { HOME: home, OPENLINEAGE_CONFIG: join(dir, 'missing.yml') }, cwd })).toBe(
      join(cwd, 'openlineage.yml'),
    );
    await rm(join(cwd, 'openlineage.yml'));
    expect(findLineageConfigFile({ env: { HOME: home }, cwd })).toBe(join(home, '.openlineage', 'openlineage.yml'));
    expect(resolveLineageConfig({ env: { HOME: home }, cwd })?.transport).toEqual({ type: 'file', log_file_path: 'x', append: false });
  });

  it('does let constructor config beat the file and the file beat OPENLINEAGE__ variables', async () => {
    await writeFile(join(cwd, 'openlineage.yml'), 'transport:\n  type: http\n  url: http://from-yaml:5000\n  timeout: 2\n');
    const env = { HOME: home, OPENLINEAGE__TRANSPORT__URL: 'http://from-env:5000', OPENLINEAGE__TRANSPORT__ENDPOINT: 'env/endpoint' };
    const fromFile = resolveLineageConfig({ env, cwd })?.transport;
    expect(fromFile).toMatchObject({ type: 'http', url: 'http://from-yaml:5000', timeout: 2, endpoint: 'env/endpoint' });
    const explicit = resolveLineageConfig({ env, cwd, config: { transport: { url: 'http://from-code:5000' } } })?.transport;
    expect(explicit).toMatchObject({ url: 'http://from-code:5000', timeout: 2, endpoint: 'env/endpoint' });
  });

  it('does count a file found as configuration, so callers do not fall back to their default', async () => {
    expect(resolveLineageConfig({ env: { HOME: home }, cwd })).toBeUndefined();
    await writeFile(join(cwd, 'openlineage.yml'), 'transport:\n  type: console\n');
    expect(resolveLineageConfig({ env: { HOME: home }, cwd })).toEqual({ transport: { type: 'console' } });
  });

  it('does treat an empty file as no configuration', async () => {
    await writeFile(join(cwd, 'openlineage.yml'), '');
    expect(resolveLineageConfig({ env: { HOME: home, OPENLINEAGE_URL: 'http://legacy:5000' }, cwd })?.transport).toMatchObject({
      url: 'http://legacy:5000',
    });
  });

  it('fails naming the file when the YAML does not parse, without echoing its content', async () => {
    const path = join(cwd, 'openlineage.yml');
    await writeFile(path, 'transport:\n  type: http\n  auth: {apiKey: "s3cret\n');
    const build = () => new OpenLineageClient({ env: { HOME: home }, cwd });
    expect(build).toThrow(LineageConfigError);
    expect(build).toThrow(`invalid lineage configuration (${path}): ${path}: not valid YAML`);
    expect(() => build()).not.toThrow(/s3cret/);
  });

  it('fails naming the file when its top level is not a mapping', async () => {
    const path = join(cwd, 'openlineage.yml');
    await writeFile(path, '- type: console\n');
    expect(() => resolveLineageConfig({ env: { HOME: home }, cwd })).toThrow(
      `${path}: expected a mapping with a "transport" section at the top level, got a list`,
    );
  });

  it('fails naming the file and the setting when a value in the file is wrong', async () => {
    const path = join(cwd, 'openlineage.yml');
    await writeFile(path, 'transport:\n  type: http\n  url: ftp://nope\n');
    expect(() => resolveLineageConfig({ env: { HOME: home }, cwd })).toThrow(
      `invalid lineage configuration (${path}, OPENLINEAGE__* variables): transport.url: expected an http(s) URL, got "ftp://nope"`,
    );
  });
});
