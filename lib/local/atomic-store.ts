import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The part of s3rver's file store that object writes go through. */
export interface S3rverFileStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5?: string): Promise<void>;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  putObject(object: {
    bucket: string;
    key: string;
    content: Buffer | Readable;
    metadata: Record<string, unknown>;
  }): Promise<{ size: number; md5: string }>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata?: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
}

/** A file beside `path` that s3rver's listings skip (they take only names ending in `._S3rver_object`). */
function partialBeside(path: string): string {
  return join(dirname(path), `.sluice-${randomUUID()}.partial`);
}

/**
 * Makes the embedded S3's writes atomic, as S3's are: s3rver writes an object in place, so a killed upload left a
 * truncated object at its key and two uploads to one key interleaved their bytes. Each object is now written beside
 * its key and renamed into place whole, its ETag file right after.
 */
export function makeWritesAtomic(store: S3rverFileStore): void {
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const partial = partialBeside(path);
    const md5 = createHash('md5');
    let size = 0;
    try {
      const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          md5.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(content, count, createWriteStream(partial, { flush: true }));
      const digest = md5.digest('hex');
      await rename(partial, path);
      await store.putMetadata(object.bucket, object.key, object.metadata, digest);
      return { size, md5: digest };
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  };
  const copy = store.copyObject.bind(store);
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const from = store.getResourcePath(srcBucket, srcKey, 'object');
    const to = store.getResourcePath(destBucket, destKey, 'object');
    if (from === to) return copy(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    const source = await store.getMetadata(srcBucket, srcKey);
    await mkdir(dirname(to), { recursive: true });
    const partial = partialBeside(to);
    try {
      await copyFile(from, partial);
      await rename(partial, to);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    if (replacementMetadata) await store.putMetadata(destBucket, destKey, replacementMetadata, JSON.parse(String(source.etag)));
    else {
      await writeFile(store.getResourcePath(destBucket, destKey, 'object.md5'), JSON.parse(String(source.etag)) as string);
      await copyFile(
        store.getResourcePath(srcBucket, srcKey, 'metadata.json'),
        store.getResourcePath(destBucket, destKey, 'metadata.json'),
      ).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    return store.getMetadata(destBucket, destKey);
  };
}
