"""Trains churn models, logs them to an MLflow tracking server and registers them, for the MLflow suite.

Usage: python train_register.py <features.csv> <result.json>

Reads MLFLOW_TRACKING_URI (and, for the experiment stored in S3 directly, MLFLOW_S3_ENDPOINT_URL and AWS credentials)
from the environment. Writes the feature rows it scored to <features.csv> and, to <result.json>, each registered
version with the predictions XGBoost (or the linear formula) gives for those rows, so the suite can check Sluice's.
"""
import json
import os
import sys
import tempfile

import mlflow
import numpy as np
import pandas as pd
import xgboost as xgb
from mlflow import MlflowClient

FEATURES = ["tenure", "charges", "tickets_rate", "is_basic"]
# Explicit requirements: inferring them loads each model in a subprocess (seconds per model).
PIP = ["xgboost"]


def customers(seed: int, rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "tenure": rng.integers(0, 72, rows).astype("int64"),
            "charges": np.round(rng.uniform(10, 120, rows), 2),
            "tickets_rate": np.round(rng.exponential(0.3, rows), 4),
            "is_basic": rng.integers(0, 2, rows).astype("int64"),
        }
    )


def churned(df: pd.DataFrame, seed: int) -> np.ndarray:
    logit = -1.0 - 0.04 * df.tenure + 0.015 * df.charges + 1.5 * df.tickets_rate + 0.5 * df.is_basic
    return (np.random.default_rng(seed).random(len(df)) < 1 / (1 + np.exp(-logit))).astype(int)


def train(seed: int, rounds: int) -> xgb.Booster:
    df = customers(seed, 400)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": seed}
    return xgb.train(params, xgb.DMatrix(df, label=churned(df, seed + 1)), num_boost_round=rounds)


class SluiceLinear(mlflow.pyfunc.PythonModel):
    """A pyfunc wrapper whose artifact `sluice_model` is Sluice's linear JSON (Sluice scores the JSON itself)."""

    def load_context(self, context):
        with open(context.artifacts["sluice_model"]) as f:
            self.model = json.load(f)

    def predict(self, context, model_input):
        m = self.model
        z = m["intercept"] + sum(c * model_input[f] for f, c in zip(m["features"], m["coefficients"]))
        return 1 / (1 + np.exp(-z))


def main() -> None:
    features_csv, result_json = sys.argv[1], sys.argv[2]
    client = MlflowClient()
    scored = customers(99, 50)
    scored.insert(0, "customer_id", [f"C{i:05d}" for i in range(len(scored))])
    scored.to_csv(features_csv, index=False)
    rows = scored[FEATURES]
    result = {"models": {}}

    # XGBoost in the default experiment (artifacts through the server's proxy): two versions, then one logged as UBJ.
    mlflow.set_experiment("churn-proxied")
    for seed, rounds in ((1, 5), (2, 12)):
        booster = train(seed, rounds)
        with mlflow.start_run() as run:
            info = mlflow.xgboost.log_model(
                booster, name="model", model_format="json", registered_model_name="churn-xgb", pip_requirements=PIP
            )
        predictions = booster.predict(xgb.DMatrix(rows)).tolist()
        result["models"].setdefault("churn-xgb", []).append(
            {"version": str(info.registered_model_version), "run_id": run.info.run_id, "predictions": predictions}
        )
    with mlflow.start_run():
        info = mlflow.xgboost.log_model(train(3, 5), name="model", registered_model_name="churn-ubj", pip_requirements=PIP)
    result["models"]["churn-ubj"] = [{"version": str(info.registered_model_version)}]

    # Sluice's linear JSON as a pyfunc artifact, in an experiment whose artifacts live in S3 (read by Sluice directly).
    direct = client.get_experiment_by_name("churn-direct") or client.get_experiment(
        client.create_experiment("churn-direct", artifact_location="s3://models/direct")
    )
    mlflow.set_experiment(experiment_id=direct.experiment_id)
    linear = {"type": "logistic_regression", "name": "churn-logistic", "features": FEATURES,
              "coefficients": [-0.04, 0.015, 1.5, 0.5], "intercept": -1.0}
    with tempfile.TemporaryDirectory() as tmp, mlflow.start_run():
        path = os.path.join(tmp, "sluice-model.json")
        with open(path, "w") as f:
            json.dump(linear, f)
        info = mlflow.pyfunc.log_model(
            name="model", python_model=SluiceLinear(), artifacts={"sluice_model": path},
            registered_model_name="churn-logistic", pip_requirements=["mlflow"],
        )
    z = linear["intercept"] + sum(c * rows[f] for f, c in zip(FEATURES, linear["coefficients"]))
    result["models"]["churn-logistic"] = [
        {"version": str(info.registered_model_version), "predictions": (1 / (1 + np.exp(-z))).tolist()}
    ]

    for name in ("churn-xgb", "churn-logistic", "churn-ubj"):
        client.set_registered_model_alias(name, "champion", result["models"][name][0]["version"])
    with open(result_json, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
