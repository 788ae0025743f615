import { readdir, stat } from 'node:fs/promises';
import { SluiceError } from '../../../core/errors.ts';
import { stateDirLayout } from '../../../core/state-dir.ts';
import { ObjectStore } from '../../runtime/object-store.ts';
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3 } from '../embedded-s3.ts';
import { LOCAL_REGION } from '../handler-environment.ts';

/** Objects to look at, through the same ObjectStore steps use: a state directory's embedded S3, or S3 itself. */
export interface StoredObjects {
  readonly store: ObjectStore;
  /** Where the objects are, for people (`/path/.sluice/s3 (embedded S3)`, `S3 (eu-west-1)`). */
  readonly describe: string;
  /** The buckets there are to look in, when they can be listed without a pipeline (the embedded S3's). */
  readonly buckets?: readonly string[];
  close(): Promise<void>;
}

/**
 * Opens the objects local runs left in a state directory, served by the embedded S3 over its `s3/` folder, or, with
 * `s3`, the S3 endpoint the environment configures (AWS_REGION, AWS_PROFILE or keys, AWS_ENDPOINT_URL_S3 for an
 * S3-compatible server). Either way reads go through {@link ObjectStore}, as a step's do; nothing is written.
 */
export async function openStoredObjects(
  where: { readonly stateDir?: string } | { readonly s3: true; readonly env?: NodeJS.ProcessEnv },
): Promise<StoredObjects> {
  if ('s3' in where) {
    const env = where.env ?? process.env;
    const store = new ObjectStore(env);
    const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    return {
      store,
      describe: endpoint ? `S3 at ${endpoint}` : `S3${env.AWS_REGION ? ` (${env.AWS_REGION})` : ''}`,
      // The process's shared S3 client stays open for its other users (runtime/s3-client.ts).
      close: async () => undefined,
    };
  }
  const layout = stateDirLayout(where.stateDir);
  const folder = await stat(layout.s3).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new SluiceError(
      'EXPLORE_NO_STATE',
      `--state-dir: ${layout.root} holds no objects (no ${layout.s3}); run a pipeline there first (sluice run), or give the state directory it used`,
    );
  }
  const buckets = (await readdir(layout.s3, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const s3 = await startEmbeddedS3(layout.s3, buckets);
  const store = new ObjectStore({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
  });
  return {
    store,
    describe: `${layout.s3} (embedded S3)`,
    buckets,
    async close() {
      await s3.stop();
    },
  };
}
