"""Every explicitly named resource, audited: two environments side by side never collide, a
redeploy after a teardown never meets a retained namesake, and no name outgrows its limit.

Every resource type in the templates is classified: either it sets a name (the property path is
listed) or it never does. A new type fails until someone decides which it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

NAME_PATHS: dict[str, tuple[str, ...]] = {
    "AWS::S3::Bucket": ("BucketName",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::Serverless::Function": ("FunctionName",),
    "AWS::AutoScaling::AutoScalingGroup": ("AutoScalingGroupName",),
    "AWS::CloudFront::OriginAccessControl": ("OriginAccessControlConfig", "Name"),
    "AWS::CloudFront::ResponseHeadersPolicy": ("ResponseHeadersPolicyConfig", "Name"),
    "AWS::CloudWatch::Alarm": ("AlarmName",),
    "AWS::CloudWatch::Dashboard": ("DashboardName",),
}
# Types whose names CloudFormation generates, each with the property that would name it (None:
# the type has no name of its own): checked to set none.
UNNAMED: dict[str, str | None] = {
    "AWS::CloudFormation::Stack": None,
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SQS::QueuePolicy": None,
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::S3::BucketPolicy": None,
    "AWS::EC2::VPC": None,
    "AWS::EC2::InternetGateway": None,
    "AWS::EC2::VPCGatewayAttachment": None,
    "AWS::EC2::Subnet": None,
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
    "AWS::EC2::Instance": None,
    "AWS::EC2::EIP": None,
    "AWS::EC2::RouteTable": None,
    "AWS::EC2::Route": None,
    "AWS::EC2::SubnetRouteTableAssociation": None,
    "AWS::EC2::VPCEndpoint": None,
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::ElastiCache::SubnetGroup": "CacheSubnetGroupName",
    "AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId",
    "AWS::CertificateManager::Certificate": None,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::ElasticLoadBalancingV2::Listener": None,
    "AWS::ElasticLoadBalancingV2::ListenerRule": None,
    "AWS::AutoScaling::ScalingPolicy": None,
    "AWS::SNS::Topic": "TopicName",
    "AWS::SNS::Subscription": None,
    "AWS::Route53::RecordSet": None,
    "AWS::Route53::HealthCheck": None,
    "AWS::CloudFront::Distribution": None,
}
# Names that must be unique across the account (or all of AWS), not only per region.
GLOBAL = {
    "AWS::S3::Bucket",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
}
LIMITS = {
    "AWS::S3::Bucket": 63,
    "AWS::CloudFront::OriginAccessControl": 64,
    "AWS::CloudFront::ResponseHeadersPolicy": 128,
    "AWS::Serverless::Function": 64,
    "AWS::Logs::LogGroup": 512,
    "AWS::AutoScaling::AutoScalingGroup": 255,
    "AWS::CloudWatch::Alarm": 255,
    "AWS::CloudWatch::Dashboard": 255,
}
# The longest value every placeholder can take (ProjectName's pattern allows 16 characters).
WORST_CASE = {
    "ProjectName": "p" * 16,
    "EnvironmentName": "staging",
    "NameSuffix": "0123abcd",
    "Suffix": "0123abcd",
    "AWS::AccountId": "123456789012",
    "AWS::Region": "ap-southeast-99",
    "AWS::StackName": "s" * 128,
}


def named_resources(templates: dict[str, Any]) -> list[tuple[str, str, Any]]:
    found = []
    for stack, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            path = NAME_PATHS.get(resource["Type"])
            value: Any = resource.get("Properties", {})
            for step in path or ():
                value = value.get(step) if isinstance(value, dict) else None
            if path and value is not None:
                found.append((f"{stack}.{logical_id}", resource["Type"], value))
    return found


def sub_text(value: Any) -> str:
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    if value == {"Ref": "DomainName"}:
        return "${DomainName}"
    raise AssertionError(f"a name should be a Sub of its parts, not {value!r}")


def test_every_resource_type_is_classified(templates: dict[str, Any]) -> None:
    types = {r["Type"] for t in templates.values() for r in t["Resources"].values()}
    assert types - set(NAME_PATHS) - set(UNNAMED) == set()


def test_types_classified_unnamed_set_no_name(templates: dict[str, Any]) -> None:
    for stack, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            key = UNNAMED.get(resource["Type"])
            if key is not None:
                assert key not in resource.get("Properties", {}), (
                    f"{stack}.{logical_id} sets {key}: audit it in NAME_PATHS"
                )


def test_every_explicit_name_carries_the_environment(templates: dict[str, Any]) -> None:
    for where, kind, value in named_resources(templates):
        text = sub_text(value)
        # A domain is per environment by construction (staging.blog.example.com).
        assert "${EnvironmentName}" in text or text == "${DomainName}", where
        if kind in GLOBAL and text != "${DomainName}":
            assert "Suffix}" in text, f"{where}: a global name needs the deployment's suffix"


@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_names_fit_their_limit_for_any_allowed_project_name(
    templates: dict[str, Any], render_sub: Callable[[str, dict[str, str]], str], kind: str
) -> None:
    for where, found, value in named_resources(templates):
        if found != kind or value == {"Ref": "DomainName"}:
            continue
        name = render_sub(sub_text(value), WORST_CASE)
        assert len(name) <= LIMITS[kind], f"{where}: {name!r} is {len(name)} characters"


def test_root_suffix_is_the_one_it_passes_down(templates: dict[str, Any]) -> None:
    root = templates["root"]["Resources"]
    bucket = root["MediaBucket"]["Properties"]["BucketName"]["Fn::Sub"][1]["Suffix"]
    for stack in ("WebStack", "EdgeStack"):
        assert root[stack]["Properties"]["Parameters"]["NameSuffix"] == bucket
    assert "AWS::StackId" in str(bucket)
