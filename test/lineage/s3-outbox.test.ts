import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeliveryCircuit,
  DirectoryOutbox,
  HttpTransport,
  OpenLineageClient,
  SafeEmitter,
  replayOutbox,
  runEvent,
  uuidv7,
} from '../../lineage/index.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { S3Outbox } from '../../lib/runtime/lineage/s3-outbox.ts';
import { lineageOutboxFromEnvironment, lineageEmitter } from '../../lib/runtime/lineage/emitter.ts';
import { refusedUrl, startLineageServer } from './lineage-server.ts';
import { captureStderr } from '../support/environment.ts';

const BUCKET = 'pipeline-bucket';
let dir: string;
let s3: EmbeddedS3;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-s3-outbox-'));
  s3 = await startEmbeddedS3(join(dir, 's3'), [BUCKET]);
  env = {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
  };
});
afterAll(async () => {
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

const event = (name: string) => runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'sluice', name } });

describe('S3Outbox', () => {
  it('does keep entries under its prefix in order and ignore other objects', async () => {
    const outbox = S3Outbox.fromUrl(`s3://${BUCKET}/_sluice/outbox-a`, env);
    try {
      expect(await outbox.list()).toEqual([]);
      const names = [];
      for (let i = 0; i < 4; i += 1) names.push(await outbox.put(`{"n":${i}}`));
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: EMBEDDED_S3_CREDENTIALS,
      });
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: '_sluice/outbox-a/readme.txt', Body: 'not an entry' }));
      client.destroy();
      const sibling = S3Outbox.fromUrl(`s3://${BUCKET}/_sluice/outbox-ab`, env);
      await sibling.put('{}');
      sibling.close();
      expect(await outbox.list()).toEqual(names);
      expect(await outbox.read(names[2]!)).toBe('{"n":2}');
      await outbox.remove(names[0]!);
      expect(await outbox.list()).toEqual(names.slice(1));
      expect(outbox.describe()).toBe(`s3://${BUCKET}/_sluice/outbox-a/`);
    } finally {
      outbox.close();
    }
  });

  it('does hold what a step emitter could not deliver, and replay delivers it once', async () => {
    const url = await refusedUrl();
    const emitter = lineageEmitter({ ...env, OPENLINEAGE_URL: url, SLUICE_LINEAGE_OUTBOX: `s3://${BUCKET}/_sluice/outbox-b` });
    const { stderr } = await captureStderr(async () => {
      for (const name of ['churn', 'churn.ingest', 'churn.test']) await emitter.emit(event(name));
    });
    expect(emitter.stats()).toMatchObject({ delivered: 0, outboxed: 3 });
    expect(
      stderr.match(
        /^sluice: warning: lineage event START churn\S* .* kept in the outbox \(s3:\/\/pipeline-bucket\/_sluice\/outbox-b\/\)/gm,
      ),
    ).toHaveLength(3);

    const server = await startLineageServer();
    const outbox = S3Outbox.fromUrl(`s3://${BUCKET}/_sluice/outbox-b`, env);
    try {
      const client = new OpenLineageClient({ env: { OPENLINEAGE_URL: server.url } });
      expect((await replayOutbox(outbox, client)).delivered).toHaveLength(3);
      expect((await replayOutbox(outbox, client)).delivered).toHaveLength(0);
      expect(server.requests.map((r) => (JSON.parse(r.body) as { job: { name: string } }).job.name)).toEqual([
        'churn',
        'churn.ingest',
        'churn.test',
      ]);
    } finally {
      outbox.close();
      await server.close();
    }
  });

  it('does report an unreachable S3 as a lost event without failing the caller', async () => {
    const outbox = S3Outbox.fromUrl(`s3://${BUCKET}/x`, { ...env, AWS_ENDPOINT_URL_S3: await refusedUrl() });
    const errors: string[] = [];
    const client = new OpenLineageClient({ transport: new HttpTransport({ url: await refusedUrl(), retry: { total: 0 } }) });
    const result = await new SafeEmitter(client, { outbox, circuit: new DeliveryCircuit(), onError: (m) => errors.push(m) }).emit(
      event('churn'),
    );
    expect(result).toMatchObject({ delivered: false });
    expect(errors[0]).toMatch(/could not be stored in the outbox \(s3:\/\/pipeline-bucket\/x\/\), so it is lost/);
    outbox.close();
  });
});

describe('lineageOutboxFromEnvironment', () => {
  it('does choose S3 for an s3:// URL (one per place), a directory otherwise, and none when unset', () => {
    const s3Env = { SLUICE_LINEAGE_OUTBOX: 's3://my-bucket/lineage' };
    expect(lineageOutboxFromEnvironment(s3Env)).toBeInstanceOf(S3Outbox);
    expect(lineageOutboxFromEnvironment({ ...s3Env })).toBe(lineageOutboxFromEnvironment(s3Env));
    expect(lineageOutboxFromEnvironment({ SLUICE_LINEAGE_OUTBOX: join(dir, 'o') })).toBeInstanceOf(DirectoryOutbox);
    expect(lineageOutboxFromEnvironment({})).toBeUndefined();
  });

  it('fails naming the variable when the S3 URL has no valid bucket', () => {
    expect(() => lineageOutboxFromEnvironment({ SLUICE_LINEAGE_OUTBOX: 's3://Bad_Bucket/x' })).toThrow(
      'SLUICE_LINEAGE_OUTBOX: expected s3://<bucket>/<prefix> or a directory, got "s3://Bad_Bucket/x"',
    );
  });
});
