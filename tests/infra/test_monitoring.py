"""infra/monitoring.yaml: an alarm on every signal the issue names, each notifying the Auto Scaling
group's SNS topic (alarm and recovery), wired by the root to the right resources, one dashboard
showing them all, and every threshold explained in docs/infrastructure.md.

moto's CloudFormation cannot create alarms, so these read the templates (cfn-lint and
`sam validate` check the types and properties).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "infrastructure.md"
# (namespace, metric) each alarm watches, as the issue lists them.
WATCHED = {
    "Alb5xxRateAlarm": {
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "RequestCount"),
    },
    "TargetResponseTimeAlarm": {("AWS/ApplicationELB", "TargetResponseTime")},
    "UnhealthyHostsAlarm": {("AWS/ApplicationELB", "UnHealthyHostCount")},
    "NoHealthyHostAlarm": {("AWS/ApplicationELB", "HealthyHostCount")},
    "DbCpuAlarm": {("AWS/RDS", "CPUUtilization")},
    "DbFreeStorageAlarm": {("AWS/RDS", "FreeStorageSpace")},
    "DbConnectionsAlarm": {("AWS/RDS", "DatabaseConnections")},
    "IndexerErrorsAlarm": {("AWS/Lambda", "Errors")},
    "IndexerDeadLetterAlarm": {("AWS/SQS", "ApproximateNumberOfMessagesVisible")},
    "DeriverErrorsAlarm": {("AWS/Lambda", "Errors")},
    "DeriverDeadLetterAlarm": {("AWS/SQS", "ApproximateNumberOfMessagesVisible")},
    "NatStatusCheckAlarm": {("AWS/EC2", "StatusCheckFailed")},
}
# Which root value each dimension parameter must receive.
WIRING = {
    "NotificationTopicArn": {"Fn::GetAtt": ["WebStack", "Outputs.NotificationTopicArn"]},
    "LoadBalancerFullName": {"Fn::GetAtt": ["WebStack", "Outputs.LoadBalancerFullName"]},
    "TargetGroupFullName": {"Fn::GetAtt": ["WebStack", "Outputs.TargetGroupFullName"]},
    "AutoScalingGroupName": {"Fn::GetAtt": ["WebStack", "Outputs.AutoScalingGroupName"]},
    "DbInstanceId": {"Fn::GetAtt": ["DatabaseStack", "Outputs.DbInstanceId"]},
    "IndexerFunctionName": {"Ref": "MediaIndexerFunction"},
    "IndexerDeadLetterQueueName": {"Fn::GetAtt": ["MediaIndexerDeadLetterQueue", "QueueName"]},
    "DeriverFunctionName": {"Ref": "MediaDeriverFunction"},
    "DeriverDeadLetterQueueName": {"Fn::GetAtt": ["MediaDeriverDeadLetterQueue", "QueueName"]},
    "NatInstanceId": {"Fn::GetAtt": ["NetworkStack", "Outputs.NatInstanceId"]},
}


@pytest.fixture(scope="module")
def alarms(templates: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = templates["monitoring"]["Resources"]
    return {
        name: resource["Properties"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def _watched(alarm: dict[str, Any]) -> set[tuple[str, str]]:
    if "MetricName" in alarm:
        return {(alarm["Namespace"], alarm["MetricName"])}
    return {
        (m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
        for m in alarm["Metrics"]
        if "MetricStat" in m
    }


def test_an_alarm_for_every_signal_the_issue_names(alarms: dict[str, dict[str, Any]]) -> None:
    assert {name: _watched(alarm) for name, alarm in alarms.items()} == WATCHED


def test_every_alarm_notifies_the_topic_when_it_fires_and_when_it_clears(
    alarms: dict[str, dict[str, Any]],
) -> None:
    topic = [{"Ref": "NotificationTopicArn"}]
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == topic, name
        assert alarm["OKActions"] == topic, name
        assert "TreatMissingData" in alarm, name  # decided, not left to the default


def test_five_xx_rate_is_a_share_of_requests_ignoring_quiet_minutes(
    alarms: dict[str, dict[str, Any]],
) -> None:
    (expression,) = [m for m in alarms["Alb5xxRateAlarm"]["Metrics"] if m.get("ReturnData")]
    assert "/ FILL(requests, 1)" in expression["Expression"]
    assert "FILL(requests, 0) >= 20" in expression["Expression"]
    assert alarms["Alb5xxRateAlarm"]["Threshold"] == 5


def test_root_wires_each_dimension_to_its_resource(templates: dict[str, Any]) -> None:
    stack = templates["root"]["Resources"]["MonitoringStack"]["Properties"]
    assert stack["TemplateURL"] == "infra/monitoring.yaml"
    for name, value in WIRING.items():
        assert stack["Parameters"][name] == value, name
    assert set(stack["Parameters"]) == set(templates["monitoring"]["Parameters"])


def test_dashboard_is_json_and_shows_every_alarm(
    templates: dict[str, Any],
    alarms: dict[str, dict[str, Any]],
    render_sub: Callable[[str, dict[str, str]], str],
) -> None:
    body = templates["monitoring"]["Resources"]["Dashboard"]["Properties"]["DashboardBody"]
    placeholders = set(re.findall(r"\$\{([A-Za-z0-9_:.]+)\}", body["Fn::Sub"]))
    values = {name: f"value-of-{name}" for name in placeholders}
    rendered = json.loads(render_sub(body["Fn::Sub"], values))
    (panel,) = [w for w in rendered["widgets"] if w["type"] == "alarm"]
    assert sorted(panel["properties"]["alarms"]) == sorted(
        f"value-of-{name}.Arn" for name in alarms
    )
    known = set(templates["monitoring"]["Parameters"]) | {"AWS::Region"}
    assert {p for p in placeholders if not p.endswith(".Arn")} <= known


def test_docs_explain_every_threshold(alarms: dict[str, dict[str, Any]]) -> None:
    page = DOCS.read_text()
    for alarm in alarms.values():
        suffix = alarm["AlarmName"]["Fn::Sub"].removeprefix("${ProjectName}-${EnvironmentName}-")
        rows = [line for line in page.splitlines() if line.startswith(f"| `{suffix}` |")]
        assert len(rows) == 1, f"docs/infrastructure.md: add a row for the {suffix} alarm"
        threshold = alarm["Threshold"]
        shown = {str(threshold), f"{threshold:,}", "1 GiB" if threshold == 1073741824 else ""}
        assert any(s and s in rows[0] for s in shown), f"{suffix}: state the threshold"
