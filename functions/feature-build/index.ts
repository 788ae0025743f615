// Lambda entry of the feature-build step; the step itself lives in lib/steps/feature-build.
export { handler } from '../../lib/steps/feature-build/handler.ts';
