"""The failover record needs the region's S3 website hosted zone: the root refuses a region
the edge stack's map does not cover, before anything is created."""

from __future__ import annotations

from typing import Any


def test_root_refuses_exactly_the_regions_the_website_zone_map_lacks(
    templates: dict[str, Any],
) -> None:
    (assertion,) = templates["root"]["Rules"]["SupportedRegion"]["Assertions"]
    regions, region = assertion["Assert"]["Fn::Contains"]
    assert region == {"Ref": "AWS::Region"}
    assert "RuleCondition" not in templates["root"]["Rules"]["SupportedRegion"]
    zones = templates["edge"]["Mappings"]["S3WebsiteHostedZones"]
    assert sorted(regions) == sorted(zones)


def test_every_mapped_zone_looks_like_a_route53_zone_id(templates: dict[str, Any]) -> None:
    zones = templates["edge"]["Mappings"]["S3WebsiteHostedZones"]
    assert zones["us-east-1"] == {"ZoneId": "Z3AQBSTGFYJSTF"}
    for region, zone in zones.items():
        assert zone["ZoneId"].startswith("Z"), region
        assert zone["ZoneId"].isalnum(), region
