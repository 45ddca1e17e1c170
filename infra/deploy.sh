#!/usr/bin/env bash
# What CloudFormation cannot do for cblog, before and after `sam build && sam deploy --guided`:
#
#   infra/deploy.sh bootstrap [TAG]   preflight + params + amis + origin + image: a first deploy's needs
#   infra/deploy.sh preflight         check the tools, the MySQL version in the region, quotas
#   infra/deploy.sh params            create the SecureStrings under PREFIX (never overwrites)
#   infra/deploy.sh amis [--refresh]  pin the current Ubuntu and Amazon Linux AMIs (once)
#   infra/deploy.sh origin [--rotate] create the origin-verify secret and pin it (once)
#   infra/deploy.sh image [TAG]       build (linux/amd64), push to ECR, pin the image URI
#   infra/deploy.sh site              upload S3_static_Website/ to the failover bucket
#   infra/deploy.sh teardown          delete the stack (media bucket and table are retained)
#   infra/deploy.sh settings          print the stack, region, prefix and pins it would use
#
# Settings come from samconfig.toml's CONFIG_ENV environment (default: "default"): stack name,
# region, SsmParameterPrefix, DBEngineVersion. Environment variables override them: STACK,
# AWS_REGION, PREFIX, DB_ENGINE_VERSION; also DB_USERNAME (blogadmin), APP_DB_USERNAME
# (cblog_app), REGISTRY_TOKEN (optional: <prefix>/token for a non-ECR private registry).
#
# Runs on bash 3.2 (macOS) and later; tests/infra/test_deploy_helper.py keeps it that way.
if [ -z "${BASH_VERSION:-}" ]; then
  echo "deploy.sh: run it with bash (bash infra/deploy.sh ...), not sh or zsh" >&2
  exit 2
fi
if [ "${BASH_VERSINFO[0]}" -lt 3 ] || { [ "${BASH_VERSINFO[0]}" -eq 3 ] && [ "${BASH_VERSINFO[1]}" -lt 2 ]; }; then
  echo "deploy.sh: needs bash 3.2 or newer (this is $BASH_VERSION)" >&2
  exit 2
fi
set -euo pipefail

cd "$(dirname "$0")/.."
CONFIG_ENV=${CONFIG_ENV:-default}

die() {
  echo "deploy.sh: $*" >&2
  exit 1
}

# samconfig SECTION KEY: a `key = "value"` line of [CONFIG_ENV.SECTION.parameters].
samconfig() {
  awk -v section="[$CONFIG_ENV.$1.parameters]" -v key="$2" '
    $0 == section { inside = 1; next }
    /^\[/ { inside = 0 }
    inside && $1 == key { sub(/^[^"]*"/, ""); sub(/".*$/, ""); print; exit }
  ' samconfig.toml
}

# override NAME: NAME's value in the environment's parameter_overrides, written either as this
# repository does (a list of "NAME=value") or as `sam deploy --guided` saves it (one string of
# NAME=\"value\" pairs).
override() {
  awk -v section="[$CONFIG_ENV.deploy.parameters]" -v name="$1" '
    $0 == section { inside = 1; next }
    /^\[/ { inside = 0 }
    inside && match($0, "(^|[\" ])" name "=") {
      rest = substr($0, RSTART + RLENGTH)
      sub(/^\\"/, "", rest)
      match(rest, /^[^"\\ ]*/)
      print substr(rest, 1, RLENGTH)
      exit
    }
  ' samconfig.toml
}

# `sam deploy --guided` saves its stack name and region in the deploy section: those win.
setting() {
  local value
  value=$(samconfig deploy "$1")
  [ -n "$value" ] || value=$(samconfig global "$1")
  printf '%s' "$value"
}

STACK=${STACK:-$(setting stack_name)}
REGION=${AWS_REGION:-$(setting region)}
PREFIX=${PREFIX:-$(override SsmParameterPrefix)}
DB_ENGINE_VERSION=${DB_ENGINE_VERSION:-$(override DBEngineVersion)}
if [ -z "$STACK" ] || [ -z "$REGION" ] || [ -z "$PREFIX" ]; then
  die "no stack_name, region or SsmParameterPrefix for '$CONFIG_ENV' in samconfig.toml"
fi

UBUNTU_PUBLIC=/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id
AL2023_PUBLIC=/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64

output() {
  aws cloudformation describe-stacks --region "$REGION" --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

parameter() {
  aws ssm get-parameter --region "$REGION" --name "$1" --query Parameter.Value --output text
}

put_secure() { # name value: create once; never overwrite a live credential
  if aws ssm get-parameter --region "$REGION" --name "$1" >/dev/null 2>&1; then
    echo "kept existing $1"
  else
    aws ssm put-parameter --region "$REGION" --name "$1" --type SecureString \
      --value "$2" >/dev/null
    echo "created $1"
  fi
}

# 32 letters and digits: RDS and MySQL refuse / @ " and spaces in passwords.
# (No `tr </dev/urandom | head`: under pipefail the early close fails the pipeline.)
random_password() {
  local password
  password=$(head -c 1024 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
  password=${password:0:32}
  [ ${#password} -eq 32 ] || die "could not draw a password"
  printf '%s' "$password"
}

cmd_preflight() {
  command -v aws >/dev/null || die "the AWS CLI is needed (https://aws.amazon.com/cli/)"
  local offered quota
  # EngineVersion stays a parameter; a version RDS no longer offers here would fail the database
  # stack twenty minutes in, so ask first.
  offered=$(aws rds describe-db-engine-versions --region "$REGION" --engine mysql \
    --engine-version "$DB_ENGINE_VERSION" --query 'DBEngineVersions[].EngineVersion' \
    --output text) || die "could not list the MySQL versions RDS offers in $REGION"
  case " $offered " in
    *" $DB_ENGINE_VERSION "*) echo "MySQL $DB_ENGINE_VERSION is offered in $REGION" ;;
    *)
      die "MySQL $DB_ENGINE_VERSION is not offered by RDS in $REGION. List the versions with
  aws rds describe-db-engine-versions --region $REGION --engine mysql --query 'DBEngineVersions[].EngineVersion'
and set DBEngineVersion in samconfig.toml (or DB_ENGINE_VERSION) to one of them."
      ;;
  esac
  # Lambda keeps 10 executions unreserved: an account still at the new-account quota of 10
  # cannot reserve any for the indexer.
  quota=$(aws lambda get-account-settings --region "$REGION" \
    --query AccountLimit.ConcurrentExecutions --output text)
  if [ "$quota" -lt 15 ]; then
    echo "Lambda concurrency quota is $quota: answer IndexerReservedConcurrency=0 in" \
      "'sam deploy --guided' (or ask for a higher quota)." >&2
  fi
}

cmd_params() {
  local password app_password secret_key master
  # Drawn into variables first: a failure inside "$(...)" given as an argument would not stop
  # the script, and an empty password would be stored.
  password=$(random_password)
  app_password=$(random_password)
  secret_key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
  # The RDS master user: administration and migrations only (DB_ROLE=admin).
  put_secure "$PREFIX/username" "${DB_USERNAME:-blogadmin}"
  put_secure "$PREFIX/password" "$password"
  # The web tier's own database user, created with its grants by the image's migrate step.
  put_secure "$PREFIX/app-username" "${APP_DB_USERNAME:-cblog_app}"
  put_secure "$PREFIX/app-password" "$app_password"
  # Django's SECRET_KEY, read by the app from <prefix>/secret-key.
  put_secure "$PREFIX/secret-key" "$secret_key"
  if [ -n "${REGISTRY_TOKEN:-}" ]; then
    put_secure "$PREFIX/token" "$REGISTRY_TOKEN"
  fi
  master=$(aws ssm get-parameter --region "$REGION" --name "$PREFIX/username" \
    --with-decryption --query Parameter.Value --output text)
  if [ "$master" != "blogadmin" ]; then
    echo "The master user is '$master': answer DBMasterUsername=$master in 'sam deploy --guided'." >&2
  fi
}

# pin_ami PIN PUBLIC: copy the AMI id the public parameter names now into our own parameter,
# which the stack reads. Kept unless --refresh: the AMI moves only when an operator says so.
pin_ami() {
  local ami
  if [ "${REFRESH:-}" != 1 ] && ami=$(parameter "$1" 2>/dev/null); then
    echo "kept $1 = $ami"
    return
  fi
  ami=$(parameter "$2") || die "could not read the public parameter $2 in $REGION"
  aws ssm put-parameter --region "$REGION" --name "$1" --type String --data-type aws:ec2:image \
    --value "$ami" --overwrite >/dev/null
  echo "pinned $1 = $ami"
}

cmd_amis() {
  case "${1:-}" in
    --refresh) REFRESH=1 ;;
    "") ;;
    *) die "usage: deploy.sh amis [--refresh]" ;;
  esac
  pin_ami "$(override UbuntuImageParameter)" "$UBUNTU_PUBLIC"
  pin_ami "$(override NatImageParameter)" "$AL2023_PUBLIC"
}

# 64 lower-case hex digits (256 bits): the load balancer compares header values without
# regard to case and treats * and ? as wildcards, so hex loses nothing there.
random_hex() {
  local value
  value=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
  [ ${#value} -eq 64 ] || die "could not draw a random value"
  printf '%s' "$value"
}

# pin_name PARAMETER SUFFIX: the SSM name samconfig.toml gives the template's PARAMETER, or
# <prefix>/SUFFIX where a samconfig written before that parameter existed lacks it.
pin_name() {
  local name
  name=$(override "$1")
  if [ -z "$name" ]; then
    name="$PREFIX/$2"
    echo "no $1 in samconfig.toml: using $name (add $1=$name to its parameter_overrides)" >&2
  fi
  printf '%s' "$name"
}

# The version of the stack's deployed origin-verify pin, empty before the first deploy.
deployed_origin_version() {
  aws cloudformation describe-stacks --region "$REGION" --stack-name "$STACK" \
    --query "Stacks[0].Parameters[?ParameterKey=='OriginVerifyVersionParameter'].ResolvedValue" \
    --output text 2>/dev/null || true
}

# What "only CloudFront's requests reach the web tier" needs, in this region: the secret
# <prefix>/origin-verify in Secrets Manager, the X-Origin-Verify value CloudFront sends and the
# HTTPS listener requires (the load balancer is open to anyone on 80 and 443, as the brief asks;
# without the header it answers 403). CloudFormation resolves it by version id, so two pins hold
# the version CloudFront sends (current) and the one it sent before the last rotation
# (previous), which the listener still accepts while the distribution deploys.
# Created once; --rotate draws a new value and moves the pins: then `sam deploy`.
cmd_origin() {
  local rotate="" secret current_pin previous_pin current previous deployed
  case "${1:-}" in
    --rotate) rotate=1 ;;
    "") ;;
    *) die "usage: deploy.sh origin [--rotate]" ;;
  esac
  secret="$PREFIX/origin-verify"
  current_pin=$(pin_name OriginVerifyVersionParameter origin-verify/current)
  previous_pin=$(pin_name OriginVerifyPreviousVersionParameter origin-verify/previous)
  if ! aws secretsmanager describe-secret --region "$REGION" --secret-id "$secret" \
    >/dev/null 2>&1; then
    current=$(random_hex)
    current=$(aws secretsmanager create-secret --region "$REGION" --name "$secret" \
      --description "X-Origin-Verify: CloudFront sends it, the load balancer requires it" \
      --secret-string "$current" --query VersionId --output text)
    previous=$current
    echo "created $secret"
  elif [ "$rotate" = 1 ]; then
    previous=$(parameter "$current_pin") || die "no $current_pin: run deploy.sh origin first"
    # Dropping the value CloudFront still sends would lock it out: rotate again only once the
    # last rotation is deployed (the stack resolved the current pin).
    deployed=$(deployed_origin_version)
    if [ -n "$deployed" ] && [ "$deployed" != None ] && [ "$deployed" != "$previous" ]; then
      die "the last rotation is not deployed yet: run sam deploy first"
    fi
    current=$(random_hex)
    current=$(aws secretsmanager put-secret-value --region "$REGION" --secret-id "$secret" \
      --secret-string "$current" --query VersionId --output text)
    echo "rotated $secret: now sam deploy (the old value is accepted until the next rotation)"
  elif current=$(parameter "$current_pin" 2>/dev/null) &&
    previous=$(parameter "$previous_pin" 2>/dev/null); then
    echo "kept $secret (version $current)"
    return
  else
    # The secret outlived its pins (deleted by hand): pin its current version.
    current=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$secret" \
      --query VersionId --output text) || die "could not read the current version of $secret"
    previous=$current
  fi
  aws ssm put-parameter --region "$REGION" --name "$current_pin" --type String \
    --value "$current" --overwrite >/dev/null
  aws ssm put-parameter --region "$REGION" --name "$previous_pin" --type String \
    --value "$previous" --overwrite >/dev/null
  echo "pinned $current_pin = $current, $previous_pin = $previous"
}

cmd_image() {
  local tag=${1:-} account registry uri
  if [ -z "$tag" ]; then
    # Tags are immutable, so a tag must name exactly one build: the commit, on a clean tree
    # (samconfig.toml aside: `sam deploy --guided` writes its answers there, and no image holds it).
    if [ -n "$(git status --porcelain -- . ':(exclude)samconfig.toml')" ]; then
      die "uncommitted changes: commit them or pass a TAG"
    fi
    tag=$(git rev-parse --short=12 HEAD)
  fi
  account=$(aws sts get-caller-identity --region "$REGION" --query Account --output text)
  registry="$account.dkr.ecr.$REGION.amazonaws.com"
  uri="$registry/$STACK-web:$tag"
  aws ecr describe-repositories --region "$REGION" --repository-names "$STACK-web" \
    >/dev/null 2>&1 ||
    aws ecr create-repository --region "$REGION" --repository-name "$STACK-web" \
      --image-scanning-configuration scanOnPush=true \
      --image-tag-mutability IMMUTABLE >/dev/null
  if aws ecr describe-images --region "$REGION" --repository-name "$STACK-web" \
    --image-ids "imageTag=$tag" >/dev/null 2>&1; then
    echo "$uri is already pushed: nothing to build"
  else
    aws ecr get-login-password --region "$REGION" |
      docker login --username AWS --password-stdin "$registry"
    # The instances are x86_64 whatever this machine is (an Apple silicon laptop builds arm64).
    docker build --platform linux/amd64 -t "$uri" -f web/Dockerfile .
    docker push "$uri"
  fi
  aws ssm put-parameter --region "$REGION" --name "$(override WebImageParameter)" \
    --type String --value "$uri" --overwrite >/dev/null
  echo "$uri"
}

cmd_settings() {
  echo "CONFIG_ENV=$CONFIG_ENV STACK=$STACK AWS_REGION=$REGION PREFIX=$PREFIX"
  echo "DB_ENGINE_VERSION=$DB_ENGINE_VERSION"
  echo "image pin: $(override WebImageParameter)"
  echo "AMI pins: $(override UbuntuImageParameter) $(override NatImageParameter)"
  echo "origin pins: $(override OriginVerifyVersionParameter)" \
    "$(override OriginVerifyPreviousVersionParameter)"
}

cmd_bootstrap() {
  cmd_preflight
  cmd_params
  cmd_amis
  cmd_origin
  cmd_image "$@"
  echo
  echo "Ready. Next: sam build && sam deploy --guided$([ "$CONFIG_ENV" = default ] ||
    printf ' --config-env %s' "$CONFIG_ENV"), then infra/deploy.sh site."
}

cmd_site() {
  local bucket
  bucket=$(output FailoverSiteBucketName)
  if [ -z "$bucket" ] || [ "$bucket" = None ]; then
    die "stack $STACK has no failover bucket yet"
  fi
  # maintenance/ is CloudFront's 502/503/504 page: refresh it in place first, then the root
  # (the Route 53 SECONDARY target) without ever touching maintenance/, so no moment lacks it.
  aws s3 sync S3_static_Website/ "s3://$bucket/maintenance/" --delete --region "$REGION"
  aws s3 sync S3_static_Website/ "s3://$bucket/" --delete --exclude 'maintenance/*' \
    --region "$REGION"
}

cmd_teardown() {
  local db site
  db=$(output DbInstanceId)
  site=$(output FailoverSiteBucketName)
  if [ -n "$db" ] && [ "$db" != None ]; then
    # AWS CLI v1 overrides AWS_ENDPOINT_URL for RDS (local rehearsals): pass it explicitly.
    aws rds modify-db-instance --region "$REGION" --db-instance-identifier "$db" \
      --no-deletion-protection --apply-immediately \
      ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} >/dev/null
  fi
  if [ -n "$site" ] && [ "$site" != None ]; then
    aws s3 rm "s3://$site/" --recursive --region "$REGION"
  fi
  aws cloudformation delete-stack --region "$REGION" --stack-name "$STACK"
  aws cloudformation wait stack-delete-complete --region "$REGION" --stack-name "$STACK"
  echo "Deleted $STACK. Kept on purpose: the media bucket, the media index table, the final"
  echo "database snapshot, the ECR repository, the SSM parameters under $PREFIX and the"
  echo "secret $PREFIX/origin-verify. A new deploy creates a new media bucket; delete the old"
  echo "resources by hand if unwanted."
}

command=${1:-help}
[ $# -eq 0 ] || shift
case "$command" in
  bootstrap) cmd_bootstrap "$@" ;;
  preflight) cmd_preflight ;;
  settings) cmd_settings ;;
  params) cmd_params ;;
  amis) cmd_amis "$@" ;;
  origin) cmd_origin "$@" ;;
  image) cmd_image "$@" ;;
  site) cmd_site ;;
  teardown) cmd_teardown ;;
  help | -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$command' (try: deploy.sh help)" ;;
esac
