import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations, type AppProps } from 'aws-cdk-lib';
import { afterAll } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import churn from '../../examples/churn/pipeline.ts';
import { DataPipeline, type DataPipelineProps } from '../../lib/constructs/index.ts';

const outdirs: string[] = [];
// Every app's cloud assembly goes to a folder of its own, removed after the test file (CDK's default is a temp folder
// that stays).
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A CDK app for a test: asset bundling skipped, its cloud assembly in a folder removed after the test file. */
export function testApp(props: AppProps = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-cdk-test-'));
  outdirs.push(outdir);
  return new App({ outdir, ...props, context: { 'aws:cdk:bundling-stacks': [], ...props.context } });
}

/** A stack with one DataPipeline, bundling skipped and cdk-nag's AwsSolutions pack registered. */
export function synthPipeline(props: Partial<DataPipelineProps> = {}): {
  pipeline: DataPipeline;
  template: Template;
  app: App;
  stack: Stack;
} {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const pipeline = new DataPipeline(stack, 'Churn', { spec: churn, ...props });
  // synth() runs the validation plugins and throws on any unacknowledged finding.
  app.synth();
  return { pipeline, template: Template.fromStack(stack), app, stack };
}

/** Resources of a type, as [logicalId, resource] pairs. */
export function resources(template: Template, type: string): Array<[string, { Properties: Record<string, any> }]> {
  return Object.entries(template.findResources(type)) as Array<[string, { Properties: Record<string, any> }]>;
}

/** The logical id of a GetAtt/Ref value. */
export function refId(value: unknown): string {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  return v['Fn::GetAtt']?.[0] ?? v.Ref ?? '';
}

export { churn };

/**
 * The S3 and Step Functions statements of the policy attached to a role (given as the Ref or GetAtt a resource uses for
 * it), as `<action> <resource>` lines with tokens shown by name and S3 prefix conditions after them.
 */
export function roleGrants(template: Template, role: unknown): string[] {
  const roleId = refId(
    (role as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'] ? { Ref: (role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] } : role,
  );
  const policy = resources(template, 'AWS::IAM::Policy').find(([, p]) => p.Properties.Roles.some((r: unknown) => refId(r) === roleId))!;
  const show = (value: unknown): string =>
    typeof value === 'string'
      ? value
      : (value as { Ref?: string }).Ref
        ? `<${(value as { Ref: string }).Ref}>`
        : (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']
          ? `<${(value as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]}>`
          : (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map(show).join('');
  return (policy[1].Properties.PolicyDocument.Statement as Array<Record<string, any>>).flatMap((statement) =>
    ([] as string[])
      .concat(statement.Action)
      .filter((a) => a.startsWith('s3:') || a.startsWith('states:'))
      .flatMap((action) =>
        ([] as unknown[]).concat(statement.Resource).map((r) => {
          const condition = statement.Condition ? ` if s3:prefix ${JSON.stringify(statement.Condition.StringLike['s3:prefix'])}` : '';
          return `${action} ${show(r)}${condition}`;
        }),
      ),
  );
}
