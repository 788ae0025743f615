"""Logs the churn example's model (model.json) to an MLflow tracking server and registers it, as MLflow users do.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python examples/churn/register-model.py [--name churn] [--alias champion]

Needs mlflow and xgboost in the Python that runs it (`pip install mlflow==3.17.2 xgboost-cpu`). The booster is logged
with model_format="json": XGBoost's JSON is what Sluice scores (MLflow's default, UBJ, is refused with that advice).
Each run registers a new version and points the alias at it, and prints the version as its last line.
"""
import argparse
import os

import mlflow
import xgboost as xgb
from mlflow import MlflowClient

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="churn", help="the registered model's name")
    parser.add_argument("--alias", default="champion", help="the alias to point at the new version")
    parser.add_argument("--model", default=os.path.join(HERE, "model.json"), help="an XGBoost model saved as JSON")
    args = parser.parse_args()
    booster = xgb.Booster()
    booster.load_model(args.model)
    mlflow.set_experiment("churn")
    with mlflow.start_run():
        mlflow.log_param("trees", booster.num_boosted_rounds())
        info = mlflow.xgboost.log_model(
            booster, name="model", model_format="json", registered_model_name=args.name, pip_requirements=["xgboost"]
        )
    version = str(info.registered_model_version)
    MlflowClient().set_registered_model_alias(args.name, args.alias, version)
    print(version)


if __name__ == "__main__":
    main()
