import { DUCKDB_INTEGER_TYPE, DUCKDB_NUMERIC_TYPE } from '../../runtime/duckdb.ts';
import type { Model } from './model.ts';

/**
 * What keeps a model from scoring an input: missing features, non-numeric ones, and for XGBoost models
 * trained from a DataFrame, columns whose type differs from the one recorded at training (`int`, `i`).
 */
export function featureProblems(model: Model, types: ReadonlyMap<string, string>, inputName: string): string[] {
  return model.features.flatMap((f, i) => {
    const type = types.get(f);
    if (type === undefined) return [`feature ${f} is missing from ${inputName}`];
    const isInt = DUCKDB_INTEGER_TYPE.test(type) || type === 'BOOLEAN';
    if (!isInt && !DUCKDB_NUMERIC_TYPE.test(type)) return [`feature ${f} is ${type}; expected a number`];
    const trained = model.type === 'xgboost' ? model.featureTypes?.[i] : undefined;
    if ((trained === 'int' || trained === 'i') && !isInt) {
      return [`feature ${f} is ${type}; the model was trained on ${trained === 'i' ? 'an indicator (0/1)' : 'an integer'} column`];
    }
    return [];
  });
}
