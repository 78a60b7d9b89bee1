"""featurepipe, daily, as an Airflow DAG.

For each daily data interval (the UTC day ``{{ ds }}``, run shortly after it ends):

    backfill  ->  training_set  ->  materialize

- ``backfill`` computes the day's offline partitions. Its exit status is the quality gate: a
  non-zero status (3 when the gate blocks publication) fails the
  task, so the training set and the online store never read a day that did not pass.
- ``training_set`` joins the day's spine to the offline store point in time.
- ``materialize`` copies the day's partitions to the online store (Bigtable) and advances its
  watermark; with a stream running it writes only what the stream does not own (docs/runbook.md).

Every step replaces exactly its own outputs, so retries and clears ("Clear" a task or a whole run
in the UI, or ``airflow dags backfill featurepipe_daily -s D1 -e D2``) are safe. ``max_active_runs``
is 1 so days are computed in order.

The featurepipe command lines below are checked against the real commands by
``runners/src/test/java/io/featurepipe/runners/ExampleCommandLinesTest.java``.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

# Where things are; override per deployment (Airflow Variables work the same way).
ENV = {
    "FEATUREPIPE": "java -jar /opt/featurepipe/featurepipe.jar",
    "REPO": "/opt/featurepipe/feature-defs/payments",
    "DATA_ROOT": "/data/raw",
    "OFFLINE_ROOT": "/data/offline",
    "SPINES": "/data/spines",
    "TRAINING": "/data/training",
    "BIGTABLE": "my-project/features-instance/features",
    # Beam options for every pipeline: a Flink cluster here. (On Dataflow, launch the Flex
    # Template instead, e.g. with DataflowStartFlexTemplateOperator, passing the same options
    # as template parameters.)
    "RUNNER_OPTS": "--runner=FlinkRunner --flinkMaster=flink-jobmanager:8081 "
                   "--parallelism=8",
}

default_args = {
    "owner": "features",
    "retries": 2,
    "retry_delay": timedelta(minutes=15),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=3),
}

with DAG(
    dag_id="featurepipe_daily",
    description="featurepipe: backfill yesterday, training set, materialize",
    start_date=datetime(2026, 1, 1),
    schedule="30 2 * * *",  # UTC; the interval {{ ds }} is the day before
    catchup=True,
    max_active_runs=1,
    default_args=default_args,
    tags=["featurepipe"],
) as dag:

    backfill = BashOperator(
        task_id="backfill",
        env=ENV,
        append_env=True,
        bash_command="""
$FEATUREPIPE backfill "$REPO" --from {{ ds }} --to {{ ds }} \
  --data-root "$DATA_ROOT" --offline-root "$OFFLINE_ROOT" --gate=block \
  $RUNNER_OPTS
""",
    )

    training_set = BashOperator(
        task_id="training_set",
        env=ENV,
        append_env=True,
        bash_command="""
$FEATUREPIPE training-set "$REPO" \
  --spine "$SPINES/{{ ds }}.csv" --spine-timestamp event_time \
  --features 'user_spend:*,merchant_risk:*' \
  --offline-root "$OFFLINE_ROOT" --output "$TRAINING/date={{ ds }}" \
  $RUNNER_OPTS
""",
    )

    materialize = BashOperator(
        task_id="materialize",
        env=ENV,
        append_env=True,
        bash_command="""
$FEATUREPIPE materialize "$REPO" --from {{ ds }} --to {{ ds }} \
  --offline-root "$OFFLINE_ROOT" --bigtable "$BIGTABLE" \
  $RUNNER_OPTS
""",
    )

    backfill >> training_set >> materialize
