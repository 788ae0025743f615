import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isSluiceError } from '../../../core/errors.ts';
import type { BatchScoreStep } from '../../definition/step-kinds/index.ts';
import type { CheckContext } from '../check-context.ts';
import { featureProblems } from './feature-check.ts';
import { parseModel } from './model.ts';

/**
 * Checks a scoring step's model file before any data moves: `model.source` exists, reads as a linear, logistic or
 * XGBoost JSON model, and fits the input's columns (each feature present and numeric, the entity key present).
 */
export async function checkModel(step: BatchScoreStep, index: number, context: CheckContext): Promise<void> {
  const at = (...path: PropertyKey[]): PropertyKey[] => ['steps', index, ...path];
  const spec = step.model;
  if (spec.registry === 'mlflow') {
    context.notChecked(
      at('model'),
      `MLflow model ${spec.alias ? `${spec.name}@${spec.alias}` : `${spec.name} version ${spec.version}`} is resolved when the step runs, which then checks its format and its features against ${JSON.stringify(step.input)} before scoring`,
    );
    return;
  }
  if (spec.source === undefined) {
    context.notChecked(at('model'), `no source file, so the model is first read from s3://${spec.bucket}/${spec.key} when the step runs`);
    return;
  }
  const file = resolve(context.baseDir, spec.source);
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    context.problem(
      at('model', 'source'),
      code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read: ${(error as Error).message}`,
    );
    return;
  }
  let model: ReturnType<typeof parseModel>;
  try {
    model = parseModel(text, file);
  } catch (error) {
    context.problem(at('model', 'source'), isSluiceError(error) ? [error.message, ...error.details].join('; ') : String(error));
    return;
  }
  const fields = context.columns(step.input);
  if (!fields) {
    context.notChecked(
      at('model'),
      `the model's features are not checked: the columns of ${JSON.stringify(step.input)} are not known before the run`,
    );
    return;
  }
  const columns = `(columns: ${fields.map((f) => f.name).join(', ')})`;
  if (!fields.some((f) => f.name === step.entityKey)) {
    context.problem(at('entityKey'), `${JSON.stringify(step.entityKey)} is not a column of ${JSON.stringify(step.input)} ${columns}`);
  }
  const types = new Map(fields.map((f) => [f.name, f.type]));
  for (const problem of featureProblems(model, types, JSON.stringify(step.input))) context.problem(at('model'), `${problem} ${columns}`);
}
