"""The shared cache (infra/cache.yaml): one Valkey node in the private subnets, encrypted in
transit and at rest, reachable from the web tier only, its endpoint wired into CACHE_URL."""

from __future__ import annotations

from typing import Any


def test_cache_is_one_encrypted_valkey_node_in_the_private_subnets(
    templates: dict[str, Any],
) -> None:
    cache = templates["cache"]
    group = cache["Resources"]["CacheReplicationGroup"]
    props = group["Properties"]
    assert props["Engine"] == "valkey"
    assert cache["Parameters"]["CacheNodeType"]["Default"] == "cache.t4g.micro"
    assert props["NumCacheClusters"] == 1
    assert props["TransitEncryptionEnabled"] is True
    assert props["AtRestEncryptionEnabled"] is True
    assert props["SecurityGroupIds"] == [{"Ref": "CacheSecurityGroupId"}]
    assert props["CacheSubnetGroupName"] == {"Ref": "CacheSubnetGroup"}
    subnets = cache["Resources"]["CacheSubnetGroup"]["Properties"]["SubnetIds"]
    assert subnets == {"Ref": "PrivateSubnetIds"}
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Delete"


def test_only_the_web_tier_reaches_the_cache(templates: dict[str, Any]) -> None:
    group = templates["network"]["Resources"]["CacheSecurityGroup"]["Properties"]
    assert [
        (rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule["SourceSecurityGroupId"])
        for rule in group["SecurityGroupIngress"]
    ] == [("tcp", 6379, 6379, {"Ref": "WebSecurityGroup"})]
    assert [rule["CidrIp"] for rule in group["SecurityGroupEgress"]] == ["127.0.0.1/32"]


def test_root_wires_the_cache_endpoint_into_the_web_tier(templates: dict[str, Any]) -> None:
    resources = templates["root"]["Resources"]
    cache = resources["CacheStack"]["Properties"]["Parameters"]
    assert cache["PrivateSubnetIds"] == {"Fn::GetAtt": ["NetworkStack", "Outputs.PrivateSubnetIds"]}
    assert cache["CacheSecurityGroupId"] == {
        "Fn::GetAtt": ["NetworkStack", "Outputs.CacheSecurityGroupId"]
    }
    web = resources["WebStack"]["Properties"]["Parameters"]
    assert web["CacheHost"] == {"Fn::GetAtt": ["CacheStack", "Outputs.CacheEndpointAddress"]}
    assert web["CachePort"] == {"Fn::GetAtt": ["CacheStack", "Outputs.CacheEndpointPort"]}
