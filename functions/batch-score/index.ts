// Lambda entry of the batch-score step; the step itself lives in lib/steps/batch-score.
export { handler } from '../../lib/steps/batch-score/handler.ts';
