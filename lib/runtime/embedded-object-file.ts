import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SLUICE_ENV } from '../../core/env.ts';

/**
 * The file in which the local runner's embedded S3 (s3rver, which `SLUICE_EMBEDDED_S3_DIR` names) keeps an object's
 * bytes, when it holds exactly the version `etag` names (s3rver stores the MD5 its ETag is beside the object); else
 * undefined and the object is downloaded. Lambda never sets the variable, so there every read goes through S3.
 */
export async function embeddedObjectFile(
  env: NodeJS.ProcessEnv,
  bucket: string,
  key: string,
  etag: string,
): Promise<{ path: string; size: number } | undefined> {
  const root = env[SLUICE_ENV.embeddedS3Dir];
  // s3rver escapes characters in keys on Windows only; there, objects are simply downloaded.
  if (!root || process.platform === 'win32') return undefined;
  const parts = key.split('/');
  const name = parts.pop();
  const path = join(root, bucket, ...parts, `${name}._S3rver_object`);
  // A key with ".." segments must not reach outside the store.
  if (relative(root, path).startsWith(`..${sep}`)) return undefined;
  try {
    const [md5, info] = await Promise.all([readFile(`${path}.md5`, 'utf8'), stat(path)]);
    return md5.trim() === etag.replace(/^"|"$/g, '') ? { path, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}
