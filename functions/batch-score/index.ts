import { stepHandler } from '../../lib/runtime/run-step.ts';
import { batchScore } from './batch-score.ts';

/** Lambda entry of the batch-score step. */
export const handler = stepHandler('batchScore', batchScore);
