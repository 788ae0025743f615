import { stepHandler } from '../../lib/runtime/run-step.ts';
import { featureBuild } from './feature-build.ts';

/** Lambda entry of the feature-build step. */
export const handler = stepHandler('featureBuild', featureBuild);
