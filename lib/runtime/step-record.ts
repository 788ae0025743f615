import { z } from 'zod';
import { isSluiceError } from '../../core/errors.ts';
import { executionName, executionRecordsPrefix, stepRecordKey } from '../definition/storage-layout.ts';
import { StepFindingsSchema, TestCountsSchema, WrittenObjectSchema } from '../asl/step-invocation.ts';
import type { ObjectStore } from './object-store.ts';

/** Format tag of a step record; readers skip records of another format. */
export const STEP_RECORD_FORMAT = 'sluice.step/1';

/**
 * What one step run did, written by the step itself when it ends, succeeded or failed: the rows it read and wrote, its
 * tests and rules, rejection reasons, every object it wrote, and its error. A failed step returns nothing to the state
 * machine, so this record is how its findings reach the run report and the alert.
 */
export const StepRecordSchema = z.object({
  format: z.literal(STEP_RECORD_FORMAT),
  pipeline: z.string(),
  step: z.string(),
  kind: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  execution: z.object({ id: z.string(), startTime: z.string() }),
  attempt: z.number(),
  /** The step run's OpenLineage run id. */
  runId: z.string(),
  batchId: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  rowsIn: z.number().optional(),
  rowsOut: z.number().optional(),
  rejectedRows: z.number().optional(),
  tests: TestCountsSchema.optional(),
  modelVersion: z.string().optional(),
  outputs: z.array(WrittenObjectSchema),
  ...StepFindingsSchema.shape,
  error: z.object({ name: z.string(), code: z.string().optional(), message: z.string(), details: z.array(z.string()) }).optional(),
});
/** What one step run did. */
export type StepRecord = z.infer<typeof StepRecordSchema>;

/** Where step records are kept (`SLUICE_STEP_RECORDS`): a bucket and a prefix. */
export interface StepRecordsLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/** The location `SLUICE_STEP_RECORDS` (`s3://bucket/prefix`) names, or undefined when unset. */
export function stepRecordsLocation(value: string | undefined): StepRecordsLocation | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*?)\/?$/.exec(value?.trim() ?? '');
  return m ? { bucket: m[1]!, prefix: m[2]! } : undefined;
}

/** Writes a step run's record (a retry's record replaces the earlier attempt's). */
export async function writeStepRecord(store: ObjectStore, where: StepRecordsLocation, record: StepRecord): Promise<void> {
  const key = stepRecordKey(where.prefix, record.pipeline, executionName(record.execution.id), record.step);
  await store.putText(where.bucket, key, `${JSON.stringify(record, null, 2)}\n`);
}

/** The records of an execution's steps, by step name; records that cannot be read are skipped and named in `unreadable`. */
export async function readStepRecords(
  store: ObjectStore,
  where: StepRecordsLocation,
  pipeline: string,
  executionArn: string,
): Promise<{ records: Map<string, StepRecord>; unreadable: string[] }> {
  const prefix = executionRecordsPrefix(where.prefix, pipeline, executionName(executionArn));
  const records = new Map<string, StepRecord>();
  const unreadable: string[] = [];
  for (const object of await store.list(where.bucket, prefix)) {
    // Step records are `<step>.json`; `_`-named objects beside them (the alert's marker) are not records.
    if (!object.key.endsWith('.json') || object.key.slice(object.key.lastIndexOf('/') + 1).startsWith('_')) continue;
    try {
      const parsed = StepRecordSchema.safeParse(JSON.parse(await store.getText(where.bucket, object.key)));
      if (parsed.success) records.set(parsed.data.step, parsed.data);
      else unreadable.push(`s3://${where.bucket}/${object.key}: not a ${STEP_RECORD_FORMAT} record`);
    } catch (error) {
      unreadable.push(
        `s3://${where.bucket}/${object.key}: ${isSluiceError(error) || error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return { records, unreadable };
}
