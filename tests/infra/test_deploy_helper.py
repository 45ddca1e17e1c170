"""infra/deploy.sh on an operator's laptop: preflight checks, AMI pins, the origin-verify
secret and its pins, the web image in an immutable repository, the failover site upload, and the
shell it needs.

The helper drives the real AWS CLI against a moto server on loopback. A wrapper named ``aws``
first on PATH answers the calls moto cannot (``rds describe-db-engine-versions``,
``lambda get-account-settings``, Canonical's public AMI parameter and, when a test sets
``STUB_DEPLOYED_ORIGIN``, the value a deployed stack resolved for its origin-verify pin, which
moto does not report) and hands every other call to the real CLI, recording them all;
``docker`` is a stub that records its calls (no Docker engine here).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "infra" / "deploy.sh"
PREFIX = "/cblog/capstone"  # samconfig.toml's default environment
CANONICAL = "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id"
AWS_WRAPPER = r"""#!/bin/bash
printf 'aws %s\n' "$*" >> "$STUB_CALLS"
case "$*" in
  "rds describe-db-engine-versions"*)
    for version in $STUB_OFFERED; do
      [[ " $* " == *" --engine-version $version "* ]] && echo "$version"
    done
    exit 0 ;;
  "lambda get-account-settings"*) echo "$STUB_QUOTA"; exit 0 ;;
  *"ssm get-parameter"*"__CANONICAL__"*) echo "$STUB_UBUNTU_AMI"; exit 0 ;;
  *"cloudformation describe-stacks"*"OriginVerifyVersionParameter"*)
    if [ -n "${STUB_DEPLOYED_ORIGIN:-}" ]; then echo "$STUB_DEPLOYED_ORIGIN"; exit 0; fi ;;
esac
exec "__REAL_AWS__" "$@"
"""
DOCKER_STUB = r"""#!/bin/bash
printf 'docker %s\n' "$*" >> "$STUB_CALLS"
[[ "$1" == login ]] && cat > /dev/null
exit 0
"""

needs_aws = pytest.mark.skipif(shutil.which("aws") is None, reason="the helper drives the AWS CLI")


class Helper:
    """Runs infra/deploy.sh against the moto endpoint with the stubs first on PATH."""

    def __init__(self, endpoint: str, tmp_path: Path, script: Path = HELPER) -> None:
        self.endpoint = endpoint
        self.script = script
        self.calls_file = tmp_path / "calls.log"
        stubs = tmp_path / "bin"
        stubs.mkdir()
        wrapper = AWS_WRAPPER.replace("__REAL_AWS__", str(shutil.which("aws")))
        (stubs / "aws").write_text(wrapper.replace("__CANONICAL__", CANONICAL))
        (stubs / "docker").write_text(DOCKER_STUB)
        for stub in stubs.iterdir():
            stub.chmod(0o755)
        self.env = {
            **os.environ,
            "PATH": f"{stubs}:{os.environ['PATH']}",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "STUB_CALLS": str(self.calls_file),
            "STUB_OFFERED": "8.0.43 8.4.6",
            "STUB_QUOTA": "1000",
            "STUB_UBUNTU_AMI": self.client("ec2").describe_images(Owners=["amazon"])["Images"][0][
                "ImageId"
            ],
        }
        for name in ("AWS_PROFILE", "AWS_REGION", "STACK", "PREFIX", "CONFIG_ENV"):
            self.env.pop(name, None)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        self.calls_file.write_text("")
        return subprocess.run(  # noqa: S603 - the helper itself
            ["/bin/bash", str(self.script), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
            cwd=ROOT,
        )

    def calls(self) -> list[str]:
        return self.calls_file.read_text().splitlines()


@pytest.fixture
def helper(moto_endpoint: str, tmp_path: Path) -> Helper:
    return Helper(moto_endpoint, tmp_path)


@needs_aws
def test_preflight_accepts_an_offered_mysql_version(helper: Helper) -> None:
    result = helper.run("preflight")
    assert result.returncode == 0, result.stderr
    assert "MySQL 8.0.43 is offered in us-east-1" in result.stdout
    call = next(c for c in helper.calls() if "describe-db-engine-versions" in c)
    assert "--engine mysql --engine-version 8.0.43" in call  # samconfig.toml's DBEngineVersion


@needs_aws
def test_preflight_refuses_a_version_the_region_does_not_offer(helper: Helper) -> None:
    result = helper.run("preflight", DB_ENGINE_VERSION="8.0.19")
    assert result.returncode == 1
    assert "MySQL 8.0.19 is not offered by RDS in us-east-1" in result.stderr
    assert "aws rds describe-db-engine-versions" in result.stderr  # how to list them


@needs_aws
def test_preflight_warns_a_new_account_about_reserved_concurrency(helper: Helper) -> None:
    result = helper.run("preflight", STUB_QUOTA="10")
    assert result.returncode == 0
    assert "IndexerReservedConcurrency=0" in result.stderr


@needs_aws
def test_amis_are_pinned_once_and_move_only_on_refresh(helper: Helper) -> None:
    ssm = helper.client("ssm")
    al2023 = ssm.get_parameter(
        Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    )["Parameter"]["Value"]
    assert helper.run("amis").returncode == 0
    assert any(CANONICAL in call for call in helper.calls())  # Ubuntu 22.04, Canonical's

    def pins() -> tuple[str, str]:
        return (
            ssm.get_parameter(Name=f"{PREFIX}/ami/ubuntu-22.04")["Parameter"]["Value"],
            ssm.get_parameter(Name=f"{PREFIX}/ami/al2023")["Parameter"]["Value"],
        )

    first = pins()
    assert first == (helper.env["STUB_UBUNTU_AMI"], al2023)

    images = helper.client("ec2").describe_images(Owners=["amazon"])["Images"]
    newer = next(i["ImageId"] for i in images if i["ImageId"] != first[0])
    kept = helper.run("amis", STUB_UBUNTU_AMI=newer)
    assert kept.returncode == 0
    assert pins() == first  # Canonical published a new image: nothing moves by itself
    assert helper.run("amis", "--refresh", STUB_UBUNTU_AMI=newer).returncode == 0
    assert pins() == (newer, al2023)


@needs_aws
def test_origin_creates_the_secret_once_and_pins_it(helper: Helper) -> None:
    ssm, secrets = helper.client("ssm"), helper.client("secretsmanager")
    first = helper.run("origin")
    assert first.returncode == 0, first.stderr
    assert f"created {PREFIX}/origin-verify" in first.stdout
    # The load balancer's group is the brief's (80 and 443 from anywhere): no prefix list to pin.
    assert not any("prefix-list" in call for call in helper.calls())

    def pin(name: str) -> str:
        return ssm.get_parameter(Name=f"{PREFIX}/{name}")["Parameter"]["Value"]

    current = pin("origin-verify/current")
    assert pin("origin-verify/previous") == current  # nothing to accept besides it yet
    value = secrets.get_secret_value(SecretId=f"{PREFIX}/origin-verify", VersionId=current)
    assert re.fullmatch(r"[0-9a-f]{64}", value["SecretString"])

    again = helper.run("origin")
    assert again.returncode == 0, again.stderr
    assert "kept" in again.stdout
    assert (pin("origin-verify/current"), pin("origin-verify/previous")) == (current, current)
    assert secrets.get_secret_value(SecretId=f"{PREFIX}/origin-verify")["VersionId"] == current


@needs_aws
def test_origin_rotate_keeps_the_value_cloudfront_sends_until_the_next_rotation(
    helper: Helper,
) -> None:
    ssm, secrets = helper.client("ssm"), helper.client("secretsmanager")
    assert helper.run("origin").returncode == 0
    first = ssm.get_parameter(Name=f"{PREFIX}/origin-verify/current")["Parameter"]["Value"]

    rotated = helper.run("origin", "--rotate")
    assert rotated.returncode == 0, rotated.stderr
    current = ssm.get_parameter(Name=f"{PREFIX}/origin-verify/current")["Parameter"]["Value"]
    previous = ssm.get_parameter(Name=f"{PREFIX}/origin-verify/previous")["Parameter"]["Value"]
    assert previous == first
    assert current != first

    def value(version: str) -> str:
        secret = secrets.get_secret_value(SecretId=f"{PREFIX}/origin-verify", VersionId=version)
        return secret["SecretString"]

    assert value(current) != value(previous)
    assert re.fullmatch(r"[0-9a-f]{64}", value(current))


@needs_aws
def test_origin_refuses_a_second_rotation_before_the_first_is_deployed(helper: Helper) -> None:
    ssm = helper.client("ssm")
    assert helper.run("origin").returncode == 0
    deployed = ssm.get_parameter(Name=f"{PREFIX}/origin-verify/current")["Parameter"]["Value"]
    # The stack as the last deploy left it: its pin resolved to the version CloudFront sends.
    helper.env["STUB_DEPLOYED_ORIGIN"] = deployed
    assert helper.run("origin", "--rotate").returncode == 0
    refused = helper.run("origin", "--rotate")
    assert refused.returncode == 1
    assert "the last rotation is not deployed yet" in refused.stderr
    pinned = ssm.get_parameter(Name=f"{PREFIX}/origin-verify/previous")["Parameter"]["Value"]
    assert pinned == deployed  # CloudFront's value is still accepted


@needs_aws
def test_image_builds_for_amd64_once_per_tag_in_the_immutable_repository(
    helper: Helper,
) -> None:
    first = helper.run("image", "1.0.0")
    assert first.returncode == 0, first.stderr
    uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/cblog-web:1.0.0"
    assert first.stdout.strip().endswith(uri)
    build = next(c for c in helper.calls() if c.startswith("docker build"))
    assert "--platform linux/amd64" in build
    assert any(c == f"docker push {uri}" for c in helper.calls())
    ecr = helper.client("ecr")
    (repository,) = ecr.describe_repositories(repositoryNames=["cblog-web"])["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    ssm = helper.client("ssm")
    assert ssm.get_parameter(Name=f"{PREFIX}/web-image")["Parameter"]["Value"] == uri

    # What the push would have left in ECR (the docker stub pushes nothing).
    manifest = '{"schemaVersion": 2, "layers": []}'
    ecr.put_image(
        repositoryName="cblog-web",
        imageManifest=manifest,
        imageManifestMediaType="application/vnd.docker.distribution.manifest.v2+json",
        imageTag="1.0.0",
    )
    again = helper.run("image", "1.0.0")
    assert again.returncode == 0, again.stderr
    assert "already pushed" in again.stdout
    assert not any(c.startswith(("docker build", "docker push")) for c in helper.calls())
    assert ssm.get_parameter(Name=f"{PREFIX}/web-image")["Parameter"]["Value"] == uri


@needs_aws
def test_image_tags_the_commit_and_refuses_a_tree_with_changes_other_than_samconfig(
    moto_endpoint: str, tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "infra").mkdir(parents=True)
    shutil.copy(HELPER, checkout / "infra" / "deploy.sh")
    shutil.copy(ROOT / "samconfig.toml", checkout / "samconfig.toml")
    (checkout / "app.py").write_text("print('v1')\n")

    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603 - git in the scratch checkout
            [str(shutil.which("git")), "-c", "user.name=t", "-c", "user.email=t@x.invalid", *args],
            cwd=checkout,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "v1")
    commit = git("rev-parse", "--short=12", "HEAD")
    (tmp_path / "stubs").mkdir()
    helper = Helper(moto_endpoint, tmp_path / "stubs", checkout / "infra" / "deploy.sh")

    # What `sam deploy --guided` does to samconfig.toml must not block a release.
    with (checkout / "samconfig.toml").open("a") as config:
        config.write("# answers saved by sam deploy --guided\n")
    result = helper.run("image")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"/cblog-web:{commit}")

    (checkout / "app.py").write_text("print('v2, not committed')\n")
    refused = helper.run("image")
    assert refused.returncode == 1
    assert "uncommitted changes" in refused.stderr
    assert not any(c.startswith("docker build") for c in helper.calls())


@needs_aws
def test_site_refreshes_maintenance_first_and_never_deletes_it_from_the_root_sync(
    helper: Helper,
) -> None:
    s3 = helper.client("s3")
    cfn = helper.client("cloudformation")
    cfn.create_stack(
        StackName="cblog",
        TemplateBody=(
            "Resources:\n"
            "  Site: {Type: AWS::S3::Bucket, Properties: {BucketName: blog.example.com}}\n"
            "Outputs:\n  FailoverSiteBucketName: {Value: !Ref Site}\n"
        ),
    )
    s3.put_object(Bucket="blog.example.com", Key="maintenance/stale.html", Body=b"old")
    result = helper.run("site")
    assert result.returncode == 0, result.stderr
    syncs = [c for c in helper.calls() if c.startswith("aws s3 sync")]
    assert len(syncs) == 2
    assert "s3://blog.example.com/maintenance/ --delete" in syncs[0]
    assert "s3://blog.example.com/ --delete --exclude maintenance/*" in syncs[1]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="blog.example.com")["Contents"]}
    assert keys == {
        "index.html",
        "under-construction.png",
        "maintenance/index.html",
        "maintenance/under-construction.png",
    }


GUIDED_SAMCONFIG = r"""version = 0.1
[default.global.parameters]
stack_name = "cblog"
region = "us-east-1"
[default.deploy.parameters]
stack_name = "blog-jane"
region = "eu-west-1"
parameter_overrides = "ProjectName=\"cblog\" EnvironmentName=\"prod\" SsmParameterPrefix=\"/jane/capstone\" WebImageParameter=\"/jane/capstone/web-image\" UbuntuImageParameter=\"/jane/capstone/ami/ubuntu-22.04\" NatImageParameter=\"/jane/capstone/ami/al2023\" DBEngineVersion=\"8.4.6\" DomainName=\"blog.example.com\""
"""  # noqa: E501 - as `sam deploy --guided` writes it: one line
AWKS = {
    "default": None,
    "gawk-posix": '#!/bin/sh\nexec gawk --posix "$@"\n',
    "bsd-awk": '#!/bin/sh\nexec original-awk "$@"\n',  # macOS's awk, where Debian's package is
}


@pytest.mark.parametrize("awk", sorted(AWKS))
@pytest.mark.parametrize("written_by", ["repository", "sam-guided"])
def test_settings_come_from_samconfig_as_written_by_us_or_by_a_guided_deploy(
    tmp_path: Path, awk: str, written_by: str
) -> None:
    needed = {"gawk-posix": "gawk", "bsd-awk": "original-awk"}.get(awk)
    if needed and shutil.which(needed) is None:
        pytest.skip(f"{needed} is not installed here")
    checkout = tmp_path / "checkout"
    (checkout / "infra").mkdir(parents=True)
    shutil.copy(HELPER, checkout / "infra" / "deploy.sh")
    config = checkout / "samconfig.toml"
    if written_by == "repository":
        shutil.copy(ROOT / "samconfig.toml", config)
        expected = ["STACK=cblog AWS_REGION=us-east-1 PREFIX=/cblog/capstone", "=8.0.43"]
        expected += ["pin: /cblog/capstone/web-image", "/cblog/capstone/ami/al2023"]
    else:
        config.write_text(GUIDED_SAMCONFIG)
        expected = ["STACK=blog-jane AWS_REGION=eu-west-1 PREFIX=/jane/capstone", "=8.4.6"]
        expected += ["pin: /jane/capstone/web-image", "/jane/capstone/ami/al2023"]
    env = {k: v for k, v in os.environ.items() if k not in {"STACK", "AWS_REGION", "PREFIX"}}
    if AWKS[awk]:
        shim = tmp_path / "bin"
        shim.mkdir()
        (shim / "awk").write_text(AWKS[awk])
        (shim / "awk").chmod(0o755)
        env["PATH"] = f"{shim}:{env['PATH']}"
    result = subprocess.run(  # noqa: S603 - the helper itself
        ["/bin/bash", str(checkout / "infra" / "deploy.sh"), "settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for text in expected:
        assert text in result.stdout


# Constructs bash 3.2 (macOS's /bin/bash) lacks; the helper must not use any.
BASH4_ONLY = {
    "mapfile/readarray": r"\b(mapfile|readarray)\b",
    "associative arrays": r"\bdeclare\s+-[a-zA-Z]*A",
    "case conversion": r"\$\{[^}]*(,,|\^\^)",
    "nameref": r"\bdeclare\s+-[a-zA-Z]*n",
    "&>> / |&": r"&>>|\|&",
    "[[ -v": r"\[\[\s+-v\b",
    "negative substring": r"\$\{[^}]*:\s*-\d",
    "coproc": r"\bcoproc\b",
    "empty-array expansion under set -u": r'"\$\{[A-Za-z_]+\[@\]\}"',
}


@pytest.mark.parametrize("construct", sorted(BASH4_ONLY))
def test_helper_uses_nothing_bash_3_2_lacks(construct: str) -> None:
    code = [line for line in HELPER.read_text().splitlines() if not line.lstrip().startswith("#")]
    hits = [line for line in code if re.search(BASH4_ONLY[construct], line)]
    assert not hits, f"{construct}: {hits}"


def test_helper_run_by_another_shell_says_to_use_bash() -> None:
    result = subprocess.run(  # noqa: S603 - dash (Debian's sh) running the helper
        ["/bin/sh", str(HELPER), "help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "run it with bash" in result.stderr
