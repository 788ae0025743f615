import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from '../../lib/local/embedded-s3.ts';
import { ObjectStore } from '../../lib/runtime/object-store.ts';

describe('the object store under a local run', () => {
  let dir: string;
  let s3: EmbeddedS3;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-store-'));
    s3 = await startEmbeddedS3(join(dir, 's3'), ['data']);
    env = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
      SLUICE_EMBEDDED_S3_DIR: join(dir, 's3'),
    };
    await writeFile(join(dir, 'a.txt'), 'first version');
  });
  afterAll(async () => {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads an object where the embedded S3 keeps it when it holds the version asked for', async () => {
    const store = new ObjectStore(env);
    const written = await store.upload('data', 'staged/batch=1/a.txt', join(dir, 'a.txt'));
    const read = await store.read(written, join(dir, 'download.txt'));
    // A hard link to the embedded S3's own file: no transfer, and the bytes stay even if the key is overwritten.
    expect(read.path).toBe(join(dir, 'download.txt'));
    expect((await stat(read.path)).ino).toBe((await stat(join(dir, 's3', 'data', 'staged', 'batch=1', 'a.txt._S3rver_object'))).ino);
    expect(await readFile(read.path, 'utf8')).toBe('first version');
    expect(read.version).toMatchObject({ etag: written.etag, size: written.size });
  });

  it('refuses a version the store no longer holds, and downloads when not under a local run', async () => {
    const store = new ObjectStore(env);
    const first = await store.upload('data', 'staged/batch=2/a.txt', join(dir, 'a.txt'));
    await store.putText('data', 'staged/batch=2/a.txt', 'second version');
    // Never the other version's bytes under this version's name.
    await expect(store.read(first, join(dir, 'stale.txt'))).rejects.toMatchObject({ code: 'STORE_OBJECT_CHANGED' });
    const { SLUICE_EMBEDDED_S3_DIR: _, ...remote } = env;
    const current = await new ObjectStore(remote).head('data', 'staged/batch=2/a.txt');
    expect((await new ObjectStore(remote).read(current, join(dir, 'remote.txt'))).path).toBe(join(dir, 'remote.txt'));
  });

  it('never reads in place a key that would lead outside the embedded S3 directory', async () => {
    const store = new ObjectStore(env);
    await writeFile(join(dir, 'outside._S3rver_object'), 'not an object');
    await writeFile(join(dir, 'outside._S3rver_object.md5'), 'abc');
    const read = await store.read({ bucket: 'data', key: '../../outside', etag: 'abc' }, join(dir, 'x')).catch(() => undefined);
    expect(read?.path).not.toBe(join(dir, 'outside._S3rver_object'));
  });

  it('names the copy by the version the copy answered with', async () => {
    const store = new ObjectStore(env);
    const source = await store.upload('data', 'staged/batch=3/a.txt', join(dir, 'a.txt'));
    const copied = await store.copy(source, { bucket: 'data', key: 'published/batch=3/a.txt' });
    expect(copied).toEqual(await store.head('data', 'published/batch=3/a.txt'));
  });
});
