import { parsePipelineSpec } from 'sluice';
import churn from './pipeline.ts';

/**
 * The churn pipeline scoring with the model an MLflow registry names `champion` instead of model.json: the same
 * datasets, steps and lineage jobs, only the score step's model differs. Register the model with register-model.py.
 */
export default parsePipelineSpec({
  ...churn,
  steps: churn.steps.map((step) =>
    step.kind === 'batchScore' ? { ...step, model: { registry: 'mlflow', name: 'churn', alias: 'champion' } } : step,
  ),
});
