import { mkdir, mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWritesAtomic, type S3rverFileStore } from '../../lib/local/atomic-store.ts';
import { withStoredObjects } from '../support/local-s3.ts';

describe('reads pinned to the version a run was started for or a record names', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-pinned-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an object overwritten since, instead of reading the other upload', async () => {
    await withStoredObjects(join(dir, 's3'), ['pinned'], async (store) => {
      const first = await store.putText('pinned', 'raw/data.csv', 'id\nfirst\n', 'text/csv');
      expect((await store.download('pinned', 'raw/data.csv', join(dir, 'a'), { etag: first.etag })).etag).toBe(first.etag);
      await store.putText('pinned', 'raw/data.csv', 'id\nsecond\n', 'text/csv');
      await expect(store.download('pinned', 'raw/data.csv', join(dir, 'b'), { etag: first.etag })).rejects.toMatchObject({
        code: 'STORE_OBJECT_CHANGED',
        message: expect.stringContaining(
          `s3://pinned/raw/data.csv is no longer the version this run was started for or recorded (ETag ${first.etag}`,
        ),
      });
    });
  });

  it('refuses bytes that do not match the ETag, as a crashed writer would leave them', async () => {
    const s3 = join(dir, 's3-damaged');
    const written = await withStoredObjects(s3, ['pinned'], (store) =>
      store.putText('pinned', 'staged/batch=b1/data.parquet', 'x'.repeat(4096)),
    );
    const folder = join(s3, 'pinned', 'staged', 'batch=b1');
    const object = (await readdir(folder)).find((f) => f.endsWith('._S3rver_object'))!;
    await truncate(join(folder, object), 100);
    await withStoredObjects(s3, ['pinned'], async (store) => {
      await expect(store.download('pinned', 'staged/batch=b1/data.parquet', join(dir, 'c'), { etag: written.etag })).rejects.toMatchObject({
        code: 'STORE_OBJECT_CHANGED',
      });
    });
  });

  it('leaves the old object whole, and no partial file, when an upload breaks off', async () => {
    const root = join(dir, 's3-partial');
    await mkdir(join(root, 'pinned'), { recursive: true });
    const { default: FilesystemStore } = (await import(join(process.cwd(), 'node_modules/s3rver/lib/stores/filesystem.js'))) as {
      default: new (root: string) => S3rverFileStore & { getObject(b: string, k: string): Promise<{ content: NodeJS.ReadableStream }> };
    };
    const store = new FilesystemStore(root);
    makeWritesAtomic(store);
    await store.putObject({ bucket: 'pinned', key: 'raw/big.bin', content: Buffer.from('old'), metadata: {} });
    const broken = Readable.from(
      (async function* () {
        yield Buffer.alloc(1 << 20, 7);
        throw new Error('the client was killed');
      })(),
    );
    await expect(store.putObject({ bucket: 'pinned', key: 'raw/big.bin', content: broken, metadata: {} })).rejects.toThrow(
      'the client was killed',
    );
    const chunks: Buffer[] = [];
    for await (const chunk of (await store.getObject('pinned', 'raw/big.bin')).content) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('old');
    expect((await readdir(join(root, 'pinned', 'raw'))).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
