"""Only CloudFront's requests reach the web tier. The load balancer's security group is what the
brief names (HTTP and HTTPS from anywhere), so the listeners are the control: port 80 answers
with a redirect to HTTPS and never forwards, and the HTTPS listener forwards only requests
carrying the origin-verify header that this stack's distribution adds — a secret resolved from
Secrets Manager at deploy time, never written in a template — and answers 403 to anything else.
A client that connects to the load balancer directly therefore never reaches Django with a
forged X-Forwarded-For."""

from __future__ import annotations

import re
from typing import Any

import pytest

HEADER = "X-Origin-Verify"
REFERENCE = re.compile(
    r"\{\{resolve:secretsmanager:\$\{SsmParameterPrefix\}/origin-verify:SecretString:::"
    r"\$\{(?P<version>\w+)\}\}\}"
)
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


def _version(node: Any) -> str:
    """The pinned version a dynamic reference to the origin-verify secret names."""
    assert set(node) == {"Fn::Sub"}, node
    match = REFERENCE.fullmatch(node["Fn::Sub"])
    assert match, node
    return match["version"]


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


@pytest.fixture(scope="module")
def alb_origin(templates: dict[str, Any]) -> dict[str, Any]:
    config = templates["edge"]["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    return origins[config["DefaultCacheBehavior"]["TargetOriginId"]]


def test_load_balancer_group_is_the_briefs_and_no_prefix_list_is_left(
    templates: dict[str, Any],
) -> None:
    group = templates["network"]["Resources"]["AlbSecurityGroup"]["Properties"]
    assert [(r["FromPort"], r.get("CidrIp")) for r in group["SecurityGroupIngress"]] == [
        (80, "0.0.0.0/0"),
        (443, "0.0.0.0/0"),
    ]
    for name, template in templates.items():
        text = repr(template)
        assert "PrefixList" not in text, name
        assert "origin-facing" not in text, name


def test_http_listener_only_redirects_to_https(templates: dict[str, Any]) -> None:
    web = templates["web"]
    listeners = _of_type(web, LISTENER)
    assert {(p["Protocol"], p["Port"]) for p in listeners.values()} == {
        ("HTTP", 80),
        ("HTTPS", 443),
    }
    (http,) = [name for name, p in listeners.items() if p["Port"] == 80]
    (action,) = listeners[http]["DefaultActions"]
    assert action["Type"] == "redirect"
    assert action["RedirectConfig"]["Protocol"] == "HTTPS"
    assert action["RedirectConfig"]["Port"] == "443"
    # No rule hangs off port 80, so nothing there can forward to the web instances.
    for rule in _of_type(web, LISTENER_RULE).values():
        assert rule["ListenerArn"] != {"Ref": http}


def test_https_listener_refuses_what_lacks_the_header(templates: dict[str, Any]) -> None:
    web = templates["web"]
    listeners = _of_type(web, LISTENER)
    (https,) = [name for name, p in listeners.items() if p["Port"] == 443]
    (default,) = listeners[https]["DefaultActions"]
    assert default["Type"] == "fixed-response"
    assert default["FixedResponseConfig"]["StatusCode"] == "403"
    (rule,) = _of_type(web, LISTENER_RULE).values()
    assert rule["ListenerArn"] == {"Ref": https}
    (condition,) = rule["Conditions"]
    assert condition["Field"] == "http-header"
    assert condition["HttpHeaderConfig"]["HttpHeaderName"] == HEADER
    assert rule["Actions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": "WebTargetGroup"}}]
    # The only forward in the stack is that rule's: every other path ends at the load balancer.
    forwards = [
        name
        for name, resource in web["Resources"].items()
        if resource["Type"] in {LISTENER, LISTENER_RULE} and "'forward'" in repr(resource)
    ]
    assert forwards == ["WebAlbOriginVerifiedRule"]


def test_health_checks_do_not_pass_through_the_listeners(templates: dict[str, Any]) -> None:
    """A 403 without the header must not mark anything unhealthy: the target group probes the
    instances directly, and Route 53 probes CloudFront's maintenance page, which the
    distribution serves from the failover bucket, not from the load balancer."""
    group = templates["web"]["Resources"]["WebTargetGroup"]["Properties"]
    assert group["HealthCheckProtocol"] == "HTTP"
    assert group["HealthCheckPath"] == "/healthz"
    assert group.get("HealthCheckPort", "traffic-port") == "traffic-port"
    assert group["Port"] == 80

    edge = templates["edge"]["Resources"]
    check = edge["CloudFrontHealthCheck"]["Properties"]["HealthCheckConfig"]
    assert check["FullyQualifiedDomainName"] == {"Fn::GetAtt": ["Distribution", "DomainName"]}
    config = edge["Distribution"]["Properties"]["DistributionConfig"]
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    path = check["ResourcePath"]
    (pattern,) = [p for p in behaviours if path.startswith(p.removesuffix("*"))]
    assert behaviours[pattern]["TargetOriginId"] == "failover-site"


def test_distribution_sends_the_version_the_listener_accepts_first(
    templates: dict[str, Any], alb_origin: dict[str, Any]
) -> None:
    assert alb_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
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
