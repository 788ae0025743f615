import { dirname, relative, resolve } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { stepArtifacts } from '../definition/step-kinds/index.ts';
import { DataPipeline, type DataPipelineProps } from './data-pipeline.ts';

/** Properties of a {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The pipeline's DataPipeline props; its spec is the deployed pipeline. */
  readonly pipeline: DataPipelineProps;
  /** The pipeline module, so the outputs can name the local model files (model `source` is relative to it). */
  readonly file?: string;
}

/**
 * One pipeline in its own stack, with outputs saying how to use it: the state machine, where an upload starts a
 * run, the command that uploads each model the pipeline scores with, and the lineage API key secret when there is one.
 */
export class PipelineStack extends Stack {
  readonly pipeline: DataPipeline;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    const { pipeline: pipelineProps, file, ...stackProps } = props;
    super(scope, id, stackProps);
    const pipeline = (this.pipeline = new DataPipeline(this, 'Pipeline', pipelineProps));
    const spec: PipelineSpec = pipeline.spec;
    new CfnOutput(this, 'StateMachineArn', { value: pipeline.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: pipeline.alarmTopic.topicArn,
      description: 'Subscribe to hear of failed runs and lost lineage',
    });
    spec.triggers.forEach((trigger, i) => {
      if (trigger.kind !== 'upload') return;
      const dataset = spec.datasets[trigger.dataset]!;
      new CfnOutput(this, `UploadPrefix${i === 0 ? '' : i}`, {
        value: `s3://${dataset.bucket}/${dataset.prefix}/`,
        description: `An upload here starts a run of ${spec.name}`,
      });
    });
    let models = 0;
    for (const step of spec.steps) {
      for (const artifact of stepArtifacts(step)) {
        const local = artifact.source === undefined ? '<model file>' : localPath(file, artifact.source);
        new CfnOutput(this, `UploadModel${models++ === 0 ? '' : models}`, {
          value: `aws s3 cp ${local} s3://${artifact.bucket}/${artifact.key}`,
          description: `Step ${step.name} reads its model here: upload it once after the first deploy, and again for each new model`,
        });
      }
    }
    if (pipeline.lineageApiKeySecret) new CfnOutput(this, 'LineageApiKeySecretArn', { value: pipeline.lineageApiKeySecret.secretArn });
  }
}

/** A model's local path as a command run from the project folder would name it. */
function localPath(file: string | undefined, source: string): string {
  const absolute = resolve(file === undefined ? '.' : dirname(file), source);
  const fromHere = relative(process.cwd(), absolute);
  return fromHere.startsWith('..') ? absolute : fromHere;
}
