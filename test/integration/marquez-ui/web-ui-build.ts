// Where the suite finds a production build of Marquez's web UI: `$SLUICE_MARQUEZ_WEB`, else the shared copy beside the
// repository (`../shared/marquez/web-0.51.1`, looked for as the Marquez harness looks for its jars).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findSharedMarquez, sharedMarquezCandidates } from '../marquez/shared-copy.ts';

/** The variable naming the build folder (the suite sets it for the test files). */
export const WEB_UI_ENV = 'SLUICE_MARQUEZ_WEB';

/** The web UI release the suite drives. */
export const WEB_UI_VERSION = '0.51.1';

/** The build folder, or an error naming every place looked. */
export function findWebUiBuild(env: NodeJS.ProcessEnv = process.env): { dir: string } | { error: string } {
  const given = env[WEB_UI_ENV];
  if (given) {
    const dir = resolve(given);
    return existsSync(join(dir, 'index.html'))
      ? { dir }
      : { error: `${WEB_UI_ENV}=${given}: expected a folder with the web UI's index.html` };
  }
  const shared = findSharedMarquez(`web-${WEB_UI_VERSION}`, 'index.html', env);
  if (shared) return { dir: shared };
  const places = sharedMarquezCandidates(env).map((p) => `${p}/web-${WEB_UI_VERSION}`);
  return {
    error: `no build of Marquez's web UI ${WEB_UI_VERSION} in ${places.join(', ')}; set ${WEB_UI_ENV} to one (Marquez's web/ built with npm run build)`,
  };
}
