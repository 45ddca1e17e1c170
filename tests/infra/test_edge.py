"""The CloudFront distribution: pages are cached only as the origin says, and an origin outage
shows the maintenance page over HTTPS from the distribution itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def distribution(templates: dict[str, Any]) -> dict[str, Any]:
    return templates["edge"]["Resources"]["Distribution"]["Properties"]["DistributionConfig"]


def test_pages_are_cached_only_as_the_origin_says(distribution: dict[str, Any]) -> None:
    default = distribution["DefaultCacheBehavior"]
    assert default["MinTTL"] == 0
    assert default["DefaultTTL"] == 0  # no Cache-Control: not kept (CloudFront's default is 24 h)
    assert 0 < default["MaxTTL"] <= 86400
    assert default["ForwardedValues"]["Cookies"]["Forward"] == "all"


def test_origin_outages_show_the_maintenance_page_over_https(distribution: dict[str, Any]) -> None:
    errors = {e["ErrorCode"]: e for e in distribution["CustomErrorResponses"]}
    assert set(errors) == {502, 503, 504}
    for code, error in errors.items():
        assert error["ResponseCode"] == code  # an outage stays an error for clients and crawlers
        assert error["ResponsePagePath"] == "/maintenance/index.html"
        assert error["ErrorCachingMinTTL"] <= 30  # recovery shows within half a minute
    (behaviour,) = [
        b for b in distribution["CacheBehaviors"] if b["PathPattern"] == "/maintenance/*"
    ]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    origins = {o["Id"]: o for o in distribution["Origins"]}
    origin = origins[behaviour["TargetOriginId"]]
    # The failover site's bucket (the S3 website endpoint, reached by CloudFront only).
    assert "['FailoverSiteBucket', 'WebsiteURL']" in str(origin["DomainName"])
    assert distribution["ViewerCertificate"]["SslSupportMethod"] == "sni-only"


def test_the_route53_health_check_tests_cloudfront_not_the_web_tier(
    templates: dict[str, Any], distribution: dict[str, Any]
) -> None:
    """An origin outage must not fail DNS over to the HTTP-only S3 website: CloudFront shows
    the maintenance page over HTTPS then. Only CloudFront failing to serve trips the check."""
    edge = templates["edge"]
    check = edge["Resources"]["CloudFrontHealthCheck"]["Properties"]["HealthCheckConfig"]
    assert check["Type"] == "HTTPS_STR_MATCH"
    assert check["FullyQualifiedDomainName"] == {"Fn::GetAtt": ["Distribution", "DomainName"]}
    path = check["ResourcePath"]
    (behaviour,) = [
        b for b in distribution["CacheBehaviors"] if path.startswith(b["PathPattern"].rstrip("*"))
    ]
    assert behaviour["TargetOriginId"] != distribution["DefaultCacheBehavior"]["TargetOriginId"]
    assert behaviour["TargetOriginId"] == "failover-site"
    # The page the check fetches (uploaded under maintenance/ by deploy.sh) carries its text.
    expected = edge["Parameters"]["HealthCheckSearchString"]["Default"]
    assert path == "/maintenance/index.html"
    assert expected in (ROOT / "S3_static_Website" / "index.html").read_text()


def test_media_and_renditions_are_served_unsniffed_and_sandboxed(
    templates: dict[str, Any], distribution: dict[str, Any]
) -> None:
    behaviours = {b["PathPattern"]: b for b in distribution["CacheBehaviors"]}
    for path in ("/media/*", "/derived/*"):
        assert behaviours[path]["TargetOriginId"] == "media"
        assert behaviours[path]["AllowedMethods"] == ["GET", "HEAD"]
        assert behaviours[path]["ResponseHeadersPolicyId"] == {"Ref": "MediaResponseHeadersPolicy"}
    policy = templates["edge"]["Resources"]["MediaResponseHeadersPolicy"]["Properties"]
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["ContentTypeOptions"] == {"Override": True}
    csp = headers["ContentSecurityPolicy"]
    assert csp["Override"] is True
    assert "sandbox" in csp["ContentSecurityPolicy"]
    assert "default-src 'none'" in csp["ContentSecurityPolicy"]
    # The distribution may read both prefixes of the private bucket, and nothing else.
    statement = next(
        s
        for s in templates["root"]["Resources"]["MediaBucketPolicy"]["Properties"][
            "PolicyDocument"
        ]["Statement"]
        if s["Sid"] == "CloudFrontReadsMedia"
    )
    assert statement["Resource"] == [
        {"Fn::Sub": "${MediaBucket.Arn}/media/*"},
        {"Fn::Sub": "${MediaBucket.Arn}/derived/*"},
    ]
