import { stepHandler } from '../../runtime/run-step.ts';
import { batchScore } from './batch-score.ts';

/** The batch-score step as a Lambda handler: the payload in, the step's result out. */
export const handler = stepHandler('batchScore', batchScore);
