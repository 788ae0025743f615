import type { Model } from './model.ts';

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
const NUMERIC = /^(FLOAT|DOUBLE|DECIMAL.*)$/;

/**
 * What keeps a model from scoring an input: missing features, non-numeric ones, and for XGBoost models
 * trained from a DataFrame, columns whose type differs from the one recorded at training (`int`, `i`).
 */
export function featureProblems(model: Model, types: ReadonlyMap<string, string>, inputName: string): string[] {
  return model.features.flatMap((f, i) => {
    const type = types.get(f);
    if (type === undefined) return [`feature ${f} is missing from ${inputName}`];
    const isInt = INTEGER.test(type) || type === 'BOOLEAN';
    if (!isInt && !NUMERIC.test(type)) return [`feature ${f} is ${type}; expected a number`];
    const trained = model.type === 'xgboost' ? model.featureTypes?.[i] : undefined;
    if ((trained === 'int' || trained === 'i') && !isInt) {
      return [`feature ${f} is ${type}; the model was trained on ${trained === 'i' ? 'an indicator (0/1)' : 'an integer'} column`];
    }
    return [];
  });
}
