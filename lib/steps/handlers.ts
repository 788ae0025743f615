import type { StepKind } from '../definition/pipeline-schema.ts';
import type { StepHandler } from '../runtime/run-step.ts';
import { handler as batchScore } from './batch-score/handler.ts';
import { handler as dataTests } from './data-tests/handler.ts';
import { handler as featureBuild } from './feature-build/handler.ts';
import { handler as ingest } from './ingest/handler.ts';

/** Every step kind's handler, for runners that execute all kinds in one process (the local runner). */
export const STEP_HANDLERS: Readonly<Record<StepKind, StepHandler>> = {
  ingest,
  dataTests,
  featureBuild,
  batchScore,
};
