"""The root template after the SAM transform: what SAM generates for the indexer (role, S3
notifications, permissions) is what the brief and DESIGN.md ask for.

The transform runs in SAM CLI's own environment (the version `make infra-check` pins), because
the SAM translator is not a dependency of the project.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from local.invoke import SAM_CLI

ROOT = Path(__file__).resolve().parents[2]
TRANSFORM = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

template = yaml_parse(open(sys.argv[1]).read())
# sam build/package would upload the code; the transform only needs an S3 form.
for name in ("MediaIndexerFunction", "MediaDeriverFunction"):
    template["Resources"][name]["Properties"]["CodeUri"] = "s3://bucket/code.zip"
template["Resources"]["S3RecordsLayer"]["Properties"]["ContentUri"] = "s3://bucket/layer.zip"


class Policies:
    def load(self):
        return {}


print(json.dumps(transform(template, {}, Policies())))
"""


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    uvx = shutil.which("uvx")
    if uvx is None:
        pytest.skip("uvx (from uv) runs the SAM translator")
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"}
    result = subprocess.run(  # noqa: S603 - pinned tool, our own script
        [uvx, "--from", SAM_CLI, "python", "-c", TRANSFORM, str(ROOT / "template.yaml")],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)["Resources"]


def test_indexer_role_has_vpc_execution_tracing_and_scoped_data_access(
    transformed: dict[str, Any],
) -> None:
    role = transformed["MediaIndexerFunctionRole"]["Properties"]
    managed = json.dumps(role["ManagedPolicyArns"])
    assert "AWSLambdaVPCAccessExecutionRole" in managed
    assert "AWSLambdaBasicExecutionRole" in managed
    assert "AWSXrayWriteOnlyAccess" in managed
    inline = json.dumps(role["Policies"])
    assert "dynamodb:PutItem" in inline
    assert "dynamodb:Scan" not in inline
    assert '"s3:*"' not in inline
    assert "sqs:SendMessage" in inline  # the dead-letter queue


def test_bucket_notifies_the_indexer_on_create_and_remove(transformed: dict[str, Any]) -> None:
    bucket = transformed["MediaBucket"]
    configurations = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert sorted(c["Event"] for c in configurations) == [
        "s3:ObjectCreated:*",
        "s3:ObjectRemoved:*",
    ]
    for configuration in configurations:
        assert configuration["Function"] == {"Fn::GetAtt": ["MediaIndexerFunction", "Arn"]}
    assert sorted(bucket["DependsOn"]) == [
        "MediaIndexerFunctionMediaObjectCreatedPermission",
        "MediaIndexerFunctionMediaObjectRemovedPermission",
    ]


def test_function_has_brief_runtime_settings_and_powertools_environment(
    transformed: dict[str, Any],
) -> None:
    function = transformed["MediaIndexerFunction"]["Properties"]
    assert function["Runtime"] == "python3.13"
    assert function["Timeout"] == 30
    assert function["Handler"] == "app.handler"
    assert function["TracingConfig"] == {"Mode": "Active"}
    variables = function["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == "media-indexer"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "cblog"
    assert variables["MEDIA_INDEX_TABLE"] == {"Ref": "MediaIndexTable"}
    assert "LOG_LEVEL" in variables
    assert function["VpcConfig"]["SubnetIds"] == {
        "Fn::Split": [",", {"Fn::GetAtt": ["NetworkStack", "Outputs.PrivateSubnetIds"]}]
    }
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "MediaIndexerLogGroup"}
    assert "DeadLetterConfig" in function


def test_deriver_hears_of_images_through_eventbridge_beside_the_indexers_notifications(
    transformed: dict[str, Any],
) -> None:
    # S3 allows one notification per event type and key range: the indexer keeps its direct
    # notifications, the bucket also sends its events to EventBridge for the deriver.
    notifications = transformed["MediaBucket"]["Properties"]["NotificationConfiguration"]
    assert notifications["EventBridgeConfiguration"] == {"EventBridgeEnabled": True}
    assert len(notifications["LambdaConfigurations"]) == 2
    rule = transformed["MediaDeriverFunctionImageEvents"]["Properties"]
    # Deletions too: a removed original's renditions are removed with it.
    assert rule["EventPattern"]["detail-type"] == ["Object Created", "Object Deleted"]
    assert rule["EventPattern"]["detail"]["object"]["key"] == [
        {"prefix": "media/images/"},
        {"prefix": "media/avatars/"},
    ]
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["MediaDeriverFunction", "Arn"]}
    dead_letters = {"Fn::GetAtt": ["MediaDeriverDeadLetterQueue", "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": dead_letters}
    assert not any(k.endswith("ImageEventsQueue") for k in transformed)  # no stray queue


def test_deriver_role_reads_uploads_and_writes_derived_only(transformed: dict[str, Any]) -> None:
    role = transformed["MediaDeriverFunctionRole"]["Properties"]
    inline = json.dumps(role["Policies"])
    assert "/media/images/*" in inline
    assert "/media/avatars/*" in inline
    assert "/derived/*" in inline
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    (deletes,) = [s for s in statements if "s3:DeleteObject" in json.dumps(s["Action"])]
    assert deletes["Resource"] == {"Fn::Sub": "${MediaBucket.Arn}/derived/*"}  # never an upload
    (lists,) = [s for s in statements if "s3:ListBucket" in json.dumps(s["Action"])]
    assert lists["Condition"]["StringLike"]["s3:prefix"] == [
        "derived/*",
        "media/images/*",
        "media/avatars/*",
    ]
    assert '"s3:*"' not in inline
    assert "dynamodb:PutItem" not in inline  # it only updates the original's item
    function = transformed["MediaDeriverFunction"]["Properties"]
    assert (function["MemorySize"], function["Timeout"]) == (1024, 60)
    assert function["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "media-deriver"
    layers = json.dumps(function["Layers"])
    assert "S3RecordsLayer" in layers
