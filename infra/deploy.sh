#!/usr/bin/env bash
# What CloudFormation cannot do for cblog: SecureString parameters, the web image in ECR, the
# failover site's files, and a teardown that gets past deletion protection.
#
#   infra/deploy.sh params            create <prefix>/username, /password, /secret-key (SecureString)
#   infra/deploy.sh image [TAG]       build web/ and push it to ECR; prints the image URI
#   infra/deploy.sh deploy IMAGE_URI  sam build + sam deploy (username read from SSM)
#   infra/deploy.sh site              upload S3_static_Website/ to the failover bucket
#   infra/deploy.sh teardown          delete the stack (media bucket and table are retained)
#
# Environment: STACK (cblog), AWS_REGION (us-east-1), PREFIX (/cblog/capstone),
# CONFIG_ENV (default; samconfig.toml environment), DB_USERNAME (blogadmin),
# REGISTRY_TOKEN (optional: stored as <prefix>/token for a non-ECR private registry).
set -euo pipefail

cd "$(dirname "$0")/.."
STACK=${STACK:-cblog}
REGION=${AWS_REGION:-us-east-1}
PREFIX=${PREFIX:-/cblog/capstone}
CONFIG_ENV=${CONFIG_ENV:-default}
SAM=(uvx --from aws-sam-cli==1.170.0 sam)

die() { echo "deploy.sh: $*" >&2; exit 1; }

output() {
  aws cloudformation describe-stacks --region "$REGION" --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

put_secure() {  # name value: create once; never overwrite a live credential
  if aws ssm get-parameter --region "$REGION" --name "$1" >/dev/null 2>&1; then
    echo "kept existing $1"
  else
    aws ssm put-parameter --region "$REGION" --name "$1" --type SecureString \
      --value "$2" >/dev/null
    echo "created $1"
  fi
}

cmd_params() {
  local password secret_key
  # RDS forbids / @ " and spaces in the master password: draw from letters and digits only.
  # (No `tr </dev/urandom | head`: under pipefail the early close fails the pipeline.)
  password=$(head -c 1024 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
  password=${password:0:32}
  ((${#password} == 32)) || die "could not draw a password"
  put_secure "$PREFIX/username" "${DB_USERNAME:-blogadmin}"
  put_secure "$PREFIX/password" "$password"
  # Django's SECRET_KEY, read by the app from <prefix>/secret-key.
  secret_key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
  put_secure "$PREFIX/secret-key" "$secret_key"
  if [[ -n "${REGISTRY_TOKEN:-}" ]]; then
    put_secure "$PREFIX/token" "$REGISTRY_TOKEN"
  fi
}

cmd_image() {
  local tag=${1:-$(git rev-parse --short HEAD)} account registry uri
  account=$(aws sts get-caller-identity --query Account --output text)
  registry="$account.dkr.ecr.$REGION.amazonaws.com"
  uri="$registry/$STACK-web:$tag"
  aws ecr describe-repositories --region "$REGION" --repository-names "$STACK-web" \
    >/dev/null 2>&1 ||
    aws ecr create-repository --region "$REGION" --repository-name "$STACK-web" \
      --image-scanning-configuration scanOnPush=true \
      --image-tag-mutability IMMUTABLE >/dev/null
  aws ecr get-login-password --region "$REGION" |
    docker login --username AWS --password-stdin "$registry"
  docker build -t "$uri" -f web/Dockerfile .
  docker push "$uri"
  echo "$uri"
}

cmd_deploy() {
  local image=${1:?usage: deploy.sh deploy IMAGE_URI} username
  username=$(aws ssm get-parameter --region "$REGION" --name "$PREFIX/username" \
    --with-decryption --query Parameter.Value --output text) ||
    die "no $PREFIX/username: run 'infra/deploy.sh params' first"
  # --parameter-overrides replaces samconfig.toml's list, so start from that list.
  local overrides=()
  mapfile -t overrides < <(python3 - "$CONFIG_ENV" <<'PY'
import sys, tomllib
with open("samconfig.toml", "rb") as f:
    config = tomllib.load(f)
replaced = {"SsmParameterPrefix", "WebImageUri", "DBMasterUsername"}
for item in config[sys.argv[1]]["deploy"]["parameters"].get("parameter_overrides", []):
    if item.split("=", 1)[0] not in replaced:
        print(item)
PY
  )
  # Lambda keeps 10 executions unreserved: an account still at the new-account quota of 10
  # cannot reserve any, so the indexer goes without a reservation there.
  local quota
  quota=$(aws lambda get-account-settings --region "$REGION" \
    --query AccountLimit.ConcurrentExecutions --output text)
  if ((quota < 15)); then
    echo "Lambda concurrency quota is $quota: deploying without reserved concurrency." >&2
    overrides+=("IndexerReservedConcurrency=0")
  fi
  "${SAM[@]}" build --config-env "$CONFIG_ENV"
  "${SAM[@]}" deploy --config-env "$CONFIG_ENV" --stack-name "$STACK" --region "$REGION" \
    --parameter-overrides "${overrides[@]}" "SsmParameterPrefix=$PREFIX" \
    "WebImageUri=$image" "DBMasterUsername=$username"
  cmd_site
  echo "Confirm the SNS subscription e-mail, or Auto Scaling notifications stay pending."
}

cmd_site() {
  local bucket
  bucket=$(output FailoverSiteBucketName)
  [[ -n "$bucket" && "$bucket" != None ]] || die "stack $STACK has no failover bucket yet"
  # Root: the Route 53 SECONDARY target. maintenance/: CloudFront's 502/503/504 page.
  aws s3 sync S3_static_Website/ "s3://$bucket/" --delete --region "$REGION"
  aws s3 sync S3_static_Website/ "s3://$bucket/maintenance/" --delete --region "$REGION"
}

cmd_teardown() {
  local db site
  db=$(output DbInstanceId)
  site=$(output FailoverSiteBucketName)
  if [[ -n "$db" && "$db" != None ]]; then
    # AWS CLI v1 overrides AWS_ENDPOINT_URL for RDS (local rehearsals): pass it explicitly.
    aws rds modify-db-instance --region "$REGION" --db-instance-identifier "$db" \
      --no-deletion-protection --apply-immediately \
      ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} >/dev/null
  fi
  if [[ -n "$site" && "$site" != None ]]; then
    aws s3 rm "s3://$site/" --recursive --region "$REGION"
  fi
  aws cloudformation delete-stack --region "$REGION" --stack-name "$STACK"
  aws cloudformation wait stack-delete-complete --region "$REGION" --stack-name "$STACK"
  echo "Deleted $STACK. Kept on purpose: the media bucket, the media index table, the final"
  echo "database snapshot and the SSM parameters under $PREFIX; delete them by hand if unwanted."
}

case "${1:-help}" in
  params) cmd_params ;;
  image) shift; cmd_image "$@" ;;
  deploy) shift; cmd_deploy "$@" ;;
  site) cmd_site ;;
  teardown) cmd_teardown ;;
  help | -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (try: deploy.sh help)" ;;
esac
