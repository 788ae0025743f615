import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DUCKDB_LAYER_PACKAGES, packagePath } from './lambda-bundling.ts';

/**
 * A Lambda layer with DuckDB's Node API and its linux-x64 native binding, copied from the installed
 * node_modules at synth (no Docker): functions keep them external and find them under /opt/nodejs/node_modules.
 */
export class DuckDbLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const source = packagePath('node_modules/@duckdb');
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: 'DuckDB (@duckdb/node-api) with its linux-x64 native binding',
      compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
      compatibleArchitectures: [lambda.Architecture.X86_64],
      code: lambda.Code.fromAsset(source, {
        bundling: {
          // Only used when local bundling declines, which it never does: the packages are in node_modules.
          image: DockerImage.fromRegistry('public.ecr.aws/lambda/nodejs:24'),
          local: {
            tryBundle(outputDir: string): boolean {
              for (const name of DUCKDB_LAYER_PACKAGES) {
                const from = packagePath(`node_modules/${name}`);
                if (!existsSync(from)) throw new Error(`DuckDB layer: ${from} is missing; run npm ci on linux-x64`);
                cpSync(from, join(outputDir, 'nodejs', 'node_modules', name), { recursive: true, dereference: true });
              }
              return true;
            },
          },
        },
      }),
    });
  }
}
