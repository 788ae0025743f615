import { readFile } from 'node:fs/promises';
import { ObjectStore } from '../../lib/runtime/object-store.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../../lib/local/embedded-s3.ts';

/** Opens the embedded S3 a run left behind, to inspect what it wrote. */
export async function withStoredObjects<T>(
  directory: string,
  buckets: string[],
  inspect: (store: ObjectStore, endpoint: string) => Promise<T>,
): Promise<T> {
  const s3 = await startEmbeddedS3(directory, buckets);
  const store = new ObjectStore({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, region: process.env.AWS_REGION };
  process.env.AWS_ACCESS_KEY_ID = EMBEDDED_S3_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_S3_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  try {
    return await inspect(store, s3.endpoint);
  } finally {
    await s3.stop();
    restore('AWS_ACCESS_KEY_ID', saved.id);
    restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    restore('AWS_REGION', saved.region);
  }
}

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

/** Reads a JSON-lines lineage file. */
export async function readEvents(file: string): Promise<Array<Record<string, any>>> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
}
