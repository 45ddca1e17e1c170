"""Deploy rehearsal: the network, database and web stacks created in moto's CloudFormation, in
the order and with the parameters the root stack wires (the AMI ids the root reads from the
helper's pins: here an image moto offers), then inspected through the AWS APIs.

moto's CloudFormation lacks a few things real CloudFormation has. The test adapts the parsed
template it sends, never the files: it evaluates ``Fn::Cidr`` (moto has no implementation),
derives the load balancer's and target group's full names from their ARNs (moto lacks those
attributes) and removes the resource types moto cannot create, replacing references to them
with a value the real resource would have produced (the ACM certificate is requested through
moto's ACM).
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
PREFIX = "/cblog/rehearsal"
# Resource types moto's CloudFormation cannot create, removed from what the test sends.
UNSUPPORTED = {
    "AWS::CertificateManager::Certificate",
    "AWS::SNS::Subscription",
    "AWS::AutoScaling::ScalingPolicy",
}


def _evaluate_cidr(node: Any, parameters: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Fn::Cidr"}:
            block, count, bits = node["Fn::Cidr"]
            if isinstance(block, dict):
                block = parameters[block["Ref"]]
            subnets = ipaddress.ip_network(block).subnets(new_prefix=32 - int(bits))
            return [str(subnet) for _, subnet in zip(range(int(count)), subnets, strict=False)]
        return {key: _evaluate_cidr(value, parameters) for key, value in node.items()}
    if isinstance(node, list):
        return [_evaluate_cidr(value, parameters) for value in node]
    return node


def _replace_refs(node: Any, replacements: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in replacements:
            return replacements[node["Ref"]]
        return {key: _replace_refs(value, replacements) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace_refs(value, replacements) for value in node]
    return node


# Attributes moto's CloudFormation cannot resolve (it drops every output when one fails), and
# how AWS forms them from the resource's ARN.
FULL_NAMES = {
    # arn:...:targetgroup/<name>/<id> -> targetgroup/<name>/<id>
    "TargetGroupFullName": lambda arn: {"Fn::Select": [5, {"Fn::Split": [":", arn]}]},
    # arn:...:loadbalancer/app/<name>/<id> -> app/<name>/<id>
    "LoadBalancerFullName": lambda arn: {"Fn::Select": [1, {"Fn::Split": [":loadbalancer/", arn]}]},
}


def _derive_full_names(node: Any) -> Any:
    if isinstance(node, dict):
        target = node.get("Fn::GetAtt")
        if isinstance(target, list) and target[1] in FULL_NAMES:
            return FULL_NAMES[target[1]]({"Ref": target[0]})
        return {key: _derive_full_names(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_derive_full_names(value) for value in node]
    return node


def for_moto(
    template: dict[str, Any], parameters: dict[str, str], stand_ins: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Return the template moto can create and the logical ids of the resources removed."""
    template = _derive_full_names(copy.deepcopy(template))
    defaults = {k: v.get("Default") for k, v in template["Parameters"].items()}
    template = _evaluate_cidr(template, {**defaults, **parameters})
    removed = {
        name: stand_ins.get(resource["Type"], name)
        for name, resource in template["Resources"].items()
        if resource["Type"] in UNSUPPORTED
    }
    for name in removed:
        del template["Resources"][name]
    return _replace_refs(template, removed), sorted(removed)


@pytest.fixture(scope="module")
def aws() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        yield


@pytest.fixture(scope="module")
def deployed(
    aws: None, load_template: Callable[[Path], dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """Create network -> database -> web as the root stack wires them; return their outputs."""
    cfn = boto3.client("cloudformation", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    ssm = boto3.client("ssm", region_name=REGION)
    acm = boto3.client("acm", region_name=REGION)
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ssm.put_parameter(Name=f"{PREFIX}/password", Value="rehearsal-only-1", Type="SecureString")
    # What `infra/deploy.sh origin` creates: the origin-verify secret, here rotated once (the
    # listener accepts both versions).
    secrets = boto3.client("secretsmanager", region_name=REGION)
    previous = secrets.create_secret(Name=f"{PREFIX}/origin-verify", SecretString="a" * 64)
    current = secrets.put_secret_value(SecretId=previous["ARN"], SecretString="b" * 64)
    certificate = acm.request_certificate(DomainName="blog.example.com")["CertificateArn"]
    stand_ins = {"AWS::CertificateManager::Certificate": certificate}

    def create(name: str, file: str, parameters: dict[str, str]) -> dict[str, str]:
        template, _ = for_moto(load_template(ROOT / "infra" / file), parameters, stand_ins)
        cfn.create_stack(
            StackName=name,
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_IAM"],
        )
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    network = create(
        "cblog-network",
        "network.yaml",
        {"ProjectName": "cblog", "AdminCidr": "203.0.113.10/32", "NatImageId": ami},
    )
    database = create(
        "cblog-database",
        "database.yaml",
        {
            "ProjectName": "cblog",
            "PrivateSubnetIds": network["PrivateSubnetIds"],
            "DatabaseSecurityGroupId": network["DatabaseSecurityGroupId"],
            "SsmParameterPrefix": PREFIX,
            "DBMasterUsername": "blogadmin",
        },
    )
    web = create(
        "cblog-web",
        "web.yaml",
        {
            "ProjectName": "cblog",
            "EnvironmentName": "prod",
            "NameSuffix": "1a2b3c4d",
            "DomainName": "blog.example.com",
            "HostedZoneId": "Z0123456789ABCDEFGHIJ",
            "NotificationEmail": "ops@example.com",
            "SsmParameterPrefix": PREFIX,
            "WebImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/cblog-web:1.0.0",
            "UbuntuImageId": ami,
            "VpcId": network["VpcId"],
            "PublicSubnetIds": network["PublicSubnetIds"],
            "PrivateSubnetIds": network["PrivateSubnetIds"],
            "AlbSecurityGroupId": network["AlbSecurityGroupId"],
            "WebSecurityGroupId": network["WebSecurityGroupId"],
            "DbHost": database["DbEndpointAddress"],
            "DbPort": database["DbEndpointPort"],
            "DbName": database["DbName"],
            # moto's CloudFormation has no ElastiCache: the endpoint the cache stack would give.
            "CacheHost": "master.cblog-cache.abc123.use1.cache.amazonaws.com",
            "CachePort": "6379",
            "MediaBucketName": "cblog-prod-media-123456789012-us-east-1",
            "MediaIndexTableName": "cblog-media-index",
            "OriginVerifyVersion": current["VersionId"],
            "OriginVerifyPreviousVersion": previous["VersionId"],
        },
    )
    return {"network": network, "database": database, "web": web, "certificate": certificate}


def test_for_moto_removes_only_the_unsupported_types(
    load_template: Callable[[Path], dict[str, Any]],
) -> None:
    web = load_template(ROOT / "infra" / "web.yaml")
    adapted, removed = for_moto(web, {}, {"AWS::CertificateManager::Certificate": "arn:cert"})
    assert removed == ["Certificate", "NotificationSubscription", "WebCpuScalingPolicy"]
    assert set(adapted["Resources"]) == set(web["Resources"]) - set(removed)
    https = adapted["Resources"]["WebAlbHttpsListener"]["Properties"]
    assert https["Certificates"] == [{"CertificateArn": "arn:cert"}]


def test_vpc_has_four_subnets_in_two_zones(
    deployed: dict[str, dict[str, str]],
) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    network = deployed["network"]
    vpc_id = network["VpcId"]
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.20.0.0/16"
    # moto's VPC resource ignores EnableDnsHostnames; test_brief_values pins it in the template.
    support = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")
    assert support["EnableDnsSupport"]["Value"] is True

    public = network["PublicSubnetIds"].split(",")
    private = network["PrivateSubnetIds"].split(",")
    subnets = {
        s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=public + private)["Subnets"]
    }
    assert len({subnets[s]["AvailabilityZone"] for s in public}) == 2
    assert len({subnets[s]["AvailabilityZone"] for s in private}) == 2
    assert sorted(s["CidrBlock"] for s in subnets.values()) == [
        "10.20.0.0/20",
        "10.20.16.0/20",
        "10.20.32.0/20",
        "10.20.48.0/20",
    ]
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets.values())


def test_public_routes_to_the_gateway_and_private_to_the_nat_instance(
    deployed: dict[str, dict[str, str]],
) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    network = deployed["network"]

    # moto's CloudFormation records subnet associations without exposing them through the API,
    # so tables are found by the logical-id tag CloudFormation puts on them; test_brief_values
    # pins the associations.
    def table_named(logical_id: str) -> dict[str, Any]:
        filters = [
            {"Name": "tag:aws:cloudformation:logical-id", "Values": [logical_id]},
            {"Name": "vpc-id", "Values": [network["VpcId"]]},
        ]
        tables = ec2.describe_route_tables(Filters=filters)["RouteTables"]
        assert len(tables) == 1
        return tables[0]

    def default_route(table: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")

    assert default_route(table_named("PublicRouteTable"))["GatewayId"].startswith("igw-")

    nat = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["cblog-nat-bastion"]}])[
        "Reservations"
    ][0]["Instances"][0]
    # SourceDestCheck: moto's CloudFormation leaves it on; test_brief_values pins it off.
    assert nat["SubnetId"] == network["PublicSubnetIds"].split(",")[0]
    assert nat["InstanceId"] == network["NatInstanceId"]
    # Session Manager needs an instance profile even when no key pair is given.
    assert nat["IamInstanceProfile"]["Arn"].split("/")[-1].startswith("cblog-network-NatInstance")
    private_table = table_named("PrivateRouteTable")
    assert private_table["RouteTableId"] == network["PrivateRouteTableId"]
    assert default_route(private_table)["InstanceId"] == nat["InstanceId"]

    endpoints = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [network["VpcId"]]}]
    )["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == [
        f"com.amazonaws.{REGION}.dynamodb",
        f"com.amazonaws.{REGION}.s3",
    ]
    for endpoint in endpoints:
        assert endpoint["VpcEndpointType"] == "Gateway"
        assert endpoint["RouteTableIds"] == [network["PrivateRouteTableId"]]


def test_security_groups_chain_alb_to_web_to_database_and_cache(
    deployed: dict[str, dict[str, str]],
) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    network = deployed["network"]

    def ingress(group_id: str) -> set[tuple[int, str]]:
        group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        rules = set()
        for permission in group["IpPermissions"]:
            for cidr in permission.get("IpRanges", []):
                rules.add((permission["FromPort"], cidr["CidrIp"]))
            for pair in permission.get("UserIdGroupPairs", []):
                rules.add((permission["FromPort"], pair["GroupId"]))
        return rules

    alb = network["AlbSecurityGroupId"]
    web = network["WebSecurityGroupId"]
    bastion = network["BastionSecurityGroupId"]
    # As the brief says; the listeners keep direct clients from the app (next test).
    assert ingress(alb) == {(80, "0.0.0.0/0"), (443, "0.0.0.0/0")}
    assert ingress(web) == {(80, alb), (443, alb), (22, bastion)}
    assert ingress(network["DatabaseSecurityGroupId"]) == {(3306, web)}
    assert ingress(network["CacheSecurityGroupId"]) == {(6379, web)}
    assert ingress(bastion) == {(22, "203.0.113.10/32")}


def test_load_balancer_redirects_http_and_forwards_only_origin_verified_https_to_healthz(
    deployed: dict[str, dict[str, str]],
) -> None:
    elb = boto3.client("elbv2", region_name=REGION)
    balancer = elb.describe_load_balancers()["LoadBalancers"][0]
    assert balancer["Scheme"] == "internet-facing"
    assert balancer["DNSName"] == deployed["web"]["AlbDnsName"]
    # moto's CloudFormation drops LoadBalancerAttributes; test_brief_values pins them.

    listeners = {
        listener["Port"]: listener
        for listener in elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])[
            "Listeners"
        ]
    }
    assert set(listeners) == {80, 443}
    # Port 80 is open to anyone: the load balancer answers with a redirect and forwards nothing.
    (redirect,) = listeners[80]["DefaultActions"]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert redirect["RedirectConfig"]["Port"] == "443"
    assert redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"
    http_rules = elb.describe_rules(ListenerArn=listeners[80]["ListenerArn"])["Rules"]
    assert all(rule["IsDefault"] for rule in http_rules)  # no rule could forward

    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["Certificates"][0]["CertificateArn"] == deployed["certificate"]
    (refuse,) = https["DefaultActions"]
    assert refuse["Type"] == "fixed-response"
    assert refuse["FixedResponseConfig"]["StatusCode"] == "403"

    rules = elb.describe_rules(ListenerArn=https["ListenerArn"])["Rules"]
    (verified,) = [rule for rule in rules if not rule["IsDefault"]]
    assert verified["Priority"] == "1"
    (condition,) = verified["Conditions"]
    assert condition["Field"] == "http-header"
    assert condition["HttpHeaderConfig"]["HttpHeaderName"] == "X-Origin-Verify"
    # Both versions of the secret while a rotation deploys. CloudFormation resolves the dynamic
    # references at deploy time; moto passes them through, so the test reads which secret and
    # version each names and resolves them itself.
    secrets = boto3.client("secretsmanager", region_name=REGION)
    resolved = []
    for value in condition["HttpHeaderConfig"]["Values"]:
        match = re.fullmatch(
            r"\{\{resolve:secretsmanager:(.+):SecretString:::([0-9a-f-]+)\}\}", value
        )
        assert match, value
        secret = secrets.get_secret_value(SecretId=match[1], VersionId=match[2])
        resolved.append(secret["SecretString"])
    assert resolved == ["b" * 64, "a" * 64]  # current, previous
    (forward,) = verified["Actions"]
    assert forward["Type"] == "forward"
    target_group_arn = forward["TargetGroupArn"]

    group = elb.describe_target_groups(TargetGroupArns=[target_group_arn])["TargetGroups"][0]
    assert group["Protocol"] == "HTTP"
    assert group["Port"] == 80
    assert group["HealthCheckProtocol"] == "HTTP"
    assert group["HealthCheckPath"] == "/healthz"
    # The dimensions the monitoring stack's alarms use.
    assert balancer["LoadBalancerArn"].endswith("/" + deployed["web"]["LoadBalancerFullName"])
    assert group["TargetGroupArn"].endswith(":" + deployed["web"]["TargetGroupFullName"])


def test_auto_scaling_group_matches_the_brief(deployed: dict[str, dict[str, str]]) -> None:
    autoscaling = boto3.client("autoscaling", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    name = deployed["web"]["AutoScalingGroupName"]
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ][0]
    # Named after project, environment and root stack: the instance role's grant names it.
    assert name == "cblog-prod-web-1a2b3c4d"
    assert (group["MinSize"], group["DesiredCapacity"], group["MaxSize"]) == (1, 1, 3)
    assert group["HealthCheckType"] == "ELB"
    assert group["HealthCheckGracePeriod"] == 90
    assert sorted(group["VPCZoneIdentifier"].split(",")) == sorted(
        deployed["network"]["PrivateSubnetIds"].split(",")
    )
    assert len(group["TargetGroupARNs"]) == 1
    assert {t["Key"]: t["Value"] for t in group["Tags"]}["Name"] == "Django Blog Capstone Project"

    # moto implements no DescribeNotificationConfigurations; test_brief_values pins the four
    # notification types, and the topic exists:
    sns = boto3.client("sns", region_name=REGION)
    topic = deployed["web"]["NotificationTopicArn"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["TopicArn"] == topic

    template_id = group["LaunchTemplate"]["LaunchTemplateId"]
    data = ec2.describe_launch_template_versions(LaunchTemplateId=template_id)[
        "LaunchTemplateVersions"
    ][0]["LaunchTemplateData"]
    assert data["InstanceType"] == "t3.micro"
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is False
    assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True


def test_database_is_a_private_encrypted_mysql_t3_micro(
    deployed: dict[str, dict[str, str]],
) -> None:
    rds = boto3.client("rds", region_name=REGION)
    instance = rds.describe_db_instances(DBInstanceIdentifier=deployed["database"]["DbInstanceId"])[
        "DBInstances"
    ][0]
    assert instance["DBInstanceClass"] == "db.t3.micro"
    assert instance["Engine"] == "mysql"
    assert instance["EngineVersion"] == "8.0.43"
    assert instance["StorageEncrypted"] is True
    assert instance["PubliclyAccessible"] is False
    assert instance["BackupRetentionPeriod"] == 7
    # DeletionProtection: moto's CloudFormation drops it; test_brief_values pins it.
    assert instance["MasterUsername"] == "blogadmin"
    assert instance["Endpoint"]["Address"] == deployed["database"]["DbEndpointAddress"]
    # VPCSecurityGroups: moto's CloudFormation attaches the default group instead;
    # test_brief_values pins the database group.
    subnets = {s["SubnetIdentifier"] for s in instance["DBSubnetGroup"]["Subnets"]}
    assert subnets == set(deployed["network"]["PrivateSubnetIds"].split(","))
