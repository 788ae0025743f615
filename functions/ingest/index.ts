// Lambda entry of the ingest step; the step itself lives in lib/steps/ingest.
export { handler } from '../../lib/steps/ingest/handler.ts';
