"""samconfig.toml and the deploy helper: defaults that deploy, no secrets, parameters that exist."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "infra" / "deploy.sh"


@pytest.fixture(scope="module")
def samconfig() -> dict[str, Any]:
    return tomllib.loads((ROOT / "samconfig.toml").read_text())


@pytest.mark.parametrize("environment", ["default", "staging"])
def test_environment_deploys_to_us_east_1_with_nested_stack_capabilities(
    samconfig: dict[str, Any], environment: str
) -> None:
    config = samconfig[environment]
    assert config["global"]["parameters"]["region"] == "us-east-1"
    deploy = config["deploy"]["parameters"]
    assert deploy["capabilities"].split() == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    assert deploy["resolve_s3"] is True
    assert f'environment="{environment if environment != "default" else "prod"}"' in deploy["tags"]


@pytest.mark.parametrize("environment", ["default", "staging"])
def test_overrides_name_only_root_parameters_and_hold_no_secrets(
    samconfig: dict[str, Any], templates: dict[str, Any], environment: str
) -> None:
    overrides = samconfig[environment]["deploy"]["parameters"]["parameter_overrides"]
    names = [item.split("=", 1)[0] for item in overrides]
    assert set(names) <= set(templates["root"]["Parameters"])
    settings = [
        line.lower()
        for line in (ROOT / "samconfig.toml").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    for word in ("password", "secret", "token"):
        assert not any(word in line for line in settings), word


def test_guided_deploy_asks_only_for_what_is_the_users(templates: dict[str, Any]) -> None:
    """`sam deploy --guided` must be given a value for parameters without a default only."""
    parameters = templates["root"]["Parameters"]
    required = {name for name, spec in parameters.items() if "Default" not in spec}
    assert required == {"DomainName", "HostedZoneId", "NotificationEmail"}


@pytest.mark.parametrize("environment", ["default", "staging"])
def test_every_value_in_samconfig_is_one_the_template_accepts(
    samconfig: dict[str, Any], templates: dict[str, Any], environment: str
) -> None:
    parameters = templates["root"]["Parameters"]
    for item in samconfig[environment]["deploy"]["parameters"]["parameter_overrides"]:
        name, value = item.split("=", 1)
        spec = parameters[name]
        if "AllowedValues" in spec:
            assert value in [str(v) for v in spec["AllowedValues"]], item
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], value), item
        for placeholder in ("example.com", "Z0000", "123456789012", "203.0.113."):
            assert placeholder not in value, f"placeholder in {item}"
        if name.endswith("Parameter"):  # the helper's pins live under the environment's prefix
            assert value.startswith(_override(samconfig, environment, "SsmParameterPrefix") + "/")


def _override(samconfig: dict[str, Any], environment: str, name: str) -> str:
    overrides = samconfig[environment]["deploy"]["parameters"]["parameter_overrides"]
    return dict(item.split("=", 1) for item in overrides)[name]


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is installed by .ci/run")
def test_deploy_helper_passes_shellcheck() -> None:
    result = subprocess.run(  # noqa: S603 - fixed tool and file
        [str(shutil.which("shellcheck")), "--severity=style", str(HELPER)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_deploy_helper_lists_its_commands_without_touching_aws() -> None:
    result = subprocess.run(  # noqa: S603 - the helper's own help
        ["/bin/bash", str(HELPER), "help"], capture_output=True, text=True, check=True
    )
    commands = ("bootstrap", "preflight", "params", "amis", "origin", "image", "site", "teardown")
    for command in commands:
        assert f"infra/deploy.sh {command}" in result.stdout
    unknown = subprocess.run(  # noqa: S603
        ["/bin/bash", str(HELPER), "frobnicate"], capture_output=True, text=True, check=False
    )
    assert unknown.returncode == 1
    assert "unknown command" in unknown.stderr


@pytest.mark.skipif(shutil.which("aws") is None, reason="the helper drives the AWS CLI")
def test_params_creates_secure_strings_once(moto_endpoint: str) -> None:
    import boto3

    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "PREFIX": "/rehearsal/capstone",
        "DB_USERNAME": "blogadmin",
    }
    env.pop("AWS_PROFILE", None)

    def params() -> str:
        return subprocess.run(  # noqa: S603 - the helper itself
            ["/bin/bash", str(HELPER), "params"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout

    assert "created /rehearsal/capstone/password" in params()
    ssm = boto3.client(
        "ssm",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    found = {
        p["Name"]: p
        for p in ssm.get_parameters_by_path(Path="/rehearsal/capstone", WithDecryption=True)[
            "Parameters"
        ]
    }
    assert set(found) == {
        "/rehearsal/capstone/username",
        "/rehearsal/capstone/password",
        "/rehearsal/capstone/app-username",
        "/rehearsal/capstone/app-password",
        "/rehearsal/capstone/secret-key",
    }
    assert len(found["/rehearsal/capstone/secret-key"]["Value"]) >= 50
    assert all(p["Type"] == "SecureString" for p in found.values())
    assert found["/rehearsal/capstone/username"]["Value"] == "blogadmin"
    assert found["/rehearsal/capstone/app-username"]["Value"] == "cblog_app"
    password = found["/rehearsal/capstone/password"]["Value"]
    app_password = found["/rehearsal/capstone/app-password"]["Value"]
    for secret in (password, app_password):
        assert len(secret) == 32
        assert secret.isalnum()
    assert app_password != password

    second = params()
    assert "kept existing /rehearsal/capstone/password" in second
    assert "kept existing /rehearsal/capstone/app-password" in second
    again = ssm.get_parameter(Name="/rehearsal/capstone/password", WithDecryption=True)
    assert again["Parameter"]["Value"] == password
    again = ssm.get_parameter(Name="/rehearsal/capstone/app-password", WithDecryption=True)
    assert again["Parameter"]["Value"] == app_password


def _helper_env(endpoint: str) -> dict[str, str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "STACK": "cblog-rehearsal",
    }
    env.pop("AWS_PROFILE", None)
    return env


def _client(service: str, endpoint: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def stateful_root(load_template: Callable[[Path], dict[str, Any]]) -> str:
    """The deployed root as far as moto can create it: the root's stateful resources and the
    edge's failover bucket exactly as the templates declare them (the SAM function and nested
    stacks need packaging moto cannot do), with the outputs `site` and `teardown` read."""
    root = load_template(ROOT / "template.yaml")
    edge = load_template(ROOT / "infra" / "edge.yaml")
    kept = ("MediaBucket", "MediaIndexTable", "MediaIndexerDeadLetterQueue", "MediaIndexerLogGroup")
    resources = {name: root["Resources"][name] for name in kept}
    resources["FailoverSiteBucket"] = edge["Resources"]["FailoverSiteBucket"]
    template = {
        "Parameters": {
            "ProjectName": root["Parameters"]["ProjectName"],
            "EnvironmentName": root["Parameters"]["EnvironmentName"],
            "DomainName": {"Type": "String"},
            "DbInstanceId": {"Type": "String"},
        },
        "Resources": resources,
        "Outputs": {
            "FailoverSiteBucketName": {"Value": {"Ref": "FailoverSiteBucket"}},
            "DbInstanceId": {"Value": {"Ref": "DbInstanceId"}},
            "MediaBucketName": {"Value": {"Ref": "MediaBucket"}},
        },
    }
    return json.dumps(template)


@pytest.mark.skipif(shutil.which("aws") is None, reason="the helper drives the AWS CLI")
def test_deploy_site_teardown_then_deploy_again_keeps_the_old_media_bucket(
    moto_endpoint: str, load_template: Callable[[Path], dict[str, Any]]
) -> None:
    rds = _client("rds", moto_endpoint)
    rds.create_db_instance(
        DBInstanceIdentifier="cblog-db",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        MasterUsername="blogadmin",
        MasterUserPassword="rehearsal-only-1",
        DeletionProtection=True,
    )
    cfn = _client("cloudformation", moto_endpoint)
    s3 = _client("s3", moto_endpoint)

    def deploy() -> dict[str, str]:
        cfn.create_stack(
            StackName="cblog-rehearsal",
            TemplateBody=stateful_root(load_template),
            Parameters=[
                {"ParameterKey": "DomainName", "ParameterValue": "blog.example.com"},
                {"ParameterKey": "DbInstanceId", "ParameterValue": "cblog-db"},
            ],
        )
        stack = cfn.describe_stacks(StackName="cblog-rehearsal")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}

    def helper(command: str) -> None:
        result = subprocess.run(  # noqa: S603 - the helper itself
            ["/bin/bash", str(HELPER), command],
            env=_helper_env(moto_endpoint),
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-2000:]

    first = deploy()
    assert first["MediaBucketName"].startswith("cblog-prod-media-123456789012-")
    helper("site")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="blog.example.com")["Contents"]}
    assert keys == {
        "index.html",
        "under-construction.png",
        "maintenance/index.html",
        "maintenance/under-construction.png",
    }

    helper("teardown")
    instance = rds.describe_db_instances(DBInstanceIdentifier="cblog-db")["DBInstances"][0]
    assert instance["DeletionProtection"] is False
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert first["MediaBucketName"] in buckets  # retained with the media
    assert "blog.example.com" not in buckets

    second = deploy()
    assert second["MediaBucketName"] != first["MediaBucketName"]
    assert second["FailoverSiteBucketName"] == "blog.example.com"
