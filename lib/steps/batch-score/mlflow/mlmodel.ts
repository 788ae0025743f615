import { parse } from 'yaml';
import { SluiceError } from '../../../../core/errors.ts';

/** The parts of an MLmodel file Sluice reads: its flavors, the MLflow version that wrote it and the logged model's ids. */
export interface MlmodelFile {
  readonly flavors: Readonly<Record<string, Record<string, unknown>>>;
  readonly mlflowVersion?: string;
  readonly runId?: string;
  readonly modelId?: string;
}

/** The file of a model directory Sluice scores with, and the flavor it came from. */
export interface ModelFileChoice {
  /** Path relative to the model directory. */
  readonly path: string;
  /** `xgboost` (XGBoost's JSON) or `sluice` (Sluice's linear JSON shipped as an extra file or pyfunc artifact). */
  readonly flavor: 'xgboost' | 'sluice';
}

/** Parses an MLmodel file (YAML), naming where it came from when it is not one. */
export function parseMlmodel(text: string, where: string): MlmodelFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new SluiceError('MODEL_MLMODEL_INVALID', `${where}: the MLmodel file is not YAML (${(error as Error).message.split('\n')[0]})`, {
      cause: error,
    });
  }
  const body = (doc ?? {}) as Record<string, unknown>;
  const flavors = body.flavors;
  if (typeof flavors !== 'object' || flavors === null || Array.isArray(flavors)) {
    throw new SluiceError('MODEL_MLMODEL_INVALID', `${where}: the MLmodel file lists no flavors`);
  }
  const text_ = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  return {
    flavors: flavors as Record<string, Record<string, unknown>>,
    ...(text_(body.mlflow_version) ? { mlflowVersion: text_(body.mlflow_version)! } : {}),
    ...(text_(body.run_id) ? { runId: text_(body.run_id)! } : {}),
    ...(text_(body.model_id) ? { modelId: text_(body.model_id)! } : {}),
  };
}

/** Paths of JSON files a flavor ships besides the model: `extra_files` (sklearn and others) and pyfunc `artifacts`. */
function shippedJson(flavors: MlmodelFile['flavors']): Array<{ path: string; name: string }> {
  const found: Array<{ path: string; name: string }> = [];
  for (const flavor of Object.values(flavors)) {
    const extra = flavor.extra_files;
    if (Array.isArray(extra)) {
      for (const entry of extra) {
        const path = (entry as { path?: unknown })?.path;
        if (typeof path === 'string') found.push({ path, name: path.split('/').pop()! });
      }
    }
    const artifacts = flavor.artifacts;
    if (artifacts && typeof artifacts === 'object') {
      for (const [name, entry] of Object.entries(artifacts as Record<string, unknown>)) {
        const path = (entry as { path?: unknown })?.path;
        if (typeof path === 'string') found.push({ path, name });
      }
    }
  }
  return found.filter((f) => f.path.toLowerCase().endsWith('.json'));
}

/**
 * Picks the file Sluice scores with from a model's MLmodel: an XGBoost flavor logged as JSON, else Sluice's linear JSON
 * shipped beside another flavor (`extra_files`, or a pyfunc artifact — preferably named `sluice_model`). XGBoost saved
 * in its binary formats (UBJ, the default, or the old .xgb) and flavors without a Sluice JSON are refused, saying how
 * to log the model so Sluice can read it.
 */
export function chooseModelFile(mlmodel: MlmodelFile, where: string): ModelFileChoice {
  const xgboost = mlmodel.flavors.xgboost;
  if (xgboost) {
    const data = typeof xgboost.data === 'string' ? xgboost.data : undefined;
    const format = typeof xgboost.model_format === 'string' ? xgboost.model_format : data?.endsWith('.json') ? 'json' : 'xgb';
    if (format === 'json' && data) return { path: data, flavor: 'xgboost' };
    throw new SluiceError(
      'MODEL_FORMAT_UNSUPPORTED',
      `${where}: the XGBoost model was logged in XGBoost's binary ${format.toUpperCase()} format (${data ?? 'no data file'}); Sluice reads XGBoost's JSON: log it with mlflow.xgboost.log_model(booster, name=..., model_format="json")`,
    );
  }
  const json = shippedJson(mlmodel.flavors);
  const preferred =
    json.find((f) => f.name === 'sluice_model') ??
    (json.length === 1 ? json[0] : json.find((f) => f.name.toLowerCase().startsWith('sluice')));
  if (preferred) return { path: preferred.path, flavor: 'sluice' };
  const flavors = Object.keys(mlmodel.flavors).join(', ');
  throw new SluiceError(
    'MODEL_FORMAT_UNSUPPORTED',
    json.length > 1
      ? `${where}: the model ships several JSON files (${json.map((f) => f.path).join(', ')}); name Sluice's model file sluice-model.json, or the pyfunc artifact sluice_model`
      : `${where}: no flavor Sluice can score (flavors: ${flavors}); log XGBoost with model_format="json", or ship Sluice's linear JSON with the model (extra_files=["sluice-model.json"], or a pyfunc artifact named sluice_model)`,
  );
}
