"""pandas + xgboost baseline for bench/features-scoring: the churn example's feature SQL as a pandas groupby, then
Booster.predict, Parquet in and out. Prints one JSON line of timings (one run; the benchmark runs it once a round).
bench/whole-run/baseline.py reuses build_features and predict."""
import json
import resource
import sys
import time

import pandas as pd
import xgboost as xgb

FEATURES = ["tenure_months", "monthly_charges", "lifetime_value", "tickets_per_month", "is_basic", "auto_renew", "days_since_login"]


def build_features(df: pd.DataFrame, nominal: str) -> pd.DataFrame:
    """The example's feature SQL: one row per customer."""
    df = df.assign(is_basic=(df["plan"] == "basic").astype("int32"), auto_renew_i=df["auto_renew"].astype("int32"))
    g = df.groupby("customer_id", sort=False).agg(
        tenure_months=("tenure_months", "max"),
        monthly_charges=("monthly_charges", "mean"),
        tickets=("support_tickets", "sum"),
        is_basic=("is_basic", "max"),
        auto_renew=("auto_renew_i", "max"),
        last_login=("last_login", "max"),
    )
    g["lifetime_value"] = g["tenure_months"] * g["monthly_charges"]
    g["tickets_per_month"] = g["tickets"] / g["tenure_months"].clip(lower=1)
    # DuckDB's date_diff('day') counts calendar-day boundaries, so compare dates, not 24-hour periods.
    days = g["last_login"].dt.normalize()
    g["days_since_login"] = (days.max() - days).dt.days.astype("int64")
    g["feature_time"] = pd.Timestamp(nominal)
    return g.reset_index()


def predict(features: pd.DataFrame, model_path: str) -> pd.DataFrame:
    """Scores every customer with the XGBoost model (all cores), as the example's score step does."""
    booster = xgb.Booster()
    booster.load_model(model_path)
    score = booster.predict(xgb.DMatrix(features[FEATURES]))
    return pd.DataFrame({"customer_id": features["customer_id"], "score": score, "label": score >= 0.5, "model_version": "baseline"})


def main() -> None:
    src, model_path, out, nominal = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    t0 = time.perf_counter()
    features = build_features(pd.read_parquet(src), nominal)
    t1 = time.perf_counter()
    predictions = predict(features, model_path)
    t2 = time.perf_counter()
    predictions.to_parquet(out)
    t3 = time.perf_counter()
    print(json.dumps({
        "featuresMs": (t1 - t0) * 1000, "scoringMs": (t2 - t1) * 1000, "writeMs": (t3 - t2) * 1000, "totalMs": (t3 - t0) * 1000,
        "rows": len(features), "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "pandas": pd.__version__, "xgboost": xgb.__version__,
    }))


if __name__ == "__main__":
    main()
