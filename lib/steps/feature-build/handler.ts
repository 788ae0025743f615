import { stepHandler } from '../../runtime/run-step.ts';
import { featureBuild } from './feature-build.ts';

/** The feature-build step as a Lambda handler: the payload in, the step's result out. */
export const handler = stepHandler('featureBuild', featureBuild);
