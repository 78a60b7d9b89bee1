#!/usr/bin/env bash
# featurepipe, daily: backfill yesterday (UTC), build yesterday's training set, copy yesterday's
# partitions to the online store. Each step runs only if the one before succeeded; a failure exits
# non-zero (cron mails it, or your wrapper alerts on it) and the next run starts from scratch:
# every step replaces exactly its own outputs, so rerunning a day is always safe.
#
# crontab (the machine's clock in UTC; 02:30 leaves the producers 2.5 hours to finish the day's files):
#   30 2 * * *  /opt/featurepipe/featurepipe-daily.sh >> /var/log/featurepipe/daily.log 2>&1
# a given day by hand (e.g. after a fix):
#   /opt/featurepipe/featurepipe-daily.sh 2026-01-08
#
# Quality gate: the backfill's exit status is its gate. A non-zero status (3 when the quality gate
# blocks publication) stops the script before the training set
# and materialize read the day. See docs/runbook.md "A gate failed".
set -euo pipefail

FEATUREPIPE=${FEATUREPIPE:-"java -jar /opt/featurepipe/featurepipe.jar"}
REPO=${REPO:-/opt/featurepipe/feature-defs/payments}
DATA_ROOT=${DATA_ROOT:-/data/raw}
OFFLINE_ROOT=${OFFLINE_ROOT:-/data/offline}
SPINES=${SPINES:-/data/spines}
TRAINING=${TRAINING:-/data/training}
BIGTABLE=${BIGTABLE:-my-project/features-instance/features}
# Beam options for every pipeline (here a Flink cluster; leave empty for the local DirectRunner)
RUNNER_OPTS=${RUNNER_OPTS:-"--runner=FlinkRunner --flinkMaster=flink-jobmanager:8081 --parallelism=8"}

DAY=${1:-$(date -u -d yesterday +%F)}

# never two runs at once (a slow day must not overlap the next one)
exec 9>"${LOCK:-/tmp/featurepipe-daily.lock}"
flock -n 9 || { echo "featurepipe-daily: another run holds the lock; not starting $DAY" >&2; exit 1; }

echo "featurepipe-daily $DAY: backfill"
$FEATUREPIPE backfill "$REPO" --from "$DAY" --to "$DAY" \
  --data-root "$DATA_ROOT" --offline-root "$OFFLINE_ROOT" --gate=block \
  $RUNNER_OPTS

echo "featurepipe-daily $DAY: training set"
$FEATUREPIPE training-set "$REPO" \
  --spine "$SPINES/$DAY.csv" --spine-timestamp event_time \
  --features 'user_spend:*,merchant_risk:*' \
  --offline-root "$OFFLINE_ROOT" --output "$TRAINING/date=$DAY" \
  $RUNNER_OPTS

echo "featurepipe-daily $DAY: materialize"
$FEATUREPIPE materialize "$REPO" --from "$DAY" --to "$DAY" \
  --offline-root "$OFFLINE_ROOT" --bigtable "$BIGTABLE" \
  $RUNNER_OPTS

echo "featurepipe-daily $DAY: done"
