"""Times openlineage-python: build, serialise and POST `count` step events with its classes and HttpTransport.

Usage: python emit.py <sink-url> <count> <warmup>; prints {"perEventUs", "cpuUs", "bytes"} on stdout.
The event is the one bench/lineage-emit/step-event.ts builds (10 facet kinds, 2 inputs, 1 output).
"""

import json
import resource
import sys
import time
import uuid

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    datasource_dataset,
    input_statistics_input_dataset,
    job_type_job,
    nominal_time_run,
    output_statistics_output_dataset,
    parent_run,
    processing_engine_run,
    schema_dataset,
    source_code_location_job,
)
from openlineage.client.serde import Serde
from openlineage.client.transport.http import HttpConfig, HttpTransport
from openlineage.client.uuid import generate_new_uuid

NS = "s3://churn-data"
FIELDS = [
    ("customer_id", "DOUBLE"),
    ("tenure_months", "DOUBLE"),
    ("monthly_charges", "DOUBLE"),
    ("total_charges", "DOUBLE"),
    ("contract", "VARCHAR"),
    ("churned", "BOOLEAN"),
]


def dataset_facets():
    return {
        "schema": schema_dataset.SchemaDatasetFacet(
            fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in FIELDS]
        ),
        "dataSource": datasource_dataset.DatasourceDatasetFacet(name=NS, uri=NS),
    }


def step_event(parent_id):
    from datetime import datetime, timezone

    outputs_facets = dataset_facets()
    outputs_facets["columnLineage"] = column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            n: column_lineage_dataset.Fields(
                inputFields=[
                    column_lineage_dataset.InputField(
                        namespace=NS,
                        name="published/customers",
                        field=n,
                        transformations=[column_lineage_dataset.Transformation(type="DIRECT", subtype="IDENTITY")],
                    )
                ]
            )
            for n, _ in FIELDS
        }
    )
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=datetime.now(timezone.utc).isoformat(),
        run=Run(
            runId=str(generate_new_uuid()),
            facets={
                "parent": parent_run.ParentRunFacet(
                    run=parent_run.Run(runId=parent_id),
                    job=parent_run.Job(namespace="sluice", name="churn"),
                    root=parent_run.Root(
                        run=parent_run.RootRun(runId=parent_id),
                        job=parent_run.RootJob(namespace="sluice", name="churn"),
                    ),
                ),
                "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
                    version="3.11", name="python", openlineageAdapterVersion="1.54.0"
                ),
                "nominalTime": nominal_time_run.NominalTimeRunFacet(nominalStartTime="2026-11-23T06:00:00.000Z"),
            },
        ),
        job=Job(
            namespace="sluice",
            name="churn.features",
            facets={
                "jobType": job_type_job.JobTypeJobFacet(processingType="BATCH", integration="SLUICE", jobType="TASK"),
                "sourceCodeLocation": source_code_location_job.SourceCodeLocationJobFacet(
                    type="git", url="https://example.com/acme/churn/blob/main/pipeline.ts"
                ),
            },
        ),
        producer="https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
        inputs=[
            InputDataset(
                namespace=NS,
                name=name,
                facets=dataset_facets(),
                inputFacets={
                    "inputStatistics": input_statistics_input_dataset.InputStatisticsInputDatasetFacet(
                        rowCount=3000, size=181000, fileCount=1
                    )
                },
            )
            for name in ("published/customers", "published/usage")
        ],
        outputs=[
            OutputDataset(
                namespace=NS,
                name="features/churn",
                facets=outputs_facets,
                outputFacets={
                    "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                        rowCount=3000, size=120000, fileCount=1
                    )
                },
            )
        ],
    )


def main():
    url, count, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url)))
    parent = str(uuid.uuid4())
    for _ in range(warmup):
        client.emit(step_event(parent))
    size = len(Serde.to_json(step_event(parent)))
    cpu = time.process_time()
    start = time.perf_counter()
    for _ in range(count):
        client.emit(step_event(parent))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    print(json.dumps({"perEventUs": seconds / count * 1e6, "cpuUs": cpu_seconds / count * 1e6, "bytes": size, "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
