"""The whole-run baseline: one Python script doing what the churn pipeline does. pandas reads the CSV with its types,
Great Expectations checks the example's six rules (a failed error rule stops the script, as it stops the pipeline),
pandas builds the features and xgboost scores them (bench/features-scoring/baseline.py), predictions go to Parquet.
Timed from reading the CSV to the Parquet written (imports and Great Expectations' set-up are not). Prints JSON."""
import json
import os
import resource
import sys
import time

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "features-scoring"))
from baseline import build_features, predict  # noqa: E402

csv, model_path, out, nominal = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

# The churn example's rules (examples/churn/pipeline.ts), in its order; the support_tickets range is a warning there.
RULES = [
    ("error", gxe.ExpectColumnValuesToNotBeNull(column="customer_id")),
    ("error", gxe.ExpectColumnValuesToBeUnique(column="customer_id")),
    ("error", gxe.ExpectColumnValuesToBeBetween(column="monthly_charges", min_value=0, max_value=1000)),
    ("error", gxe.ExpectColumnValuesToBeBetween(column="tenure_months", min_value=0, max_value=600)),
    ("warn", gxe.ExpectColumnValuesToBeBetween(column="support_tickets", max_value=40)),
    ("error", gxe.ExpectTableRowCountToBeBetween(min_value=100)),
]
context = gx.get_context(mode="ephemeral")
# Great Expectations otherwise draws progress bars on stderr for every validation.
context.variables.progress_bars = ProgressBarsConfig(globally=False)
batch = context.data_sources.add_pandas("pandas").add_dataframe_asset(name="customers").add_batch_definition_whole_dataframe("all")
suite = context.suites.add(gx.ExpectationSuite(name="customers"))
for _, rule in RULES:
    suite.add_expectation(rule)
validation = context.validation_definitions.add(gx.ValidationDefinition(name="customers", data=batch, suite=suite))

t0 = time.perf_counter()
frame = pd.read_csv(
    csv,
    dtype={"customer_id": "string", "plan": "string", "monthly_charges": "float64", "tenure_months": "int64", "support_tickets": "int64", "auto_renew": "bool"},
    parse_dates=["signup_date", "last_login"],
    date_format="ISO8601",
)
t1 = time.perf_counter()
result = validation.run(batch_parameters={"dataframe": frame})
outcome = {(r.expectation_config.type, r.expectation_config.kwargs.get("column")): r.success for r in result.results}
passed = [outcome[(rule.expectation_type, getattr(rule, "column", None))] for _, rule in RULES]
t2 = time.perf_counter()
if not all(ok for (severity, _), ok in zip(RULES, passed) if severity == "error"):
    raise SystemExit(f"the batch failed its rules: {passed}")
features = build_features(frame, nominal)
t3 = time.perf_counter()
predict(features, model_path).to_parquet(out)
t4 = time.perf_counter()
print(json.dumps({
    "readMs": (t1 - t0) * 1000, "rulesMs": (t2 - t1) * 1000, "featuresMs": (t3 - t2) * 1000, "scoringMs": (t4 - t3) * 1000,
    "totalMs": (t4 - t0) * 1000, "passed": passed, "rows": len(frame), "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "greatExpectations": gx.__version__, "pandas": pd.__version__,
}))
