import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModel } from '../../lib/steps/batch-score/model.ts';

const fixture = (name: string) => readFile(join(import.meta.dirname, '..', 'fixtures', 'models', name));

describe('model files Sluice does not score', () => {
  it.each([
    [
      'a multiclass XGBoost model (multi:softprob)',
      'xgb-multiclass.json',
      'MODEL_UNSUPPORTED',
      'a multiclass XGBoost model (objective "multi:softprob", 3 classes) is not supported: Sluice scores binary:logistic (a probability and a label) and reg:squarederror (a value) models; train one binary:logistic model per class that matters',
    ],
    [
      "XGBoost's binary UBJSON format",
      'xgb-binary.ubj',
      'MODEL_FORMAT',
      "the model is XGBoost's binary UBJSON format (save_model('model.ubj')); Sluice scores XGBoost's JSON format: save it with booster.save_model('model.json')",
    ],
    [
      'a pickled XGBClassifier',
      'xgb-binary.pkl',
      'MODEL_FORMAT',
      "the model is a Python pickle (pickle.dump or joblib.dump), which only Python can load; Sluice scores XGBoost's JSON format: save it with booster.save_model('model.json') (for a scikit-learn XGBClassifier or XGBRegressor, model.get_booster().save_model('model.json'))",
    ],
  ])('names %s and says what to do', async (_, file, code, message) => {
    const bytes = await fixture(file);
    let thrown: unknown;
    try {
      parseModel(bytes, `s3://models/${file}`);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code, message: expect.stringContaining(`s3://models/${file}: ${message}`) });
    // No byte of the file reaches the message.
    expect((thrown as Error).message).not.toMatch(/[\u0000-\u0008\u000e-\u001f\ufffd]/);
  });

  it('says a text file that is not JSON is not, briefly, and what to save instead', () => {
    expect(() => parseModel('features: [a, b]\n'.repeat(100), 'model.yaml')).toThrow(
      /^model\.yaml: not valid JSON \(Unexpected token .{0,200}\); Sluice scores XGBoost's JSON format: save it with booster\.save_model\('model\.json'\)/,
    );
  });

  it('still reads the binary classifier saved as JSON', async () => {
    expect(parseModel(await fixture('xgb-binary.json'), 'xgb-binary.json')).toMatchObject({
      type: 'xgboost',
      objective: 'binary:logistic',
    });
  });
});
