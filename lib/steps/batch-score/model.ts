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

/** What to do with a model in a format Sluice does not read. */
const SAVE_AS_JSON =
  "Sluice scores XGBoost's JSON format: save it with booster.save_model('model.json') (for a scikit-learn XGBClassifier or XGBRegressor, model.get_booster().save_model('model.json')), or write a linear model as Sluice's JSON (docs/scoring.md)";

/** A model file's format when it is one of the binary formats models are often saved in, recognised by its first bytes. */
function binaryFormat(bytes: Buffer): string | undefined {
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] >= 2 && bytes[1] <= 5)
    return 'a Python pickle (pickle.dump or joblib.dump), which only Python can load';
  if (bytes[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(bytes[1] ?? 0)) return 'zlib-compressed (a compressed joblib or pickle file)';
  if (bytes.subarray(0, 4).toString('latin1') === 'binf') return "XGBoost's old binary format";
  // Text has no control bytes but tab and line ends; UBJSON (XGBoost's save_model('model.ubj')) starts like a JSON object.
  const control = bytes.subarray(0, 4096).some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (control && bytes[0] === 0x7b) return "XGBoost's binary UBJSON format (save_model('model.ubj'))";
  if (control) return 'a binary file, not JSON';
  return undefined;
}

/** Parses a model artifact (Sluice's linear JSON or XGBoost's JSON), naming what is wrong with it and what to do. */
export function parseModel(content: Buffer | string, uri: string): Model {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const binary = binaryFormat(bytes);
  if (binary) throw new SluiceError('MODEL_FORMAT', `${uri}: the model is ${binary}; ${SAVE_AS_JSON}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    const why = (error as Error).message.replace(/\s+/g, ' ');
    throw new SluiceError(
      'MODEL_CORRUPT',
      `${uri}: not valid JSON (${why.length > 200 ? `${why.slice(0, 197)}...` : why}); ${SAVE_AS_JSON}`,
      {
        cause: error,
      },
    );
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
