"""local.bootstrap against a real moto server: everything the pipeline needs, idempotently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from local.bootstrap import Settings, bootstrap
from local.resources import INDEX_TABLE

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def test_bootstrap_creates_the_pipeline_resources(settings: Settings) -> None:
    result = bootstrap(settings)

    table = settings.client("dynamodb").describe_table(TableName=settings.table)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "owner-index"
    assert index["KeySchema"] == [
        {"AttributeName": "owner", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}

    s3 = settings.client("s3")
    block = s3.get_public_access_block(Bucket=settings.bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    [notification] = s3.get_bucket_notification_configuration(Bucket=settings.bucket)[
        "QueueConfigurations"
    ]
    assert notification["QueueArn"].endswith(f":{settings.queue}")
    assert sorted(notification["Events"]) == ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]

    sqs = settings.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=result["queue_url"], AttributeNames=["All"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(f":{settings.queue}-dlq")

    ssm = settings.client("ssm")
    names = [f"{settings.ssm_prefix}/{n}" for n in ("secret-key", "username", "password")]
    found = ssm.get_parameters(Names=names, WithDecryption=True)["Parameters"]
    assert {p["Name"] for p in found} == set(names)
    assert {p["Type"] for p in found} == {"SecureString"}


def test_bootstrap_twice_changes_nothing(settings: Settings) -> None:
    bootstrap(settings)
    ssm, s3 = settings.client("ssm"), settings.client("s3")
    secret = f"{settings.ssm_prefix}/secret-key"
    before = ssm.get_parameter(Name=secret, WithDecryption=True)["Parameter"]["Value"]
    notifications = s3.get_bucket_notification_configuration(Bucket=settings.bucket)

    bootstrap(settings)

    assert ssm.get_parameter(Name=secret, WithDecryption=True)["Parameter"]["Value"] == before
    after = s3.get_bucket_notification_configuration(Bucket=settings.bucket)
    assert after["QueueConfigurations"] == notifications["QueueConfigurations"]
    tables = settings.client("dynamodb").list_tables()["TableNames"]
    assert tables.count(settings.table) == 1


def test_bootstrap_refuses_to_run_without_a_local_endpoint() -> None:
    with pytest.raises(SystemExit, match="AWS_ENDPOINT_URL"):
        Settings.from_env({})


@pytest.mark.skipif(not TEMPLATE.exists(), reason="template.yaml is not written yet")
def test_index_table_matches_the_sam_template() -> None:
    class Loader(yaml.SafeLoader):
        pass

    # CloudFormation short forms (!Ref, !Sub, ...) load as plain values here.
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    resources = yaml.load(TEMPLATE.read_text(), Loader=Loader)["Resources"]  # noqa: S506
    tables = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    [table] = [t for t in tables if t.get("KeySchema") == INDEX_TABLE["KeySchema"]]
    [index] = table["GlobalSecondaryIndexes"]
    [expected] = INDEX_TABLE["GlobalSecondaryIndexes"]
    assert index["IndexName"] == expected["IndexName"]
    assert index["KeySchema"] == expected["KeySchema"]
    assert index["Projection"] == expected["Projection"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        INDEX_TABLE["AttributeDefinitions"], key=str
    )


@pytest.mark.parametrize(
    ("env", "origins"),
    [
        ({}, ("http://127.0.0.1:8000", "http://localhost:8000")),
        (
            {"WEB_HOST": "127.0.0.1", "WEB_PORT": "18320"},
            ("http://127.0.0.1:18320", "http://localhost:18320"),
        ),
        (
            {"WEB_HOST": "blog.test", "WEB_PORT": "9000"},
            ("http://blog.test:9000", "http://127.0.0.1:9000", "http://localhost:9000"),
        ),
        (
            {"WEB_ORIGINS": "https://a.example, http://b.example:81", "WEB_PORT": "1"},
            ("https://a.example", "http://b.example:81"),
        ),
    ],
    ids=["default", "make-dev", "other-host", "explicit"],
)
def test_the_bucket_allows_uploads_from_the_sites_origins(env, origins):
    assert (
        Settings.from_env({"AWS_ENDPOINT_URL": "http://127.0.0.1:1", **env}).web_origins == origins
    )
