"""The web tier's launch lifecycle hook: a new instance stays out of service until its user data
says the app answers, the wait is bounded, and only this group's hook can be completed."""

from __future__ import annotations

import re
from typing import Any

import pytest


@pytest.fixture(scope="module")
def group(templates: dict[str, Any]) -> dict[str, Any]:
    return templates["web"]["Resources"]["WebAutoScalingGroup"]


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"PT(?:(\d+)M)?(?:(\d+)S)?", duration)
    assert match, duration
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def test_launching_hook_abandons_a_boot_that_never_reports(group: dict[str, Any]) -> None:
    (hook,) = group["Properties"]["LifecycleHookSpecificationList"]
    assert hook["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_LAUNCHING"
    assert hook["DefaultResult"] == "ABANDON"
    # docs/infrastructure.md budgets a cold boot at about 6 minutes, 15 in the worst case.
    assert 15 * 60 <= hook["HeartbeatTimeout"] <= 30 * 60


def test_stack_waits_longer_than_the_hook(group: dict[str, Any]) -> None:
    (hook,) = group["Properties"]["LifecycleHookSpecificationList"]
    creation = _seconds(group["CreationPolicy"]["ResourceSignal"]["Timeout"])
    rolling = _seconds(group["UpdatePolicy"]["AutoScalingRollingUpdate"]["PauseTime"])
    assert creation > hook["HeartbeatTimeout"]
    assert rolling > hook["HeartbeatTimeout"]
    assert group["UpdatePolicy"]["AutoScalingRollingUpdate"]["WaitOnResourceSignals"] is True


def test_brief_grace_period_is_kept(group: dict[str, Any]) -> None:
    assert group["Properties"]["HealthCheckGracePeriod"] == 90
    assert group["Properties"]["HealthCheckType"] == "ELB"


def test_instance_role_completes_lifecycle_actions_of_this_group_only(
    templates: dict[str, Any], group: dict[str, Any]
) -> None:
    role = templates["web"]["Resources"]["WebInstanceRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    granting = [s for s in statements if "autoscaling:CompleteLifecycleAction" in str(s["Action"])]
    assert len(granting) == 1
    (statement,) = granting
    assert statement["Action"] == "autoscaling:CompleteLifecycleAction"
    name = group["Properties"]["AutoScalingGroupName"]["Fn::Sub"]
    assert statement["Resource"]["Fn::Sub"].endswith(f":autoScalingGroupName/{name}")
    assert "*" not in name
