import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, rm, stat } from 'node:fs/promises';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSluiceError, SluiceError } from '../../core/errors.ts';
import { sharedS3, type S3Connection } from './s3-client.ts';
import { embeddedObjectFile } from './embedded-object-file.ts';

/** The version of an object a reader must get: by version id, else by ETag. */
export interface ExpectedVersion {
  readonly etag?: string | null;
  readonly versionId?: string | null;
}

const PLAIN_ETAG = /^[0-9a-f]{32}$/i;

async function fileMd5(file: string): Promise<string> {
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(file)) md5.update(chunk as Buffer);
  return md5.digest('hex');
}

function changed(uri: string, etag: string, found: string): SluiceError {
  return new SluiceError(
    'STORE_OBJECT_CHANGED',
    `${uri} is no longer the version this run was started for or recorded (ETag ${etag}, found ${found}): it was overwritten or damaged after it was written; nothing of another version is read`,
  );
}

/** An object and the version of it a reader must get (its version id, else its ETag; neither: the current one). */
export interface PinnedObject {
  readonly bucket: string;
  readonly key: string;
  readonly etag?: string | null | undefined;
  readonly versionId?: string | null | undefined;
}

/** Identity of one stored object version. */
export interface ObjectVersion {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly versionId?: string;
  readonly size: number;
  /** When the object was written (listings only). */
  readonly lastModified?: Date;
}

/**
 * Object access for steps, over any S3 endpoint. The client is configured from the environment only
 * (AWS_ENDPOINT_URL_S3, AWS_REGION, credentials), exactly as in Lambda, so the embedded S3 is just configuration;
 * stores with the same configuration share one client.
 */
export class ObjectStore {
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = { ...env };
  }

  #client(): Promise<S3Connection> {
    return sharedS3(this.#env);
  }

  /**
   * A local file holding an object version: under a local run, the embedded S3's own file when it holds exactly
   * `object.etag` (read in place, no transfer); otherwise the object downloaded to `file`.
   */
  async read(object: PinnedObject, file: string): Promise<{ path: string; version: ObjectVersion }> {
    const { bucket, key } = object;
    const etag = object.etag || undefined;
    const local = etag && !object.versionId ? await embeddedObjectFile(this.#env, bucket, key, etag) : undefined;
    if (local && etag) {
      // A hard link keeps these bytes even when another upload is renamed over the key; their MD5 proves the version.
      const linked = await link(local.path, file).then(
        () => true,
        () => false,
      );
      if (linked) {
        if (PLAIN_ETAG.test(etag) && (await fileMd5(file)) !== etag.toLowerCase()) {
          await rm(file, { force: true });
          throw changed(`s3://${bucket}/${key}`, etag, 'bytes of another version');
        }
        return { path: file, version: { bucket, key, etag, size: (await stat(file)).size } };
      }
    }
    return { path: file, version: await this.download(bucket, key, file, { etag, versionId: object.versionId }) };
  }

  /**
   * Downloads an object to a local file and returns the version it read. With `expected`, exactly that version: by
   * version id when the bucket keeps versions, else only while the object still has that ETag (If-Match, and the
   * bytes' MD5 checked against a plain ETag, for servers that ignore If-Match); anything else is STORE_OBJECT_CHANGED.
   */
  async download(bucket: string, key: string, file: string, expected?: ExpectedVersion): Promise<ObjectVersion> {
    const uri = `s3://${bucket}/${key}`;
    const { body, etag: read, versionId, pinnedEtag: etag } = await this.#getPinned({ bucket, key, ...expected });
    const md5 = createHash('md5');
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          md5.update(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(file),
    );
    // A plain (single-part) ETag is the content's MD5: a server that swapped the object mid-read is caught here.
    if (etag && PLAIN_ETAG.test(etag) && md5.digest('hex') !== etag.toLowerCase()) throw changed(uri, etag, 'bytes of another version');
    return { bucket, key, etag: read, versionId, size: (await stat(file)).size };
  }

  /**
   * A local file holding bytes `[start, end)` of an object version at their own offsets (the rest of the file is a hole):
   * under a local run the embedded S3's own file, else a ranged GET of exactly that version.
   */
  async readRange(object: PinnedObject, range: { start: number; end: number }, file: string): Promise<string> {
    const { bucket, key } = object;
    const etag = object.etag || undefined;
    if (etag && !object.versionId && (await embeddedObjectFile(this.#env, bucket, key, etag))) return (await this.read(object, file)).path;
    if (range.end <= range.start) {
      await pipeline(Readable.from([]), createWriteStream(file));
      return file;
    }
    const { body } = await this.#getPinned(object, range);
    await pipeline(body, createWriteStream(file, { start: range.start }));
    return file;
  }

  /** The bytes of an object version as a stream, straight from S3 (no local copy); a changed object fails the stream. */
  openStream(object: PinnedObject): Readable {
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    this.#getPinned(object).then(
      ({ body }) => {
        body.on('error', (error) => out.destroy(error));
        body.pipe(out);
      },
      (error: unknown) => out.destroy(error as Error),
    );
    return out;
  }

  /**
   * GETs exactly one version of an object (or bytes `[start, end)` of it): by version id when given, else only while it
   * has the pinned ETag (If-Match, and the answer's ETag checked for servers that ignore If-Match); anything else is
   * STORE_OBJECT_CHANGED. `pinnedEtag` is the ETag the answer was held to, if any.
   */
  async #getPinned(
    object: PinnedObject,
    range?: { start: number; end: number },
  ): Promise<{ body: Readable; etag: string; versionId: string | undefined; pinnedEtag: string | undefined }> {
    const { bucket, key } = object;
    const uri = `s3://${bucket}/${key}`;
    const versionId = object.versionId ?? undefined;
    const etag = versionId ? undefined : object.etag || undefined;
    const bytes = range ? `bytes=${range.start}-${range.end - 1}` : undefined;
    const out = await this.#call(`get ${uri}${bytes ? ` ${bytes.replace('=', ' ')}` : ''}`, ({ sdk, client }) =>
      client.send(
        new sdk.GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(bytes ? { Range: bytes } : {}),
          ...(versionId ? { VersionId: versionId } : {}),
          ...(etag ? { IfMatch: `"${etag}"` } : {}),
        }),
      ),
    ).catch((error: unknown) => {
      if (etag && isSluiceError(error) && /\(HTTP 412\)/.test(error.message)) throw changed(uri, etag, 'another version');
      throw error;
    });
    if (!(out.Body instanceof Readable)) throw new SluiceError('STORE_READ', `get ${uri}: no body in the response`);
    const read = stripQuotes(out.ETag);
    // A range cannot be checked against the whole object's MD5: its ETag must be the pinned one.
    if (etag && read !== etag) {
      out.Body.destroy();
      throw changed(uri, etag, read);
    }
    return { body: out.Body, etag: read, versionId: out.VersionId ?? undefined, pinnedEtag: etag };
  }

  /** Uploads a local file and returns the version it created. */
  async upload(bucket: string, key: string, file: string, contentType = 'application/octet-stream'): Promise<ObjectVersion> {
    const size = (await stat(file)).size;
    const out = await this.#call(`put s3://${bucket}/${key}`, ({ sdk, client }) =>
      client.send(
        new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: size, ContentType: contentType }),
      ),
    );
    return { bucket, key, etag: stripQuotes(out.ETag), versionId: out.VersionId ?? undefined, size };
  }

  /** Uploads a small in-memory document (a report, a manifest). */
  async putText(bucket: string, key: string, body: string, contentType = 'application/json'): Promise<ObjectVersion> {
    const out = await this.#call(`put s3://${bucket}/${key}`, ({ sdk, client }) =>
      client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })),
    );
    return { bucket, key, etag: stripQuotes(out.ETag), versionId: out.VersionId ?? undefined, size: Buffer.byteLength(body) };
  }

  /** Reads a small object (a record, a report) as UTF-8 text. */
  async getText(bucket: string, key: string): Promise<string> {
    const out = await this.#call(`get s3://${bucket}/${key}`, ({ sdk, client }) =>
      client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    if (!out.Body) throw new SluiceError('STORE_READ', `get s3://${bucket}/${key}: no body in the response`);
    return out.Body.transformToString('utf8');
  }

  /** Copies an object server-side (publishing and quarantining a batch); `from.size` is the copy's size when given. */
  async copy(from: { bucket: string; key: string; size?: number }, to: { bucket: string; key: string }): Promise<ObjectVersion> {
    const out = await this.#call(`copy s3://${from.bucket}/${from.key} to s3://${to.bucket}/${to.key}`, ({ sdk, client }) =>
      client.send(new sdk.CopyObjectCommand({ Bucket: to.bucket, Key: to.key, CopySource: `${from.bucket}/${copySourceKey(from.key)}` })),
    );
    const etag = out.CopyObjectResult?.ETag;
    // The copy's answer names its version; its size is the source's. Only without either is the copy asked again.
    if (!etag || from.size === undefined) return this.head(to.bucket, to.key);
    return { bucket: to.bucket, key: to.key, etag: stripQuotes(etag), versionId: out.VersionId ?? undefined, size: from.size };
  }

  /** The current version of an object. */
  async head(bucket: string, key: string): Promise<ObjectVersion> {
    const out = await this.#call(`head s3://${bucket}/${key}`, ({ sdk, client }) =>
      client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key })),
    );
    return { bucket, key, etag: stripQuotes(out.ETag), versionId: out.VersionId ?? undefined, size: out.ContentLength ?? 0 };
  }

  /** Every object under a prefix (`staged/customers` lists `staged/customers/...`; `''` the whole bucket), in key order. */
  async list(bucket: string, prefix: string): Promise<ObjectVersion[]> {
    const found: ObjectVersion[] = [];
    let token: string | undefined;
    do {
      const out = await this.#call(`list s3://${bucket}/${prefix}/`, ({ sdk, client }) =>
        client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix === '' ? '' : `${prefix}/`, ContinuationToken: token })),
      );
      for (const o of out.Contents ?? []) {
        if (o.Key)
          found.push({
            bucket,
            key: o.Key,
            etag: stripQuotes(o.ETag),
            size: o.Size ?? 0,
            ...(o.LastModified ? { lastModified: o.LastModified } : {}),
          });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async #call<T>(what: string, send: (s3: S3Connection) => Promise<T>): Promise<T> {
    const s3 = await this.#client();
    try {
      return await send(s3);
    } catch (error) {
      const service = error instanceof s3.sdk.S3ServiceException;
      const status = service ? error.$metadata.httpStatusCode : undefined;
      const name = error instanceof Error ? error.name : 'Error';
      // Throttling, server errors and dropped connections may pass on a retry; 4xx answers will not.
      const retryable = status === undefined ? !service : status >= 500 || status === 429;
      throw new SluiceError('STORE_REQUEST', `${what} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`, {
        cause: error,
        retryable,
      });
    }
  }
}

function stripQuotes(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** URL-encodes a key for CopySource, keeping "/" and "=" (partition keys) as S3 and S3-compatible servers expect. */
function copySourceKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%3D/g, '=');
}
