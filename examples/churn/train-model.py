"""Trains the churn example's XGBoost model and saves it in XGBoost's own JSON format (model.json).

Run with `npm run train:churn` (creates a venv under .cache/ and installs xgboost-cpu from PyPI). The
training rows follow examples/churn/generate-data.ts, turned into the feature columns the pipeline's
feature SQL writes, with the same names and types, so XGBoost records them in the model and Sluice
checks them before scoring.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, "..", "..", ".cache", "pyenv")


def in_venv() -> None:
    """Re-runs this script inside .cache/pyenv, creating it and installing the packages on first use."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    if subprocess.run([python, "-c", "import xgboost, pandas"], capture_output=True).returncode != 0:
        if subprocess.run([python, "-m", "pip", "install", "-q", "xgboost-cpu", "pandas"]).returncode != 0:
            subprocess.run([python, "-m", "pip", "install", "-q", "xgboost", "pandas"], check=True)
    os.execv(python, [python, *sys.argv])


# Flags are checked before the venv is made, so a mistyped one costs nothing: it prints the usage and exits 2.
argparse.ArgumentParser(prog="npm run train:churn", description="Trains the churn example's XGBoost model and writes examples/churn/model.json (a venv under .cache/pyenv on first use).").parse_args()
in_venv()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xgboost as xgb  # noqa: E402

ROWS = 50_000
PRICES = {"basic": 19.5, "standard": 49.0, "premium": 89.0}


def features(rng: np.random.Generator) -> pd.DataFrame:
    plan = rng.choice(list(PRICES), ROWS)
    tenure = rng.integers(0, 72, ROWS).astype("int64")
    charges = np.array([PRICES[p] for p in plan]) + np.round(rng.uniform(0, 20, ROWS), 2)
    tickets = np.floor(rng.random(ROWS) ** 3 * 12).astype("int64")
    # Same names, order and types as the feature SQL's output (BIGINT → int64, INTEGER → int32, DOUBLE → float64).
    return pd.DataFrame({
        "tenure_months": tenure,
        "monthly_charges": charges,
        "lifetime_value": tenure * charges,
        "tickets_per_month": tickets / np.maximum(tenure, 1),
        "is_basic": (plan == "basic").astype("int32"),
        "auto_renew": (rng.random(ROWS) < 0.6).astype("int32"),
        "days_since_login": rng.integers(0, 60, ROWS).astype("int64"),
    })


def main() -> None:
    rng = np.random.default_rng(2026)
    x = features(rng)
    # Churn risk rises with support load, short tenure, idle accounts and no auto-renewal; saturates on tickets.
    logit = (-1.2 - 0.04 * x.tenure_months + 0.01 * x.monthly_charges + 2.5 * np.tanh(x.tickets_per_month)
             + 0.4 * x.is_basic - 0.9 * x.auto_renew + 0.035 * x.days_since_login)
    y = (rng.random(ROWS) < 1 / (1 + np.exp(-logit))).astype(int)
    model = xgb.XGBClassifier(n_estimators=100, max_depth=4, learning_rate=0.1, objective="binary:logistic", random_state=7)
    model.fit(x, y)
    out = os.path.join(HERE, "model.json")
    model.get_booster().save_model(out)
    print(f"wrote {out}: 100 trees, features {list(x.columns)}, xgboost {xgb.__version__}")


if __name__ == "__main__":
    main()
