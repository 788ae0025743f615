import type { S3Client } from '@aws-sdk/client-s3';
import { DirectoryOutbox, OpenLineageClient, SafeEmitter, isOutboxEntryName, outboxEntryName } from '../../../lineage/index.ts';
import type { LineageOutbox } from '../../../lineage/index.ts';
import { SluiceError } from '../../../core/errors.ts';

type S3Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<S3Sdk> | undefined;
// The SDK costs ~75 ms to import: only a step whose event must be kept pays for it (as in object-store.ts).
const loadSdk = (): Promise<S3Sdk> => (sdk ??= import('@aws-sdk/client-s3'));

/** Env var naming where undelivered lineage events are kept: `s3://bucket/prefix` in Lambda, a directory locally. */
export const LINEAGE_OUTBOX_ENV = 'SLUICE_LINEAGE_OUTBOX';

/**
 * An outbox under an S3 prefix (one object per event, `<prefix>/<entry>.json`), for Lambda, where the local disk
 * does not outlive the instance. The client is made on first use, so steps whose events are delivered pay nothing.
 */
export class S3Outbox implements LineageOutbox {
  readonly bucket: string;
  readonly prefix: string;
  readonly #env: NodeJS.ProcessEnv;
  #s3: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;

  constructor(bucket: string, prefix: string, env: NodeJS.ProcessEnv = process.env) {
    this.bucket = bucket;
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.#env = env;
  }

  /** Parses `s3://bucket/prefix` (the prefix may be empty). */
  static fromUrl(url: string, env: NodeJS.ProcessEnv = process.env): S3Outbox {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
    if (!match) {
      throw new SluiceError('LINEAGE_CONFIG', `${LINEAGE_OUTBOX_ENV}: expected s3://<bucket>/<prefix> or a directory, got ${JSON.stringify(url)}`);
    }
    return new S3Outbox(match[1]!, match[2] ?? '', env);
  }

  #client(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    const env = this.#env;
    const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    const keys = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
    this.#s3 ??= loadSdk().then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
        // Read from the env given (the handler's), not whatever the process has; absent keys use the SDK's chain.
        ...(keys
          ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, sessionToken: env.AWS_SESSION_TOKEN } }
          : {}),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // An outbox write happens while a step waits; bound it like the delivery it replaces.
        requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      }),
    }));
    return this.#s3;
  }

  #key(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }

  /** Stores the event as a new object. */
  async put(json: string): Promise<string> {
    const name = outboxEntryName();
    const { sdk, client } = await this.#client();
    await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.#key(name), Body: json, ContentType: 'application/json' }));
    return name;
  }

  /** Entry names under the prefix, oldest first. */
  async list(): Promise<string[]> {
    const names: string[] = [];
    const { sdk, client } = await this.#client();
    let token: string | undefined;
    do {
      const out = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix === '' ? '' : `${this.prefix}/`, ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) {
        const name = o.Key?.slice(this.prefix === '' ? 0 : this.prefix.length + 1);
        if (name && isOutboxEntryName(name)) names.push(name);
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return names.sort();
  }

  /** The stored event. */
  async read(name: string): Promise<string> {
    const { sdk, client } = await this.#client();
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }));
    if (!out.Body) throw new SluiceError('STORE_READ', `get s3://${this.bucket}/${this.#key(name)}: no body in the response`);
    return out.Body.transformToString('utf8');
  }

  /** Deletes the object. */
  async remove(name: string): Promise<void> {
    const { sdk, client } = await this.#client();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }));
  }

  /** `s3://bucket/prefix/`. */
  describe(): string {
    return `s3://${this.bucket}/${this.prefix === '' ? '' : `${this.prefix}/`}`;
  }

  /** Releases the client's sockets. */
  close(): void {
    const s3 = this.#s3;
    this.#s3 = undefined;
    void s3?.then(({ client }) => client.destroy(), () => {});
  }
}

// One S3 outbox (and so one client and its sockets) per place, reused by every invocation of a warm Lambda.
const s3Outboxes = new Map<string, S3Outbox>();

/** The outbox `SLUICE_LINEAGE_OUTBOX` names (an S3 prefix or a directory), or undefined when it is unset. */
export function lineageOutboxFromEnvironment(env: NodeJS.ProcessEnv = process.env): LineageOutbox | undefined {
  const where = env[LINEAGE_OUTBOX_ENV]?.trim();
  if (!where) return undefined;
  if (!where.startsWith('s3://')) return new DirectoryOutbox(where);
  const key = [where, env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL, env.AWS_REGION, env.AWS_ACCESS_KEY_ID].join(' ');
  let outbox = s3Outboxes.get(key);
  if (!outbox) {
    outbox = S3Outbox.fromUrl(where, env);
    s3Outboxes.set(key, outbox);
  }
  return outbox;
}

/**
 * The emitter a step (or a local run) sends lineage through: the OpenLineage client configured from `env` (and
 * openlineage.yml), wrapped in a SafeEmitter that keeps undelivered events in the outbox of `SLUICE_LINEAGE_OUTBOX`.
 */
export function stepLineageEmitter(env: NodeJS.ProcessEnv = process.env): SafeEmitter {
  return new SafeEmitter(new OpenLineageClient({ env }), { outbox: lineageOutboxFromEnvironment(env) });
}
