"""The web instances' user data, run for real under bash with the machine's tools stubbed.

What CloudFormation would hand an instance (the rendered Fn::Sub) runs with stub programs first
on PATH for apt-get, docker, aws, curl, systemctl and sleep; each stub records its arguments and
answers as the real tool would (or fails, when a test says so). Mocked because no EC2 instance,
Docker engine or AWS account exists here; everything else the script runs is the real thing.
The two absolute paths the script writes (its log and /etc/cblog) are moved under tmp_path.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

STUBBED = ("apt-get", "docker", "aws", "curl", "systemctl", "sleep")
INSTANCE_ID = "i-0123456789abcdef0"
# One stub for every tool: record the call, then behave. STUB_FAIL names the step that fails.
STUB = r"""#!/bin/bash
name=$(basename "$0")
printf '%s %s\n' "$name" "$*" >> "$STUB_CALLS"
case "$name $*" in
  "curl "*/api/token*) echo imds-token ;;
  "curl "*/meta-data/instance-id*) echo __INSTANCE__ ;;
  "curl "*127.0.0.1/healthz*) [[ "${STUB_FAIL:-}" == healthz ]] && exit 7 ;;
  "aws ecr get-login-password"*) echo ecr-password ;;
  "docker login"*) cat > /dev/null ;;
  "docker pull "*) [[ "${STUB_FAIL:-}" == pull ]] && exit 1 ;;
  "docker run "*" migrate") [[ "${STUB_FAIL:-}" == migrate ]] && exit 1 ;;
esac
exit 0
""".replace("__INSTANCE__", INSTANCE_ID)


def boot(script: str, tmp_path: Path, fail: str = "") -> tuple[int, list[str], float]:
    """Run the user data; return its exit code, the recorded calls and the seconds it took."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name in STUBBED:
        (stubs / name).write_text(STUB)
        (stubs / name).chmod(0o755)
    script = script.replace("/var/log/cblog-user-data.log", str(tmp_path / "user-data.log"))
    script = script.replace("/etc/cblog", str(tmp_path / "etc-cblog"))
    (tmp_path / "user-data.sh").write_text(script)
    calls = tmp_path / "calls.log"
    env = {
        "PATH": f"{stubs}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "STUB_CALLS": str(calls),
        "STUB_FAIL": fail,
    }
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - bash running the script we rendered
        ["/bin/bash", str(tmp_path / "user-data.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    return result.returncode, calls.read_text().splitlines(), elapsed


def first(calls: list[str], prefix: str, *contains: str) -> int:
    """Index of the first call starting with ``prefix`` that holds every ``contains``."""
    for index, call in enumerate(calls):
        if call.startswith(prefix) and all(part in call for part in contains):
            return index
    raise AssertionError(f"no call {prefix!r} {contains} in:\n" + "\n".join(calls))


def lifecycle(calls: list[str]) -> list[str]:
    """The hook completions and stack signals, in order, as RESULT words."""
    outcome = []
    for call in calls:
        if call.startswith("aws autoscaling complete-lifecycle-action"):
            outcome.append("hook " + call.rsplit("--lifecycle-action-result ", 1)[1])
        elif call.startswith("aws cloudformation signal-resource"):
            outcome.append("signal " + call.rsplit("--status ", 1)[1])
    return outcome


def test_happy_boot_installs_logs_in_pulls_migrates_serves_then_continues_and_signals(
    rendered_web_user_data: str, tmp_path: Path
) -> None:
    code, calls, _ = boot(rendered_web_user_data, tmp_path)
    assert code == 0, "\n".join(calls)
    order = [
        first(calls, "apt-get", "install", "docker.io", "awscli"),
        # get-login-password | docker login: one pipeline, its two halves start together.
        first(calls, "docker login", "--password-stdin", "123456789012.dkr.ecr"),
        first(calls, "docker pull", "cblog-web:1.4.0"),
        first(calls, "docker run", "--rm", " migrate"),
        first(calls, "docker run", "-d --name cblog-web", "-p 80:8000"),
        first(calls, "curl", "http://127.0.0.1/healthz"),
        first(calls, "aws autoscaling complete-lifecycle-action", "CONTINUE"),
        first(calls, "aws cloudformation signal-resource", "SUCCESS"),
    ]
    assert order == sorted(order), "\n".join(calls)
    assert first(calls, "aws ecr get-login-password", "--region eu-west-1") < order[2]
    assert lifecycle(calls) == ["hook CONTINUE", "signal SUCCESS"]


def test_only_the_migrate_step_runs_with_the_master_credentials(
    rendered_web_user_data: str, tmp_path: Path
) -> None:
    _, calls, _ = boot(rendered_web_user_data, tmp_path)
    runs = [call for call in calls if call.startswith("docker run")]
    migrate = [call for call in runs if call.endswith(" migrate")]
    assert len(migrate) == 1
    assert "-e DB_ROLE=admin " in migrate[0]
    assert not any("DB_ROLE" in call for call in runs if call not in migrate)
    env = (tmp_path / "etc-cblog" / "web.env").read_text()
    assert "DB_ROLE" not in env


def test_apt_waits_for_the_dpkg_lock_instead_of_failing(
    rendered_web_user_data: str, tmp_path: Path
) -> None:
    _, calls, _ = boot(rendered_web_user_data, tmp_path)
    apt = [call for call in calls if call.startswith("apt-get")]
    assert apt, calls
    assert all("-o DPkg::Lock::Timeout=600" in call for call in apt)


def test_hook_completion_names_this_group_hook_and_instance(
    rendered_web_user_data: str, tmp_path: Path
) -> None:
    _, calls, _ = boot(rendered_web_user_data, tmp_path)
    call = calls[first(calls, "aws autoscaling complete-lifecycle-action")]
    assert "--auto-scaling-group-name cblog-prod-web-1a2b3c4d" in call
    assert "--lifecycle-hook-name launch-ready" in call
    assert f"--instance-id {INSTANCE_ID}" in call
    signal = calls[first(calls, "aws cloudformation signal-resource")]
    assert f"--unique-id {INSTANCE_ID}" in signal
    assert "--logical-resource-id WebAutoScalingGroup" in signal


@pytest.mark.parametrize(
    ("fail", "attempts", "never"),
    [
        ("pull", ("docker pull", 5), "docker run"),
        ("migrate", ("docker run", 1), "docker run -d"),
        ("healthz", ("curl -fsS -o /dev/null --max-time 5 http://127.0.0.1/healthz", 60), None),
    ],
    ids=["image-pull-fails", "migrate-fails", "healthz-never-answers"],
)
def test_a_failed_boot_signals_failure_then_abandons_and_never_continues(
    rendered_web_user_data: str,
    tmp_path: Path,
    fail: str,
    attempts: tuple[str, int],
    never: str | None,
) -> None:
    code, calls, _ = boot(rendered_web_user_data, tmp_path, fail=fail)
    assert code != 0
    assert lifecycle(calls) == ["signal FAILURE", "hook ABANDON"], "\n".join(calls)
    prefix, count = attempts
    assert sum(call.startswith(prefix) for call in calls) == count, "\n".join(calls)
    if never:
        assert not any(call.startswith(never) for call in calls), "\n".join(calls)


def test_health_wait_is_sixty_stubbed_pauses_and_no_real_time(
    rendered_web_user_data: str, tmp_path: Path
) -> None:
    # The health wait is 60 tries 5 s apart on an instance; with sleep stubbed the whole failing
    # path must still finish fast, which proves no real wait hides in the script.
    _, calls, elapsed = boot(rendered_web_user_data, tmp_path, fail="healthz")
    assert elapsed < 20
    sleeps = [call for call in calls if call.startswith("sleep ")]
    assert len(sleeps) == 60
    assert os.path.exists(tmp_path / "user-data.log")
