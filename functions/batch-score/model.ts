import { z } from 'zod';
import { SluiceError } from '../../lib/errors.ts';
import { formatIssues } from '../../lib/spec/issue-path.ts';

/** A logistic-regression model: score = sigmoid(intercept + Σ coefficient·feature). */
export const LogisticModelSchema = z
  .strictObject({
    type: z.literal('logistic_regression'),
    name: z.string().optional(),
    features: z.array(z.string().min(1)).min(1),
    coefficients: z.array(z.number()).min(1),
    intercept: z.number(),
  })
  .refine((m) => m.features.length === m.coefficients.length, {
    error: 'expected one coefficient per feature',
    path: ['coefficients'],
  })
  .refine((m) => new Set(m.features).size === m.features.length, { error: 'expected distinct feature names', path: ['features'] });
/** A logistic-regression model. */
export type LogisticModel = z.infer<typeof LogisticModelSchema>;

/** Parses a model artifact, naming what is wrong with it. */
export function parseModel(text: string, uri: string): LogisticModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SluiceError('MODEL_CORRUPT', `${uri}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = LogisticModelSchema.safeParse(json);
  if (!parsed.success) {
    throw new SluiceError('MODEL_INVALID', `${uri}: not a logistic_regression model`, { details: formatIssues(parsed.error) });
  }
  return parsed.data;
}

/** The model as one vectorised DuckDB expression (numbers printed to round-trip exactly as doubles). */
export function logisticScoreSql(model: LogisticModel, column: (name: string) => string): string {
  const terms = model.features.map((f, i) => `${String(model.coefficients[i])}::DOUBLE * ${column(f)}`);
  return `1.0 / (1.0 + exp(-(${String(model.intercept)}::DOUBLE + ${terms.join(' + ')})))`;
}
