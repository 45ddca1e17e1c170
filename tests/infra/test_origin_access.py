"""Only CloudFront reaches the load balancer: the security group admits CloudFront's
origin-facing servers on the one port the distribution uses, and the HTTPS listener forwards
only requests carrying the origin-verify header that this stack's distribution adds — a secret
resolved from Secrets Manager at deploy time, never written in a template."""

from __future__ import annotations

import re
from typing import Any

import pytest

HEADER = "X-Origin-Verify"
REFERENCE = re.compile(
    r"\{\{resolve:secretsmanager:\$\{SsmParameterPrefix\}/origin-verify:SecretString:::"
    r"\$\{(?P<version>\w+)\}\}\}"
)


def _version(node: Any) -> str:
    """The pinned version a dynamic reference to the origin-verify secret names."""
    assert set(node) == {"Fn::Sub"}, node
    match = REFERENCE.fullmatch(node["Fn::Sub"])
    assert match, node
    return match["version"]


@pytest.fixture(scope="module")
def alb_origin(templates: dict[str, Any]) -> dict[str, Any]:
    config = templates["edge"]["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    return origins[config["DefaultCacheBehavior"]["TargetOriginId"]]


def test_load_balancer_admits_cloudfront_only_on_the_port_the_distribution_uses(
    templates: dict[str, Any], alb_origin: dict[str, Any]
) -> None:
    group = templates["network"]["Resources"]["AlbSecurityGroup"]["Properties"]
    (rule,) = group["SecurityGroupIngress"]  # the prefix list weighs ~55 of the 60-rule quota
    assert rule["SourcePrefixListId"] == {"Ref": "CloudFrontPrefixListId"}
    origin = alb_origin["CustomOriginConfig"]
    assert origin["OriginProtocolPolicy"] == "https-only"
    assert rule["FromPort"] == rule["ToPort"] == origin["HTTPSPort"] == 443
    # The helper pins the region's list id; the root reads the pin and hands it down.
    root = templates["root"]
    network = root["Resources"]["NetworkStack"]["Properties"]["Parameters"]
    assert network["CloudFrontPrefixListId"] == {"Ref": "CloudFrontPrefixListParameter"}
    pin = root["Parameters"]["CloudFrontPrefixListParameter"]
    assert pin["Type"] == "AWS::SSM::Parameter::Value<String>"


def test_https_is_the_only_listener_and_refuses_what_lacks_the_header(
    templates: dict[str, Any],
) -> None:
    resources = templates["web"]["Resources"]
    listeners = {
        name: r["Properties"]
        for name, r in resources.items()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"
    }
    assert list(listeners) == ["WebAlbHttpsListener"]  # nothing could reach a port 80 listener
    (default,) = listeners["WebAlbHttpsListener"]["DefaultActions"]
    assert default["Type"] == "fixed-response"
    assert default["FixedResponseConfig"]["StatusCode"] == "403"
    rules = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"
    ]
    (rule,) = rules
    assert rule["ListenerArn"] == {"Ref": "WebAlbHttpsListener"}
    (condition,) = rule["Conditions"]
    assert condition["HttpHeaderConfig"]["HttpHeaderName"] == HEADER
    assert rule["Actions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": "WebTargetGroup"}}]


def test_distribution_sends_the_version_the_listener_accepts_first(
    templates: dict[str, Any], alb_origin: dict[str, Any]
) -> None:
    (header,) = alb_origin["OriginCustomHeaders"]
    assert header["HeaderName"] == HEADER
    assert _version(header["HeaderValue"]) == "OriginVerifyVersion"

    rule = templates["web"]["Resources"]["WebAlbOriginVerifiedRule"]["Properties"]
    current, previous = rule["Conditions"][0]["HttpHeaderConfig"]["Values"]
    assert _version(current) == "OriginVerifyVersion"
    # The version sent before the last rotation is accepted too (edge locations take minutes to
    # switch), and left out while both pins name one version.
    condition, kept, otherwise = previous["Fn::If"]
    assert condition == "IsRotatingOriginVerify"
    assert _version(kept) == "OriginVerifyPreviousVersion"
    assert otherwise == {"Ref": "AWS::NoValue"}

    # Both children get the versions from the same pins, so they cannot disagree.
    root = templates["root"]["Resources"]
    web = root["WebStack"]["Properties"]["Parameters"]
    edge = root["EdgeStack"]["Properties"]["Parameters"]
    assert web["OriginVerifyVersion"] == edge["OriginVerifyVersion"]
    assert web["OriginVerifyVersion"] == {"Ref": "OriginVerifyVersionParameter"}
    assert web["OriginVerifyPreviousVersion"] == {"Ref": "OriginVerifyPreviousVersionParameter"}


def test_the_web_stack_updates_before_the_edge_stack(templates: dict[str, Any]) -> None:
    """A rotation must be accepted by the listener before CloudFront sends it: the edge stack
    consumes the web stack's outputs, so CloudFormation updates web first."""
    edge = templates["root"]["Resources"]["EdgeStack"]["Properties"]["Parameters"]
    assert edge["AlbDnsName"] == {"Fn::GetAtt": ["WebStack", "Outputs.AlbDnsName"]}


def test_no_template_holds_an_origin_header_value(templates: dict[str, Any]) -> None:
    for name, template in templates.items():
        text = repr(template)
        # A literal 64-hex value (what the helper draws) anywhere would be the secret itself.
        assert not re.search(r"[0-9a-f]{64}", text), name
