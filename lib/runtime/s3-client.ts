import type { S3Client } from '@aws-sdk/client-s3';
import { AWS_S3_ENDPOINT_ENV } from '../../core/env.ts';

/** The AWS SDK's S3 module. */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** An S3 client with the SDK module it came from (commands are built from the same module). */
export interface S3Connection {
  readonly sdk: S3Sdk;
  readonly client: S3Client;
}

let sdk: Promise<S3Sdk> | undefined;
// The SDK costs ~75 ms to import: loaded on first use, so a handler's cold start does not pay for it up front.
const loadSdk = (): Promise<S3Sdk> => (sdk ??= import('@aws-sdk/client-s3'));

/** Options of {@link connectS3}. */
export interface ConnectS3Options {
  /** Bounds for requests made while a step waits (the lineage outbox); none by default. */
  readonly timeouts?: { readonly connectionMs: number; readonly requestMs: number };
}

/**
 * An S3 client configured from `env` only, exactly as in Lambda: the endpoint (`AWS_ENDPOINT_URL_S3`, for the
 * embedded S3 or any S3-compatible server, path-style), the region and keys when set, else the SDK's own chain.
 */
export async function connectS3(env: NodeJS.ProcessEnv, options: ConnectS3Options = {}): Promise<S3Connection> {
  const module = await loadSdk();
  const endpoint = AWS_S3_ENDPOINT_ENV.map((name) => env[name]).find((value) => value);
  const keys = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  const client = new module.S3Client({
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(keys
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID!,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
            sessionToken: env.AWS_SESSION_TOKEN,
          },
        }
      : {}),
    // Streamed uploads are stored with aws-chunked framing by endpoints without flexible checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(options.timeouts
      ? { requestHandler: { connectionTimeout: options.timeouts.connectionMs, requestTimeout: options.timeouts.requestMs } }
      : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
  return { sdk: module, client };
}

// Clients kept for the process, by configuration: a warm Lambda's invocations (and a local run's steps) reuse one
// client and its sockets instead of building both every time. Few configurations exist; the oldest is dropped.
const shared = new Map<string, Promise<S3Connection>>();
const SHARED_CLIENTS = 4;

/** The process's S3 client for `env` (the same endpoint, region and keys give the same client); never destroy it. */
export function sharedS3(env: NodeJS.ProcessEnv): Promise<S3Connection> {
  const key = JSON.stringify([
    ...AWS_S3_ENDPOINT_ENV.map((name) => env[name]),
    env.AWS_REGION,
    env.AWS_ACCESS_KEY_ID,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
  ]);
  let connection = shared.get(key);
  if (!connection) {
    connection = connectS3(env);
    shared.set(key, connection);
    connection.catch(() => shared.delete(key));
    if (shared.size > SHARED_CLIENTS) {
      const [oldest, dropped] = shared.entries().next().value as [string, Promise<S3Connection>];
      shared.delete(oldest);
      void dropped.then(({ client }) => client.destroy()).catch(() => undefined);
    }
  }
  return connection;
}
