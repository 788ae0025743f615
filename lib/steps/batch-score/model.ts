import { z } from 'zod';
import { SluiceError } from '../../../core/errors.ts';
import { formatIssues } from '../../../core/issues.ts';
import { isXgboostJson, parseXgboost, type XgboostModel } from './xgboost.ts';

const LinearBase = {
  name: z.string().optional(),
  features: z.array(z.string().min(1)).min(1),
  coefficients: z.array(z.number()).min(1),
  intercept: z.number(),
};

/** A linear model: score = intercept + Σ coefficient·feature, through a sigmoid for logistic regression. */
export const LinearModelSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('logistic_regression'), ...LinearBase }),
      z.strictObject({ type: z.literal('linear_regression'), ...LinearBase }),
    ],
    {
      error: (i) =>
        `expected type "logistic_regression", "linear_regression" or an XGBoost JSON model, got ${JSON.stringify((i.input as { type?: unknown })?.type)}`,
    },
  )
  .refine((m) => m.features.length === m.coefficients.length, {
    error: 'expected one coefficient per feature',
    path: ['coefficients'],
  })
  .refine((m) => new Set(m.features).size === m.features.length, { error: 'expected distinct feature names', path: ['features'] });
/** A linear or logistic regression model. */
export type LinearModel = z.infer<typeof LinearModelSchema>;

/** Any model batch scoring applies. */
export type Model = LinearModel | XgboostModel;

/** Parses a model artifact (Sluice's linear JSON or XGBoost's JSON), naming what is wrong with it. */
export function parseModel(text: string, uri: string): Model {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SluiceError('MODEL_CORRUPT', `${uri}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (isXgboostJson(json)) return parseXgboost(json, uri);
  const parsed = LinearModelSchema.safeParse(json);
  if (!parsed.success) {
    throw new SluiceError('MODEL_INVALID', `${uri}: not a logistic_regression, linear_regression or XGBoost JSON model`, {
      details: formatIssues(parsed.error),
    });
  }
  return parsed.data;
}

/** True when the model outputs a probability, so a label can be derived with the threshold. */
export function isClassifier(model: Model): boolean {
  return model.type === 'logistic_regression' || (model.type === 'xgboost' && model.objective === 'binary:logistic');
}

/** A linear model as one vectorised DuckDB expression over the feature columns (`column(i)`: the i-th feature as DOUBLE). */
export function scoreSql(model: LinearModel, column: (index: number) => string): string {
  // Numbers are printed to round-trip exactly as doubles.
  const terms = model.features.map((_, i) => `${String(model.coefficients[i])}::DOUBLE * ${column(i)}`);
  const linear = `(${String(model.intercept)}::DOUBLE + ${terms.join(' + ')})`;
  return model.type === 'logistic_regression' ? `1.0 / (1.0 + exp(-${linear}))` : linear;
}
