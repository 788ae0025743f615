import { mkdir } from 'node:fs/promises';
import S3rver, { type S3rverEvent } from 's3rver';
import { makeWritesAtomic } from './atomic-store.ts';

/** Credentials s3rver accepts. */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A running embedded S3 server. */
export interface EmbeddedS3 {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Called for every object-created notification (classic S3 notification records). */
  onObjectCreated(listener: (record: S3rverEvent['Records'][number]) => void): () => void;
  stop(): Promise<void>;
}

/**
 * Starts s3rver in-process on 127.0.0.1 (a free port), keeping its objects under `directory` so they survive
 * between runs, with the given buckets created.
 */
export async function startEmbeddedS3(directory: string, buckets: readonly string[]): Promise<EmbeddedS3> {
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [...new Set(buckets)].map((name) => ({ name })),
  });
  makeWritesAtomic(server.store);
  const address = await server.run();
  const listeners = new Set<(record: S3rverEvent['Records'][number]) => void>();
  server.on('event', (event) => {
    for (const record of event.Records) {
      if (record.eventName.startsWith('ObjectCreated:')) for (const listener of listeners) listener(record);
    }
  });
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      // Keep-alive sockets from SDK clients would hold close() open.
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
