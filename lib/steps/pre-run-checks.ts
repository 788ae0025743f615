import type { Step, StepKind } from '../definition/pipeline-schema.ts';
import { checkModel } from './batch-score/check-model.ts';
import type { PreRunCheck } from './check-context.ts';
import { checkRules } from './data-tests/check-rules.ts';
import { checkFeatureSql } from './feature-build/check-feature-sql.ts';

/** Every step kind's checks that need DuckDB or files (none for a kind whose definition checks say everything). */
export const PRE_RUN_CHECKS: { readonly [K in StepKind]: PreRunCheck<Extract<Step, { kind: K }>> | undefined } = {
  ingest: undefined,
  dataTests: checkRules,
  featureBuild: checkFeatureSql,
  batchScore: checkModel,
};
