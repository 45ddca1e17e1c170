#!/bin/bash
# Boot script of a cblog web instance (Ubuntu 22.04). This file is the source of the launch
# template's UserData in infra/web.yaml, which embeds it verbatim under Fn::Sub: every
# dollar-brace placeholder is CloudFormation's, so shell variables are written $name only.
# tests/infra/test_user_data.py keeps the two identical and runs shellcheck on the rendering;
# tests/infra/test_user_data_rehearsal.py runs it against stubs, every path.
#
# The group's launch lifecycle hook holds this instance in Pending:Wait (outside the load
# balancer, before the 90 s health-check grace period starts) until this script completes the
# hook: CONTINUE once the app answers /healthz on port 80, ABANDON when any step fails. Either
# way the creation/rolling-update policy is signalled; if the script dies without a word, the
# hook's heartbeat timeout abandons the instance.
set -Eeuo pipefail
exec > >(tee -a /var/log/cblog-user-data.log) 2>&1

region="${AWS::Region}"
stack="${AWS::StackName}"
image="${WebImageUri}"
prefix="${SsmParameterPrefix}"
log_group="${WebLogGroup}"
group="${ProjectName}-${EnvironmentName}-web-${NameSuffix}"
hook=launch-ready

imds() {
  local token
  token=$(curl -fsS --retry 3 -X PUT http://169.254.169.254/latest/api/token \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
  curl -fsS --retry 3 -H "X-aws-ec2-metadata-token: $token" \
    "http://169.254.169.254/latest/meta-data/$1"
}
instance_id=$(imds instance-id)

complete_launch() {
  aws autoscaling complete-lifecycle-action --region "$region" \
    --auto-scaling-group-name "$group" --lifecycle-hook-name "$hook" \
    --instance-id "$instance_id" --lifecycle-action-result "$1"
}

# Outside a stack create or rolling update nobody waits for a signal and the call fails: that
# is expected on scale-out, so it never decides the outcome.
signal() {
  aws cloudformation signal-resource --region "$region" --stack-name "$stack" \
    --logical-resource-id WebAutoScalingGroup --unique-id "$instance_id" --status "$1" || true
}

fail() {
  trap - ERR
  echo "boot failed: $*" >&2
  signal FAILURE
  complete_launch ABANDON || true
  exit 1
}
trap 'fail "command failed at line $LINENO"' ERR

# retry ATTEMPTS COMMAND...: bounded, with a growing pause (the NAT instance may still be booting).
retry() {
  local attempts=$1 n=1
  shift
  until "$@"; do
    if ((n >= attempts)); then
      echo "gave up after $attempts attempts: $*" >&2
      return 1
    fi
    echo "attempt $n of $attempts failed, retrying: $*" >&2
    sleep $((n * 10))
    n=$((n + 1))
  done
}

# The first boot races apt-daily and unattended-upgrades for the dpkg lock: wait, don't fail.
apt_get() {
  apt-get -o DPkg::Lock::Timeout=600 -q "$@"
}
export DEBIAN_FRONTEND=noninteractive
retry 3 apt_get update
retry 3 apt_get install -y --no-install-recommends docker.io awscli
systemctl enable --now docker

# Registry login: ECR through the instance role; any other private registry with the token
# kept in SSM at <prefix>/token (optional <prefix>/token-username); public images need none.
registry=$(printf '%s' "$image" | cut -d/ -f1)
ecr_login() {
  local ecr_region
  ecr_region=$(printf '%s' "$registry" | cut -d. -f4)
  aws ecr get-login-password --region "$ecr_region" |
    docker login --username AWS --password-stdin "$registry"
}
if [[ "$registry" =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$ ]]; then
  retry 5 ecr_login
elif [[ "$registry" == *.* ]]; then
  token=$(aws ssm get-parameter --region "$region" --name "$prefix/token" --with-decryption \
    --query Parameter.Value --output text 2>/dev/null || true)
  user=$(aws ssm get-parameter --region "$region" --name "$prefix/token-username" \
    --query Parameter.Value --output text 2>/dev/null || echo token)
  if [[ -n "$token" ]]; then
    printf '%s' "$token" | docker login "$registry" --username "$user" --password-stdin
  fi
fi
retry 5 docker pull "$image"

# The environment contract of the image (shared/DESIGN.md): no secrets, the app reads the
# database credentials from SSM itself.
install -d -m 0750 /etc/cblog
cat > /etc/cblog/web.env <<ENV
DJANGO_ALLOWED_HOSTS=${DomainName}
DJANGO_CSRF_TRUSTED_ORIGINS=https://${DomainName}
DB_HOST=${DbHost}
DB_PORT=${DbPort}
DB_NAME=${DbName}
SSM_PARAMETER_PREFIX=$prefix
MEDIA_BUCKET=${MediaBucketName}
MEDIA_INDEX_TABLE=${MediaIndexTableName}
MEDIA_URL=https://${DomainName}/media/
CACHE_URL=rediss://${CacheHost}:${CachePort}/0
AWS_REGION=$region
AWS_DEFAULT_REGION=$region
ENV
chmod 0640 /etc/cblog/web.env

# Container output (migrations and the app) goes to CloudWatch Logs, one stream per instance.
docker_run() {
  docker run --log-driver awslogs --log-opt "awslogs-region=$region" \
    --log-opt "awslogs-group=$log_group" --log-opt "awslogs-stream=$instance_id" "$@"
}

# Migrations run under a database lock inside the image, so instances booting together
# wait for each other instead of racing. Only this step uses the master credentials
# (DB_ROLE=admin): it creates or updates the app's own database user, then migrates. The
# server below runs with the image's default role, that user.
docker_run --rm --env-file /etc/cblog/web.env -e DB_ROLE=admin "$image" migrate

docker rm -f cblog-web >/dev/null 2>&1 || true
docker_run -d --name cblog-web --restart unless-stopped -p 80:8000 \
  --env-file /etc/cblog/web.env "$image"

# In service only once the app answers its health endpoint through port 80, as the ALB will ask.
healthy=false
for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null --max-time 5 http://127.0.0.1/healthz; then
    healthy=true
    break
  fi
  sleep 5
done
if [[ "$healthy" != true ]]; then
  fail "/healthz did not answer on port 80 within 5 minutes"
fi
complete_launch CONTINUE || fail "could not complete the launch lifecycle action"
trap - ERR
signal SUCCESS
