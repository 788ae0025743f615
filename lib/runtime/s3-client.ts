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
