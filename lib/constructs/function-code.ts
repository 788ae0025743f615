import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SluiceError } from '../../core/errors.ts';
import {
  BUNDLE_FILE,
  FROM_SOURCES,
  functionBundleOptions,
  functionFolder,
  packagePath,
  type SluiceFunctionName,
} from './lambda-bundling.ts';

/**
 * A function's code. The installed package ships every function bundled (`dist/functions/<name>/index.mjs`), so a
 * user's synth needs neither esbuild nor Docker; from the sources (this repository) the entry is bundled at synth
 * with the same options, by the esbuild among the development dependencies.
 */
export function functionCode(name: SluiceFunctionName): lambda.Code {
  const folder = packagePath(functionFolder(name));
  if (!FROM_SOURCES) {
    if (!existsSync(join(folder, BUNDLE_FILE))) {
      throw new SluiceError(
        'CONSTRUCT_BUNDLE_MISSING',
        `the Sluice package has no bundle for ${name} (${join(folder, BUNDLE_FILE)}); reinstall sluice`,
      );
    }
    return lambda.Code.fromAsset(folder);
  }
  return lambda.Code.fromAsset(folder, {
    // The entry is one line; the hash must follow the bundle, or a change in lib/ would not redeploy.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Only used when local bundling declines, which it never does: esbuild is a development dependency.
      image: DockerImage.fromRegistry('public.ecr.aws/lambda/nodejs:24'),
      local: {
        tryBundle(outputDir: string): boolean {
          const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
          esbuild.buildSync(functionBundleOptions(name, join(outputDir, BUNDLE_FILE)));
          return true;
        },
      },
    },
  });
}
