// Lambda entry of the data-tests step; the step itself lives in lib/steps/data-tests.
export { handler } from '../../lib/steps/data-tests/handler.ts';
