import { z } from 'zod';
import { StepResultSchema } from './step-invocation.ts';

/** The manifest a Distributed Map's ResultWriter writes (`<prefix>/<map run id>/manifest.json`), the fields read. */
export const MapRunManifestSchema = z.object({
  MapRunArn: z.string(),
  ResultFiles: z.record(z.string(), z.array(z.object({ Key: z.string() }))),
});

/** One results file of a map run (`SUCCEEDED_0.json`, `FAILED_0.json`): an entry per child execution. */
export const MapRunResultsSchema = z.array(
  z.object({
    ExecutionArn: z.string(),
    Input: z.string(),
    Output: z.string().optional(),
    Status: z.string(),
    Error: z.string().nullish(),
    Cause: z.string().nullish(),
  }),
);

/** What a backfill child outputs: per object, its key and each step's result (see backfill-asl.ts). */
export const ChildOutputSchema = z.array(
  z.object({ key: z.string(), results: z.record(z.string(), z.object({ output: StepResultSchema })) }),
);

/** What a backfill child receives from the ItemBatcher: its objects as upload triggers. */
export const ChildInputSchema = z.object({ Items: z.array(z.object({ key: z.string() })) });
