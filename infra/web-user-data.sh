#!/bin/bash
# Boot script of a cblog web instance (Ubuntu 22.04). This file is the source of the launch
# template's UserData in infra/web.yaml, which embeds it verbatim under Fn::Sub: every
# dollar-brace placeholder is CloudFormation's, so shell variables are written $name only.
# tests/infra/test_user_data.py keeps the two identical and runs shellcheck on the rendering.
set -Eeuo pipefail
exec > >(tee -a /var/log/cblog-user-data.log) 2>&1

region="${AWS::Region}"
stack="${AWS::StackName}"
image="${WebImageUri}"
prefix="${SsmParameterPrefix}"
log_group="${WebLogGroup}"

imds() {
  local token
  token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
  curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
instance_id=$(imds instance-id)

# Tell the ASG's creation/rolling-update policy how the boot went, exactly once.
signal() {
  aws cloudformation signal-resource --region "$region" --stack-name "$stack" \
    --logical-resource-id WebAutoScalingGroup --unique-id "$instance_id" --status "$1" || true
}
trap 'signal FAILURE' ERR

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  docker.io amazon-ecr-credential-helper awscli curl ca-certificates
systemctl enable --now docker

# Registry login: ECR through the credential helper and the instance role; any other private
# registry with the token kept in SSM at <prefix>/token (optional <prefix>/token-username).
registry=$(printf '%s' "$image" | cut -d/ -f1)
mkdir -p /root/.docker
if [[ "$registry" =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$ ]]; then
  printf '{"credHelpers": {"%s": "ecr-login"}}\n' "$registry" > /root/.docker/config.json
elif [[ "$registry" == *.* ]]; then
  token=$(aws ssm get-parameter --region "$region" --name "$prefix/token" --with-decryption \
    --query Parameter.Value --output text 2>/dev/null || true)
  user=$(aws ssm get-parameter --region "$region" --name "$prefix/token-username" \
    --query Parameter.Value --output text 2>/dev/null || echo token)
  if [[ -n "$token" ]]; then
    printf '%s' "$token" | docker login "$registry" --username "$user" --password-stdin
  fi
fi

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
AWS_REGION=$region
AWS_DEFAULT_REGION=$region
ENV
chmod 0640 /etc/cblog/web.env

# Container output (migrations and the app) goes to CloudWatch Logs, one stream per instance.
docker_run() {
  docker run --log-driver awslogs --log-opt "awslogs-region=$region" \
    --log-opt "awslogs-group=$log_group" --log-opt "awslogs-stream=$instance_id" "$@"
}

for attempt in 1 2 3 4 5; do
  docker pull "$image" && break
  echo "docker pull failed (attempt $attempt), retrying" >&2
  sleep 10
done

# Migrations run under a database lock inside the image, so instances booting together
# wait for each other instead of racing.
docker_run --rm --env-file /etc/cblog/web.env "$image" migrate

docker rm -f cblog-web >/dev/null 2>&1 || true
docker_run -d --name cblog-web --restart unless-stopped -p 80:8000 \
  --env-file /etc/cblog/web.env "$image"

# Report success only once the app answers its health endpoint.
for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null http://127.0.0.1/healthz; then
    trap - ERR
    signal SUCCESS
    exit 0
  fi
  sleep 5
done
echo "/healthz did not answer within 5 minutes" >&2
trap - ERR
signal FAILURE
exit 1
