import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { PrefixRef } from './step-access.ts';

/** The actions a prefix grant gives. */
export type PrefixActions = 'read' | 'write' | 'delete';

const OBJECT_ACTIONS: Readonly<Record<PrefixActions, string[]>> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  delete: ['s3:DeleteObject'],
};

function bucketOf(buckets: ReadonlyMap<string, s3.IBucket>, name: string): s3.IBucket {
  const bucket = buckets.get(name);
  if (!bucket) throw new Error(`bucket ${name} is not one of the pipeline's buckets (${[...buckets.keys()].join(', ')})`);
  return bucket;
}

/**
 * Grants object actions on `<prefix>/*` only, and for reads a ListBucket limited by the `s3:prefix` condition,
 * so a principal sees nothing of the bucket outside the prefixes it works on.
 */
export function grantPrefixes(
  grantee: iam.IGrantable,
  buckets: ReadonlyMap<string, s3.IBucket>,
  prefixes: readonly PrefixRef[],
  actions: readonly PrefixActions[],
): void {
  const byBucket = new Map<string, string[]>();
  for (const p of prefixes) byBucket.set(p.bucket, [...(byBucket.get(p.bucket) ?? []), p.prefix]);
  for (const [name, list] of byBucket) {
    const bucket = bucketOf(buckets, name);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: actions.flatMap((a) => OBJECT_ACTIONS[a]),
        resources: list.map((prefix) => bucket.arnForObjects(`${prefix}/*`)),
      }),
    );
    for (const prefix of list) {
      acknowledgeWildcard(
        grantee,
        bucket,
        `/${prefix}/*`,
        `object keys are per batch, so "${prefix}/*" is the narrowest fixed scope of this dataset`,
      );
    }
    if (actions.includes('read')) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': list.map((prefix) => `${prefix}/*`) } },
        }),
      );
    }
  }
}

/** Grants reading single objects (model artifacts). */
export function grantObjects(
  grantee: iam.IGrantable,
  buckets: ReadonlyMap<string, s3.IBucket>,
  objects: ReadonlyArray<{ bucket: string; key: string }>,
): void {
  if (objects.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: objects.map((o) => bucketOf(buckets, o.bucket).arnForObjects(o.key)),
    }),
  );
}

/** The cdk-nag IAM5 finding id of a wildcard resource `<Logical.Arn><suffix>`, when the ARN is a GetAtt. */
export function wildcardFindingId(
  resource: IConstruct & { readonly bucketArn?: string; readonly functionArn?: string },
  suffix: string,
): string | undefined {
  const arn = resource.bucketArn ?? resource.functionArn;
  if (!arn) return undefined;
  const resolved = Stack.of(resource).resolve(arn) as { 'Fn::GetAtt'?: [string, string] };
  const getAtt = resolved['Fn::GetAtt'];
  return getAtt ? `AwsSolutions-IAM5[Resource::<${getAtt[0]}.Arn>${suffix}]` : undefined;
}

function acknowledgeWildcard(grantee: iam.IGrantable, resource: s3.IBucket, suffix: string, reason: string): void {
  const id = wildcardFindingId(resource, suffix);
  if (id && Construct.isConstruct(grantee)) Validations.of(grantee).acknowledge({ id, reason });
}
