import { CLAIM_LAPSES_MS, isOutboxEntryName, outboxEntryName } from '../../../lineage/index.ts';
import type { LineageOutbox } from '../../../lineage/index.ts';
import { SluiceError } from '../../../core/errors.ts';
import { S3_URL_PATTERN } from '../../../core/identifiers.ts';
import { connectS3, type S3Connection } from '../s3-client.ts';
import { SLUICE_ENV } from '../../../core/env.ts';

/** Env var naming where undelivered lineage events are kept: `s3://bucket/prefix` in Lambda, a directory locally. */
export const LINEAGE_OUTBOX_ENV = SLUICE_ENV.lineageOutbox;

/**
 * An outbox under an S3 prefix (one object per event, `<prefix>/<entry>.json`), for Lambda, where the local disk
 * does not outlive the instance. The client is made on first use, so steps whose events are delivered pay nothing.
 */
export class S3Outbox implements LineageOutbox {
  readonly bucket: string;
  readonly prefix: string;
  readonly #env: NodeJS.ProcessEnv;
  #s3: Promise<S3Connection> | undefined;

  constructor(bucket: string, prefix: string, env: NodeJS.ProcessEnv = process.env) {
    this.bucket = bucket;
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.#env = env;
  }

  /** Parses `s3://bucket/prefix` (the prefix may be empty). */
  static fromUrl(url: string, env: NodeJS.ProcessEnv = process.env): S3Outbox {
    const match = S3_URL_PATTERN.exec(url);
    if (!match) {
      throw new SluiceError(
        'LINEAGE_CONFIG',
        `${LINEAGE_OUTBOX_ENV}: expected s3://<bucket>/<prefix> or a directory, got ${JSON.stringify(url)}`,
      );
    }
    return new S3Outbox(match[1]!, match[2] ?? '', env);
  }

  #client(): Promise<S3Connection> {
    // Read from the env given (the handler's); an outbox write happens while a step waits, so it is bounded like the delivery it replaces.
    return (this.#s3 ??= connectS3(this.#env, { timeouts: { connectionMs: 1000, requestMs: 3000 } }));
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
        new sdk.ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix === '' ? '' : `${this.prefix}/`,
          ContinuationToken: token,
        }),
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

  /**
   * Claims an entry with a marker object `_claims/<entry>` written only if none exists (If-None-Match), which one
   * writer wins; a marker older than the claim lapse is from a killed replay and is replaced.
   */
  async claim(name: string): Promise<boolean> {
    const { sdk, client } = await this.#client();
    const marker = this.#key(`_claims/${name}`);
    const put = () =>
      client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: marker, Body: new Date().toISOString(), IfNoneMatch: '*' }));
    try {
      await put();
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 412) throw error;
    }
    const held = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: marker })).catch(() => undefined);
    if (held?.LastModified && Date.now() - held.LastModified.getTime() < CLAIM_LAPSES_MS) return false;
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: marker }));
    try {
      await put();
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes the claim marker. */
  async release(name: string): Promise<void> {
    const { sdk, client } = await this.#client();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(`_claims/${name}`) }));
  }

  /** Deletes the object, then its claim. */
  async remove(name: string): Promise<void> {
    const { sdk, client } = await this.#client();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }));
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(`_claims/${name}`) }));
  }

  /** `s3://bucket/prefix/`. */
  describe(): string {
    return `s3://${this.bucket}/${this.prefix === '' ? '' : `${this.prefix}/`}`;
  }

  /** Releases the client's sockets. */
  close(): void {
    const s3 = this.#s3;
    this.#s3 = undefined;
    void s3?.then(
      ({ client }) => client.destroy(),
      () => {},
    );
  }
}
