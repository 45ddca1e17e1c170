"""The media bucket takes direct uploads: CORS for the site's origin only, and what lands under
incoming/ without being attached expires (web/cblog/media/direct.py)."""

from __future__ import annotations

from typing import Any


def _bucket(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return templates["root"]["Resources"]["MediaBucket"]["Properties"]


def test_abandoned_uploads_expire_after_a_day_versions_included(templates):
    rules = _bucket(templates)["LifecycleConfiguration"]["Rules"]
    [incoming] = [rule for rule in rules if rule.get("Prefix") == "incoming/"]
    assert incoming["Status"] == "Enabled"
    assert incoming["ExpirationInDays"] == 1
    assert incoming["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}


def test_browsers_may_post_uploads_and_read_media_from_the_sites_origin_only(templates):
    [rule] = _bucket(templates)["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["GET", "HEAD", "POST"]  # GET: captions need CORS reads
    assert rule["AllowedOrigins"] == [{"Fn::Sub": "https://${DomainName}"}]
