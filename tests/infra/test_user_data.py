"""Instance user data: the launch template embeds infra/web-user-data.sh verbatim, and what
CloudFormation's Fn::Sub renders from it (and from the NAT instance's script) passes shellcheck.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "infra" / "web-user-data.sh"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_:.]+)\}")
# The image's environment contract (shared/DESIGN.md); nothing else, and no secrets.
CONTRACT = {
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DB_HOST",
    "DB_PORT",
    "DB_NAME",
    "SSM_PARAMETER_PREFIX",
    "MEDIA_BUCKET",
    "MEDIA_INDEX_TABLE",
    "MEDIA_URL",
    "CACHE_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
}


def shellcheck(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "user-data.sh"
    path.write_text(script)
    return subprocess.run(  # noqa: S603 - fixed tool, file we wrote
        [str(shutil.which("shellcheck")), "--severity=style", "--shell=bash", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


needs_shellcheck = pytest.mark.skipif(
    shutil.which("shellcheck") is None, reason="shellcheck is installed by .ci/run"
)


def test_launch_template_embeds_the_script_verbatim(web_user_data: str) -> None:
    assert web_user_data == SCRIPT.read_text(), (
        "infra/web.yaml is out of date: run `uv run python infra/embed_user_data.py`"
    )


def test_every_placeholder_is_a_parameter_resource_or_pseudo_parameter(
    templates: dict[str, Any], web_user_data: str, web_values: dict[str, str]
) -> None:
    web = templates["web"]
    known = set(web["Parameters"]) | set(web["Resources"]) | {"AWS::Region", "AWS::StackName"}
    used = set(PLACEHOLDER.findall(web_user_data))
    assert used <= known
    assert used == set(web_values)


@needs_shellcheck
def test_rendered_web_user_data_passes_shellcheck(
    rendered_web_user_data: str, tmp_path: Path
) -> None:
    result = shellcheck(rendered_web_user_data, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_shellcheck
def test_rendered_nat_user_data_passes_shellcheck(
    templates: dict[str, Any], tmp_path: Path, render_sub: Callable[[str, dict[str, str]], str]
) -> None:
    nat = templates["network"]["Resources"]["NatInstance"]["Properties"]
    script = render_sub(nat["UserData"]["Fn::Base64"]["Fn::Sub"], {"VpcCidr": "10.20.0.0/16"})
    result = shellcheck(script, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "net.ipv4.ip_forward = 1" in script
    assert "-s 10.20.0.0/16 -j MASQUERADE" in script


def test_container_gets_exactly_the_environment_contract(rendered_web_user_data: str) -> None:
    script = rendered_web_user_data
    env_file = script.split("<<ENV\n", 1)[1].split("\nENV\n", 1)[0]
    env = dict(line.split("=", 1) for line in env_file.splitlines())
    assert set(env) == CONTRACT
    assert env["DJANGO_ALLOWED_HOSTS"] == "blog.example.com"
    assert env["DJANGO_CSRF_TRUSTED_ORIGINS"] == "https://blog.example.com"
    assert env["MEDIA_URL"] == "https://blog.example.com/media/"
    # TLS to the shared cache (the node requires it), database 0.
    assert env["CACHE_URL"] == "rediss://master.cblog-cache.abc123.euw1.cache.amazonaws.com:6379/0"
    assert env["SSM_PARAMETER_PREFIX"] == "$prefix"
    assert not any("PASSWORD" in key or "SECRET" in key for key in env)


def test_script_names_the_group_and_hook_the_template_declares(
    templates: dict[str, Any],
    rendered_web_user_data: str,
    render_sub: Callable[..., str],
    web_values: dict[str, str],
) -> None:
    group = templates["web"]["Resources"]["WebAutoScalingGroup"]["Properties"]
    name = render_sub(group["AutoScalingGroupName"]["Fn::Sub"], web_values)
    (hook,) = group["LifecycleHookSpecificationList"]
    assert f'group="{name}"' in rendered_web_user_data
    assert f"hook={hook['LifecycleHookName']}" in rendered_web_user_data
    assert "--logical-resource-id WebAutoScalingGroup" in rendered_web_user_data
    assert '"$prefix/token"' in rendered_web_user_data
    assert "runserver" not in rendered_web_user_data
