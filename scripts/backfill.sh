#!/usr/bin/env bash
# Replays deliveries already in the bucket through the deployed function with an S3 Batch
# Operations LambdaInvoke job (invocation schema 2.0): one task per object of a manifest, each
# answered by the function with Succeeded, TemporaryFailure (the job retries it) or
# PermanentFailure. The completion report lists every task with its result code and the
# function's result string. Needs the stack deployed with BackfillBucketName (its BackfillRole)
# and the AWS CLI with credentials of the stack's account (s3:CreateJob, iam:PassRole on the role).
#
# Usage:
#   scripts/backfill.sh [--stack NAME] --csv s3://BUCKET/PREFIX/manifest.csv
#       a CSV manifest of `bucket,key` lines (keys URL-encoded, as Batch Operations requires);
#       e.g. aws s3api list-objects-v2 --bucket B --prefix AWSLogs/111111111111/ \
#              --query 'Contents[].[Key]' --output text | sed 's/^/B,/' >manifest.csv
#   scripts/backfill.sh [--stack NAME] --inventory s3://BUCKET/PREFIX/.../manifest.json
#       the manifest.json of an S3 Inventory report (CSV format) of the trail bucket.
#   --report-prefix P   where the completion report goes (default: <BackfillPrefix>/reports)
#
# Both manifest kinds must lie under s3://<BackfillBucketName>/<BackfillPrefix>/, the only place
# the role may read; the report goes under <BackfillPrefix>/reports/, the only place it may write.
# Prints the job id; follow it with
#   aws s3control describe-job --account-id ACCOUNT --job-id ID --query 'Job.[Status,ProgressSummary]'
# and read the report: s3://<BackfillBucketName>/<report prefix>/job-<ID>/report.json names the
# result CSV files beside it, one line per task with its bucket, key, task status, result code
# (the function's Succeeded / TemporaryFailure / PermanentFailure) and result string.
set -euo pipefail

stack=trailwatch
manifest=""
format=""
report_prefix=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stack) stack="$2"; shift 2 ;;
    --csv) manifest="$2"; format=S3BatchOperations_CSV_20180820; shift 2 ;;
    --inventory) manifest="$2"; format=S3InventoryReport_CSV_20161130; shift 2 ;;
    --report-prefix) report_prefix="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "backfill: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$manifest" ]] || { echo "backfill: give --csv or --inventory (see --help)" >&2; exit 2; }
[[ "$manifest" == s3://*/* ]] || { echo "backfill: the manifest must be an s3:// URI" >&2; exit 2; }

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
parameter() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Parameters[?ParameterKey=='$1'].ParameterValue" --output text
}

role_arn="$(output BackfillRoleArn)"
[[ -n "$role_arn" && "$role_arn" != None ]] ||
  { echo "backfill: stack $stack has no BackfillRoleArn output; deploy it with BackfillBucketName" >&2; exit 1; }
function_name="$(output FunctionName)"
function_arn="$(aws lambda get-function --function-name "$function_name" --query Configuration.FunctionArn --output text)"
account_id="$(aws sts get-caller-identity --query Account --output text)"
partition="$(cut -d: -f2 <<<"$role_arn")"
report_bucket="$(parameter BackfillBucketName)"
report_prefix="${report_prefix:-$(parameter BackfillPrefix)/reports}"

manifest_bucket="${manifest#s3://}"
manifest_key="${manifest_bucket#*/}"
manifest_bucket="${manifest_bucket%%/*}"
# The job pins the manifest by its ETag, so a manifest rewritten meanwhile is refused.
etag="$(aws s3api head-object --bucket "$manifest_bucket" --key "$manifest_key" --query ETag --output text)"

spec="{\"Format\":\"$format\""
[[ "$format" == S3BatchOperations_CSV_20180820 ]] && spec+=',"Fields":["Bucket","Key"]'
spec+="}"

aws s3control create-job \
  --account-id "$account_id" \
  --no-confirmation-required \
  --priority 10 \
  --role-arn "$role_arn" \
  --client-request-token "trailwatch-backfill-$(date +%s)-$$" \
  --description "trailwatch backfill of $manifest" \
  --operation "{\"LambdaInvoke\":{\"FunctionArn\":\"$function_arn\",\"InvocationSchemaVersion\":\"2.0\"}}" \
  --manifest "{\"Spec\":$spec,\"Location\":{\"ObjectArn\":\"arn:$partition:s3:::$manifest_bucket/$manifest_key\",\"ETag\":$etag}}" \
  --report "{\"Bucket\":\"arn:$partition:s3:::$report_bucket\",\"Prefix\":\"$report_prefix\",\"Format\":\"Report_CSV_20180820\",\"Enabled\":true,\"ReportScope\":\"AllTasks\"}" \
  --query JobId --output text
