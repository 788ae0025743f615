import { stepHandler } from '../../lib/runtime/run-step.ts';
import { ingest } from './ingest.ts';

/** Lambda entry of the ingest step. */
export const handler = stepHandler('ingest', ingest);
