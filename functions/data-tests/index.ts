import { stepHandler } from '../../lib/runtime/run-step.ts';
import { dataTests } from './data-tests.ts';

/** Lambda entry of the data-tests step. */
export const handler = stepHandler('dataTests', dataTests);
