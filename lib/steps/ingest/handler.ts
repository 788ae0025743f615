import { stepHandler } from '../../runtime/run-step.ts';
import { ingest } from './ingest.ts';

/** The ingest step as a Lambda handler: the payload in, the step's result out. */
export const handler = stepHandler('ingest', ingest);
