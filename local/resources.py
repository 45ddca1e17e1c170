"""The local pipeline's AWS resources, each created only when missing.

Each function takes a boto3 client for the local endpoint, so the tests can call them one by one.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

log = logging.getLogger("bootstrap")

NOTIFICATION_ID = "media-indexer"
INDEX_NAME = "owner-index"
# The index table's definition; template.yaml declares the same (tests/local compares them).
INDEX_TABLE = {
    "AttributeDefinitions": [
        {"AttributeName": "id", "AttributeType": "S"},
        {"AttributeName": "owner", "AttributeType": "S"},
        {"AttributeName": "created_at", "AttributeType": "S"},
    ],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": INDEX_NAME,
            "KeySchema": [
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "created_at", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def ensure_bucket(s3: Any, name: str, region: str) -> None:
    """A private bucket: no public access, whatever ACL or policy a client tries."""
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in {"404", "NoSuchBucket"}:
            raise
        where = {"LocationConstraint": region}
        s3.create_bucket(
            Bucket=name, **({} if region == "us-east-1" else {"CreateBucketConfiguration": where})
        )
        log.info("created bucket %s", name)
    block = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    s3.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration=dict.fromkeys(block, True)
    )


# Like template.yaml's MediaBucket: browsers may POST uploads (presigned) and read media with
# CORS from the site's origin only, and what lands under incoming/ but is never attached
# expires. The local endpoint keeps the rule without applying it; `media_reconcile --fix`
# removes old incoming objects instead.
INCOMING_LIFECYCLE_RULE = {
    "ID": "expire-abandoned-uploads",
    "Status": "Enabled",
    "Filter": {"Prefix": "incoming/"},
    "Expiration": {"Days": 1},
    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
}


def ensure_upload_rules(s3: Any, name: str, origins: list[str]) -> None:
    """CORS for direct uploads from ``origins`` and the lifecycle rule on incoming/ (set each
    time: both are small and the origins may have moved)."""
    s3.put_bucket_cors(
        Bucket=name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": origins,
                    # POST: direct uploads. GET/HEAD: media the page fetches with CORS (a
                    # video with a captions track is loaded with crossorigin="anonymous").
                    "AllowedMethods": ["GET", "HEAD", "POST"],
                    "AllowedHeaders": ["*"],
                    "MaxAgeSeconds": 3000,
                }
            ]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=name, LifecycleConfiguration={"Rules": [INCOMING_LIFECYCLE_RULE]}
    )


def ensure_table(dynamodb: Any, name: str) -> None:
    try:
        dynamodb.describe_table(TableName=name)
        return
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    dynamodb.create_table(TableName=name, **INDEX_TABLE)
    dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    log.info("created table %s with index %s", name, INDEX_NAME)


def ensure_queue(sqs: Any, name: str, bucket: str) -> tuple[str, str]:
    """The event queue (and its dead-letter queue); returns (url, arn)."""
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
    dlq_arn = dlq_arn["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
            }
        ],
    }
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            # Like the Lambda's 30 s timeout: a message being handled is not redelivered meanwhile.
            "VisibilityTimeout": "30",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
            "Policy": json.dumps(policy),
        },
    )
    return url, arn


def ensure_notification(s3: Any, bucket: str, queue_arn: str) -> None:
    """Created and removed objects under media/ notify the queue (set only when it differs)."""
    wanted = {
        "Id": NOTIFICATION_ID,
        "QueueArn": queue_arn,
        "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "media/"}]}},
    }
    current = s3.get_bucket_notification_configuration(Bucket=bucket).get("QueueConfigurations", [])
    if any(_same_notification(c, wanted) for c in current):
        return
    # Putting a configuration makes S3 send an s3:TestEvent to the queue; the relay skips it.
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [wanted]}
    )
    log.info("bucket %s notifies %s", bucket, queue_arn)


def _same_notification(current: dict, wanted: dict) -> bool:
    rules = current.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    return (
        current.get("QueueArn") == wanted["QueueArn"]
        and sorted(current.get("Events", [])) == sorted(wanted["Events"])
        and [(r["Name"].lower(), r["Value"]) for r in rules] == [("prefix", "media/")]
    )


def ensure_parameters(ssm: Any, prefix: str, env: Mapping[str, str] = os.environ) -> list[str]:
    """SecureString parameters the web app reads; existing values are kept. Returns new names."""
    values = {
        "secret-key": secrets.token_urlsafe(50),
        "username": env.get("DB_USER", "cblog"),
        "password": env.get("DB_PASSWORD") or secrets.token_urlsafe(24),
    }
    created = []
    for name, value in values.items():
        try:
            ssm.put_parameter(
                Name=f"{prefix}/{name}", Value=value, Type="SecureString", Overwrite=False
            )
            created.append(f"{prefix}/{name}")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ParameterAlreadyExists":
                raise
    return created
