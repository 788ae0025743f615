import { DirectoryOutbox, OpenLineageClient, SafeEmitter } from '../../../lineage/index.ts';
import type { LineageOutbox } from '../../../lineage/index.ts';
import { LINEAGE_OUTBOX_ENV, S3Outbox } from './s3-outbox.ts';

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
 * The emitter a step, a lineage function or a local run sends lineage through: the OpenLineage client configured from `env` (and
 * openlineage.yml), wrapped in a SafeEmitter that keeps undelivered events in the outbox of `SLUICE_LINEAGE_OUTBOX` and
 * reports failures through `onError` (default: a warning line on stderr).
 */
export function lineageEmitter(
  env: NodeJS.ProcessEnv = process.env,
  client = new OpenLineageClient({ env }),
  onError?: (message: string) => void,
): SafeEmitter {
  return new SafeEmitter(client, { outbox: lineageOutboxFromEnvironment(env), ...(onError ? { onError } : {}) });
}
