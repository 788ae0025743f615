import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SluiceError } from '../../core/errors.ts';
import { DUCKDB_LAYER_PACKAGES } from './lambda-bundling.ts';

/** Settings of a {@link DuckDbLayer}. */
export interface DuckDbLayerProps {
  /** The runtimes the functions using it have. */
  readonly compatibleRuntimes: lambda.Runtime[];
}

/**
 * A Lambda layer with DuckDB's Node API and its linux-x64 native binding, copied at synth (no Docker) from wherever
 * npm installed them beside Sluice: functions keep them external and find them under /opt/nodejs/node_modules.
 */
export class DuckDbLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: DuckDbLayerProps) {
    super(scope, id);
    const api = installedPackage('@duckdb/node-api', import.meta.url);
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: 'DuckDB (@duckdb/node-api) with its linux-x64 native binding',
      compatibleRuntimes: props.compatibleRuntimes,
      compatibleArchitectures: [lambda.Architecture.X86_64],
      code: lambda.Code.fromAsset(api, {
        bundling: {
          // Only used when local bundling declines, which it never does: the packages are installed.
          image: DockerImage.fromRegistry('public.ecr.aws/lambda/nodejs:24'),
          local: {
            tryBundle(outputDir: string): boolean {
              for (const [name, dir] of layerPackages(api)) {
                cpSync(dir, join(outputDir, 'nodejs', 'node_modules', name), { recursive: true, dereference: true });
              }
              return true;
            },
          },
        },
      }),
    });
  }
}

/** The folder of an installed package, resolved as `from` would import it. */
function installedPackage(name: string, from: string): string {
  try {
    return dirname(createRequire(from).resolve(`${name}/package.json`));
  } catch (error) {
    const hint = name.endsWith('linux-x64')
      ? `npm installs it only on linux-x64 (this machine is ${process.platform}-${process.arch}); add it with ` +
        `"npm install --no-save --os=linux --cpu=x64 ${name}", or synthesize on linux-x64 (e.g. in CI)`
      : 'run npm install';
    throw new SluiceError('CONSTRUCT_DUCKDB_MISSING', `DuckDB layer: cannot find ${name}; ${hint}`, { cause: error });
  }
}

/** Each package the layer carries with its folder: the API, then each one's dependency as that package resolves it. */
function layerPackages(apiDir: string): Array<[string, string]> {
  const [apiName, bindingsName, ...rest] = DUCKDB_LAYER_PACKAGES;
  const bindings = installedPackage(bindingsName!, join(apiDir, 'package.json'));
  return [
    [apiName!, apiDir],
    [bindingsName!, bindings],
    ...rest.map((name): [string, string] => [name, installedPackage(name, join(bindings, 'package.json'))]),
  ];
}
