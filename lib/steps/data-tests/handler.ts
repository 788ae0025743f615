import { stepHandler } from '../../runtime/run-step.ts';
import { dataTests } from './data-tests.ts';

/** The data-tests step as a Lambda handler: the payload in, the step's result out. */
export const handler = stepHandler('dataTests', dataTests);
