"""Every value the brief (shared/seed/capstone-brief.md) names, read from the templates.

One row per requirement: (template, path into it, expected value). Deliberate deviations from
the brief (shared/DESIGN.md) are asserted at their chosen value and marked ``deviation``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

ASG = ("Resources", "WebAutoScalingGroup", "Properties")
SCALING = ("Resources", "WebCpuScalingPolicy", "Properties")
LT = ("Resources", "WebLaunchTemplate", "Properties", "LaunchTemplateData")
DB = ("Resources", "DbInstance", "Properties")
CF = ("Resources", "Distribution", "Properties", "DistributionConfig")
CF_DEFAULT = (*CF, "DefaultCacheBehavior")
CF_ALB_ORIGIN = (*CF, "Origins", 0)
FN = ("Resources", "MediaIndexerFunction", "Properties")
GLOBAL_FN = ("Globals", "Function")
TABLE = ("Resources", "MediaIndexTable", "Properties")
PRIMARY = ("Resources", "PrimaryRecord", "Properties")
SECONDARY = ("Resources", "SecondaryRecord", "Properties")
HEALTH = ("Resources", "CloudFrontHealthCheck", "Properties", "HealthCheckConfig")

TEN_HEADERS = [
    "Accept",
    "Accept-Charset",
    "Accept-Language",
    "Accept-Datetime",
    "Accept-Encoding",
    "Authorization",
    "Host",
    "Origin",
    "Referer",  # the brief's "Referrer": HTTP spells the header Referer
    "CloudFront-Forwarded-Proto",
]
SEVEN_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
FOUR_NOTIFICATIONS = [
    "autoscaling:EC2_INSTANCE_LAUNCH",
    "autoscaling:EC2_INSTANCE_TERMINATE",
    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
    "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
]
PROJECT_TAG = "Django Blog Capstone Project"
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"

ROWS: list[tuple[str, str, tuple[Any, ...], Any]] = [
    # Auto Scaling group
    ("asg-desired-1", "web", (*ASG, "DesiredCapacity"), "1"),
    ("asg-min-1", "web", (*ASG, "MinSize"), "1"),
    ("asg-max-3", "web", (*ASG, "MaxSize"), "3"),
    ("asg-grace-90", "web", (*ASG, "HealthCheckGracePeriod"), 90),
    ("asg-health-check-elb", "web", (*ASG, "HealthCheckType"), "ELB"),
    ("asg-all-private-subnets", "web", (*ASG, "VPCZoneIdentifier"), {"Ref": "PrivateSubnetIds"}),
    ("asg-target-group", "web", (*ASG, "TargetGroupARNs"), [{"Ref": "WebTargetGroup"}]),
    (
        "asg-launch-template",
        "web",
        (*ASG, "LaunchTemplate", "LaunchTemplateId"),
        {"Ref": "WebLaunchTemplate"},
    ),
    (
        "asg-notifications-four",
        "web",
        (*ASG, "NotificationConfigurations", 0, "NotificationTypes"),
        FOUR_NOTIFICATIONS,
    ),
    (
        "asg-notify-topic",
        "web",
        (*ASG, "NotificationConfigurations", 0, "TopicARN"),
        {"Ref": "NotificationTopic"},
    ),
    (
        "asg-notify-email",
        "web",
        ("Resources", "NotificationSubscription", "Properties", "Protocol"),
        "email",
    ),
    ("asg-tag", "web", (*ASG, "Tags", "tag:Name"), PROJECT_TAG),
    ("scaling-target-tracking", "web", (*SCALING, "PolicyType"), "TargetTrackingScaling"),
    (
        "scaling-cpu-metric",
        "web",
        (
            *SCALING,
            "TargetTrackingConfiguration",
            "PredefinedMetricSpecification",
            "PredefinedMetricType",
        ),
        "ASGAverageCPUUtilization",
    ),
    ("scaling-target-70", "web", (*SCALING, "TargetTrackingConfiguration", "TargetValue"), 70),
    ("scaling-warmup-200", "web", (*SCALING, "EstimatedInstanceWarmup"), 200),
    ("asg-default-warmup-200", "web", (*ASG, "DefaultInstanceWarmup"), 200),
    # Launch template
    ("lt-t3-micro", "web", (*LT, "InstanceType"), "t3.micro"),
    # Ubuntu 22.04: infra/deploy.sh pins Canonical's current AMI into this parameter
    # (tests/infra/test_deploy_helper.py pins the public parameter it reads).
    (
        "lt-ubuntu-22-04",
        "root",
        ("Parameters", "UbuntuImageParameter", "Default"),
        "/cblog/capstone/ami/ubuntu-22.04",
    ),
    (
        "lt-ubuntu-passed-down",
        "root",
        ("Resources", "WebStack", "Properties", "Parameters", "UbuntuImageId"),
        {"Ref": "UbuntuImageParameter"},
    ),
    ("lt-image-from-ssm", "web", (*LT, "ImageId"), {"Ref": "UbuntuImageId"}),
    ("lt-imdsv2", "web", (*LT, "MetadataOptions", "HttpTokens"), "required"),
    ("lt-no-public-ip", "web", (*LT, "NetworkInterfaces", 0, "AssociatePublicIpAddress"), False),
    ("lt-web-sg", "web", (*LT, "NetworkInterfaces", 0, "Groups"), [{"Ref": "WebSecurityGroupId"}]),
    ("lt-root-encrypted", "web", (*LT, "BlockDeviceMappings", 0, "Ebs", "Encrypted"), True),
    ("lt-instance-tag", "web", (*LT, "TagSpecifications", 0, "Tags", "tag:Name"), PROJECT_TAG),
    ("lt-instance-tag-type", "web", (*LT, "TagSpecifications", 0, "ResourceType"), "instance"),
    ("lt-volume-tag", "web", (*LT, "TagSpecifications", 1, "Tags", "tag:Name"), PROJECT_TAG),
    # Load balancer, listeners, target group, certificate
    (
        "alb-internet-facing",
        "web",
        ("Resources", "WebAlb", "Properties", "Scheme"),
        "internet-facing",
    ),
    (
        "alb-public-subnets",
        "web",
        ("Resources", "WebAlb", "Properties", "Subnets"),
        {"Ref": "PublicSubnetIds"},
    ),
    (
        "alb-http-redirect",
        "web",
        ("Resources", "WebAlbHttpListener", "Properties", "DefaultActions", 0, "RedirectConfig"),
        {
            "Protocol": "HTTPS",
            "Port": "443",
            "Host": "#{host}",
            "Path": "/#{path}",
            "Query": "#{query}",
            "StatusCode": "HTTP_301",
        },
    ),
    ("alb-https-port", "web", ("Resources", "WebAlbHttpsListener", "Properties", "Port"), 443),
    (
        "alb-https-tls12",
        "web",
        ("Resources", "WebAlbHttpsListener", "Properties", "SslPolicy"),
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ),
    (
        "alb-https-cert",
        "web",
        ("Resources", "WebAlbHttpsListener", "Properties", "Certificates", 0, "CertificateArn"),
        {"Ref": "Certificate"},
    ),
    (
        "tg-health-http",
        "web",
        ("Resources", "WebTargetGroup", "Properties", "HealthCheckProtocol"),
        "HTTP",
    ),
    (
        "tg-health-path",
        "web",
        ("Resources", "WebTargetGroup", "Properties", "HealthCheckPath"),
        "/healthz",
    ),
    (
        "acm-dns-validated",
        "web",
        ("Resources", "Certificate", "Properties", "ValidationMethod"),
        "DNS",
    ),
    (
        "acm-subdomains",
        "web",
        ("Resources", "Certificate", "Properties", "SubjectAlternativeNames"),
        [{"Fn::Sub": "*.${DomainName}"}],
    ),
    # Database
    ("db-class", "database", (*DB, "DBInstanceClass"), "db.t3.micro"),
    ("db-engine", "database", (*DB, "Engine"), "mysql"),
    ("db-version-8-0-43", "database", ("Parameters", "DBEngineVersion", "Default"), "8.0.43"),
    ("db-version-param", "database", (*DB, "EngineVersion"), {"Ref": "DBEngineVersion"}),
    ("db-root-version-8-0-43", "root", ("Parameters", "DBEngineVersion", "Default"), "8.0.43"),
    (
        "db-password-from-ssm",
        "database",
        (*DB, "MasterUserPassword"),
        {"Fn::Sub": "{{resolve:ssm-secure:${SsmParameterPrefix}/password}}"},
    ),
    ("db-private", "database", (*DB, "PubliclyAccessible"), False),
    ("db-encrypted", "database", (*DB, "StorageEncrypted"), True),
    ("db-backups-7", "database", (*DB, "BackupRetentionPeriod"), 7),
    (
        "db-snapshot-on-delete",
        "database",
        ("Resources", "DbInstance", "DeletionPolicy"),
        "Snapshot",
    ),
    (
        "db-private-subnets",
        "database",
        ("Resources", "DbSubnetGroup", "Properties", "SubnetIds"),
        {"Ref": "PrivateSubnetIds"},
    ),
    (
        "db-lifecycle-explicit",
        "database",
        (*DB, "EngineLifecycleSupport"),
        {
            "Fn::If": [
                "IsMySql80",
                "open-source-rds-extended-support",
                "open-source-rds-extended-support-disabled",
            ]
        },
    ),
    (
        "db-security-group",
        "database",
        (*DB, "VPCSecurityGroups"),
        [{"Ref": "DatabaseSecurityGroupId"}],
    ),
    ("db-deletion-protection", "database", (*DB, "DeletionProtection"), True),
    (
        "alb-drop-invalid-headers",
        "web",
        ("Resources", "WebAlb", "Properties", "LoadBalancerAttributes", 0),
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
    ),
    (
        "rt-public-1",
        "network",
        ("Resources", "PublicSubnet1RouteTableAssociation", "Properties"),
        {"SubnetId": {"Ref": "PublicSubnet1"}, "RouteTableId": {"Ref": "PublicRouteTable"}},
    ),
    (
        "rt-public-2",
        "network",
        ("Resources", "PublicSubnet2RouteTableAssociation", "Properties"),
        {"SubnetId": {"Ref": "PublicSubnet2"}, "RouteTableId": {"Ref": "PublicRouteTable"}},
    ),
    (
        "rt-private-1",
        "network",
        ("Resources", "PrivateSubnet1RouteTableAssociation", "Properties"),
        {"SubnetId": {"Ref": "PrivateSubnet1"}, "RouteTableId": {"Ref": "PrivateRouteTable"}},
    ),
    (
        "rt-private-2",
        "network",
        ("Resources", "PrivateSubnet2RouteTableAssociation", "Properties"),
        {"SubnetId": {"Ref": "PrivateSubnet2"}, "RouteTableId": {"Ref": "PrivateRouteTable"}},
    ),
    # CloudFront
    (
        "cf-origin-https-only",
        "edge",
        (*CF_ALB_ORIGIN, "CustomOriginConfig", "OriginProtocolPolicy"),
        "https-only",
    ),
    (
        "cf-origin-tls12",
        "edge",
        (*CF_ALB_ORIGIN, "CustomOriginConfig", "OriginSSLProtocols"),
        ["TLSv1.2"],
    ),
    (
        "cf-origin-covered-name",
        "edge",
        (*CF_ALB_ORIGIN, "DomainName"),
        {"Fn::Sub": "origin.${DomainName}"},
    ),
    (
        "cf-viewer-redirect-https",
        "edge",
        (*CF_DEFAULT, "ViewerProtocolPolicy"),
        "redirect-to-https",
    ),
    ("cf-seven-methods", "edge", (*CF_DEFAULT, "AllowedMethods"), SEVEN_METHODS),
    ("cf-cookies-all", "edge", (*CF_DEFAULT, "ForwardedValues", "Cookies", "Forward"), "all"),
    ("cf-ten-headers", "edge", (*CF_DEFAULT, "ForwardedValues", "Headers"), TEN_HEADERS),
    ("cf-query-string", "edge", (*CF_DEFAULT, "ForwardedValues", "QueryString"), True),
    ("cf-alias", "edge", (*CF, "Aliases"), [{"Ref": "DomainName"}]),
    ("cf-cert-sni", "edge", (*CF, "ViewerCertificate", "SslSupportMethod"), "sni-only"),
    ("cf-cert-tls12", "edge", (*CF, "ViewerCertificate", "MinimumProtocolVersion"), "TLSv1.2_2021"),
    # Route 53 failover and health check
    ("r53-health-https", "edge", (*HEALTH, "Type"), "HTTPS_STR_MATCH"),
    # "Healthcheck should check if CloudFront is healthy": a page CloudFront serves without the
    # web tier (tests/infra/test_edge.py).
    ("r53-health-path", "edge", (*HEALTH, "ResourcePath"), "/maintenance/index.html"),
    (
        "r53-health-cloudfront",
        "edge",
        (*HEALTH, "FullyQualifiedDomainName"),
        {"Fn::GetAtt": ["Distribution", "DomainName"]},
    ),
    ("r53-primary", "edge", (*PRIMARY, "Failover"), "PRIMARY"),
    ("r53-primary-health", "edge", (*PRIMARY, "HealthCheckId"), {"Ref": "CloudFrontHealthCheck"}),
    (
        "r53-primary-cloudfront",
        "edge",
        (*PRIMARY, "AliasTarget"),
        {
            "DNSName": {"Fn::GetAtt": ["Distribution", "DomainName"]},
            "HostedZoneId": CLOUDFRONT_ZONE,
            "EvaluateTargetHealth": False,
        },
    ),
    ("r53-secondary", "edge", (*SECONDARY, "Failover"), "SECONDARY"),
    (
        "r53-secondary-website-zone",
        "edge",
        (*SECONDARY, "AliasTarget", "HostedZoneId"),
        {"Fn::FindInMap": ["S3WebsiteHostedZones", {"Ref": "AWS::Region"}, "ZoneId"]},
    ),
    (
        "site-bucket-named-as-domain",
        "edge",
        ("Resources", "FailoverSiteBucket", "Properties", "BucketName"),
        {"Ref": "DomainName"},
    ),
    (
        "site-bucket-website",
        "edge",
        ("Resources", "FailoverSiteBucket", "Properties", "WebsiteConfiguration", "IndexDocument"),
        "index.html",
    ),
    # Lambda (runtime: deviation 3.8 -> 3.13, end of life)
    ("fn-runtime-deviation", "root", (*GLOBAL_FN, "Runtime"), "python3.13"),
    ("fn-timeout-30", "root", (*GLOBAL_FN, "Timeout"), 30),
    ("fn-tracing", "root", (*GLOBAL_FN, "Tracing"), "Active"),
    ("fn-code", "root", (*FN, "CodeUri"), "functions/media_indexer/"),
    ("fn-handler", "root", (*FN, "Handler"), "app.handler"),
    (
        "fn-event-created",
        "root",
        (*FN, "Events", "MediaObjectCreated", "Properties"),
        {"Bucket": {"Ref": "MediaBucket"}, "Events": "s3:ObjectCreated:*"},
    ),
    (
        "fn-event-removed",
        "root",
        (*FN, "Events", "MediaObjectRemoved", "Properties"),
        {"Bucket": {"Ref": "MediaBucket"}, "Events": "s3:ObjectRemoved:*"},
    ),
    (
        "fn-vpc-subnets",
        "root",
        (*FN, "VpcConfig", "SubnetIds"),
        {"Fn::Split": [",", {"Fn::GetAtt": ["NetworkStack", "Outputs.PrivateSubnetIds"]}]},
    ),
    (
        "fn-table-env",
        "root",
        (*FN, "Environment", "Variables", "MEDIA_INDEX_TABLE"),
        {"Ref": "MediaIndexTable"},
    ),
    (
        "fn-powertools-service",
        "root",
        (*GLOBAL_FN, "Environment", "Variables", "POWERTOOLS_SERVICE_NAME"),
        "media-indexer",
    ),
    (
        "fn-powertools-namespace",
        "root",
        (*GLOBAL_FN, "Environment", "Variables", "POWERTOOLS_METRICS_NAMESPACE"),
        "cblog",
    ),
    ("fn-dlq", "root", (*FN, "DeadLetterQueue", "Type"), "SQS"),
    ("fn-reserved-concurrency", "root", ("Parameters", "IndexerReservedConcurrency", "Default"), 5),
    # DynamoDB
    ("table-key-id", "root", (*TABLE, "KeySchema"), [{"AttributeName": "id", "KeyType": "HASH"}]),
    ("table-on-demand", "root", (*TABLE, "BillingMode"), "PAY_PER_REQUEST"),
    (
        "table-pitr",
        "root",
        (*TABLE, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"),
        True,
    ),
    (
        "table-owner-index",
        "root",
        (*TABLE, "GlobalSecondaryIndexes", 0),
        {
            "IndexName": "owner-index",
            "KeySchema": [
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "created_at", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        },
    ),
    ("table-retained", "root", ("Resources", "MediaIndexTable", "DeletionPolicy"), "Retain"),
    # Media bucket (deviation: private, served through CloudFront OAC)
    (
        "bucket-private",
        "root",
        ("Resources", "MediaBucket", "Properties", "PublicAccessBlockConfiguration"),
        {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    ),
    (
        "bucket-versioned",
        "root",
        ("Resources", "MediaBucket", "Properties", "VersioningConfiguration", "Status"),
        "Enabled",
    ),
    ("bucket-retained", "root", ("Resources", "MediaBucket", "DeletionPolicy"), "Retain"),
    # Network
    (
        "vpc-dns-hostnames",
        "network",
        ("Resources", "Vpc", "Properties", "EnableDnsHostnames"),
        True,
    ),
    ("vpc-rfc1918", "network", ("Parameters", "VpcCidr", "Default"), "10.20.0.0/16"),
    (
        "subnet-az-1",
        "network",
        ("Resources", "PublicSubnet1", "Properties", "AvailabilityZone"),
        {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
    ),
    (
        "subnet-az-2",
        "network",
        ("Resources", "PrivateSubnet2", "Properties", "AvailabilityZone"),
        {"Fn::Select": [1, {"Fn::GetAZs": ""}]},
    ),
    (
        "nat-in-public-subnet",
        "network",
        ("Resources", "NatInstance", "Properties", "SubnetId"),
        {"Ref": "PublicSubnet1"},
    ),
    (
        "nat-source-dest-off",
        "network",
        ("Resources", "NatInstance", "Properties", "SourceDestCheck"),
        False,
    ),
    (
        "nat-current-al2023",
        "root",
        ("Parameters", "NatImageParameter", "Default"),
        "/cblog/capstone/ami/al2023",
    ),
    (
        "nat-session-manager",
        "network",
        ("Resources", "NatInstance", "Properties", "IamInstanceProfile"),
        {"Ref": "NatInstanceProfile"},
    ),
    (
        "route-public-igw",
        "network",
        ("Resources", "PublicDefaultRoute", "Properties"),
        {
            "RouteTableId": {"Ref": "PublicRouteTable"},
            "DestinationCidrBlock": "0.0.0.0/0",
            "GatewayId": {"Ref": "InternetGateway"},
        },
    ),
    (
        "route-private-nat",
        "network",
        ("Resources", "PrivateDefaultRoute", "Properties"),
        {
            "RouteTableId": {"Ref": "PrivateRouteTable"},
            "DestinationCidrBlock": "0.0.0.0/0",
            "InstanceId": {"Ref": "NatInstance"},
        },
    ),
    (
        "endpoint-s3",
        "network",
        ("Resources", "S3GatewayEndpoint", "Properties"),
        {
            "VpcId": {"Ref": "Vpc"},
            "VpcEndpointType": "Gateway",
            "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
            "RouteTableIds": [{"Ref": "PrivateRouteTable"}],
        },
    ),
    (
        "endpoint-dynamodb",
        "network",
        ("Resources", "DynamoDbGatewayEndpoint", "Properties"),
        {
            "VpcId": {"Ref": "Vpc"},
            "VpcEndpointType": "Gateway",
            "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"},
            "RouteTableIds": [{"Ref": "PrivateRouteTable"}],
        },
    ),
]


def dig(node: Any, *path: Any) -> Any:
    """Follow ``path`` into ``node``; ``"tag:K"`` picks the value of tag ``K`` from a tag list."""
    for step in path:
        if isinstance(step, str) and step.startswith("tag:"):
            values = [tag["Value"] for tag in node if tag["Key"] == step.removeprefix("tag:")]
            assert values, f"no tag {step!r} in {node!r}"
            node = values[0]
        else:
            node = node[step]
    return node


@pytest.mark.parametrize(
    ("template", "path", "expected"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_template_holds_brief_value(
    templates: dict[str, Any], template: str, path: tuple[Any, ...], expected: Any
) -> None:
    assert dig(templates[template], *path) == expected


def _rule(port: int, *, cidr: Any = None, group: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if group is not None:
        rule["SourceSecurityGroupId"] = {"Ref": group}
    else:
        rule["CidrIp"] = cidr
    return rule


# Each security group's complete ingress, rule by rule (the brief's notes, less the deviation
# "SSH from anywhere": SSH reaches web instances only from the bastion). The load balancer admits
# HTTP and HTTPS from anywhere, as the brief says; its listeners keep direct clients from the
# app (tests/infra/test_origin_access.py).
INGRESS = {
    "AlbSecurityGroup": [_rule(80, cidr="0.0.0.0/0"), _rule(443, cidr="0.0.0.0/0")],
    "WebSecurityGroup": [
        _rule(80, group="AlbSecurityGroup"),
        _rule(443, group="AlbSecurityGroup"),
        _rule(22, group="BastionSecurityGroup"),
    ],
    "DatabaseSecurityGroup": [_rule(3306, group="WebSecurityGroup")],
    "BastionSecurityGroup": [_rule(22, cidr={"Ref": "AdminCidr"})],
    "NatSecurityGroup": [_rule(80, cidr={"Ref": "VpcCidr"}), _rule(443, cidr={"Ref": "VpcCidr"})],
    "FunctionSecurityGroup": [],
}


@pytest.mark.parametrize("group", sorted(INGRESS))
def test_security_group_admits_exactly_the_brief_rules(
    templates: dict[str, Any], group: str
) -> None:
    properties = templates["network"]["Resources"][group]["Properties"]
    ingress = properties.get("SecurityGroupIngress", [])
    if isinstance(ingress, dict):  # SSH to the bastion exists only when AdminCidr is set
        condition, ingress, otherwise = ingress["Fn::If"]
        assert condition == "HasAdminCidr"
        assert otherwise == {"Ref": "AWS::NoValue"}
    rules = [{k: v for k, v in rule.items() if k != "Description"} for rule in ingress]
    assert rules == INGRESS[group]


def test_every_security_group_rule_has_a_description(templates: dict[str, Any]) -> None:
    for name, resource in templates["network"]["Resources"].items():
        if resource["Type"] != "AWS::EC2::SecurityGroup":
            continue
        properties = resource["Properties"]
        ingress = properties.get("SecurityGroupIngress", [])
        if isinstance(ingress, dict):
            ingress = ingress["Fn::If"][1]
        for rule in ingress + properties["SecurityGroupEgress"]:
            assert rule.get("Description"), f"{name}: rule without description {rule}"


def test_nothing_hard_codes_an_availability_zone_or_ami(templates: dict[str, Any]) -> None:
    for name, template in templates.items():
        text = repr(template)
        assert not re.search(r"ami-[0-9a-f]{8,}", text), name
        for zone in ("us-east-1a", "us-east-1b", "eu-west-1a"):
            assert zone not in text, name


def test_nested_stacks_are_local_files_wired_by_outputs(templates: dict[str, Any]) -> None:
    stacks = {
        name: resource["Properties"]["TemplateURL"]
        for name, resource in templates["root"]["Resources"].items()
        if resource["Type"] == "AWS::CloudFormation::Stack"
    }
    assert stacks == {
        "NetworkStack": "infra/network.yaml",
        "DatabaseStack": "infra/database.yaml",
        "WebStack": "infra/web.yaml",
        "CacheStack": "infra/cache.yaml",
        "EdgeStack": "infra/edge.yaml",
        "MonitoringStack": "infra/monitoring.yaml",
    }


def test_database_password_never_passes_through_a_parameter(templates: dict[str, Any]) -> None:
    for template in templates.values():
        for name in template.get("Parameters", {}):
            assert "password" not in name.lower()
    assert templates["root"]["Parameters"]["DBMasterUsername"]["NoEcho"] is True


def test_every_scanner_skip_sits_on_its_resource_with_a_reason(templates: dict[str, Any]) -> None:
    skips = 0
    for name, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                skips += 1
                assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, logical_id)
                assert len(skip.get("comment", "").split()) >= 8, (name, logical_id, skip["id"])
        assert "checkov" not in template.get("Metadata", {}), f"{name}: no template-wide skips"
    assert skips > 0
