"""Instance user data: the launch template embeds infra/web-user-data.sh verbatim, and what
CloudFormation's Fn::Sub renders from it (and from the NAT instance's script) passes shellcheck.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "infra" / "web-user-data.sh"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_:.]+)\}")

WEB_VALUES = {
    "AWS::Region": "eu-west-1",
    "AWS::StackName": "cblog-WebStack-ABC123",
    "WebImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/cblog-web:1.4.0",
    "SsmParameterPrefix": "/jane/capstone",
    "WebLogGroup": "/cblog/web",
    "DomainName": "blog.example.com",
    "DbHost": "cblog-db.abcdefgh.eu-west-1.rds.amazonaws.com",
    "DbPort": "3306",
    "DbName": "cblog",
    "MediaBucketName": "cblog-prod-media-123456789012-eu-west-1",
    "MediaIndexTableName": "cblog-MediaIndexTable-XYZ",
}
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
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
}


def render_sub(text: str, values: dict[str, str]) -> str:
    """Render Fn::Sub's string form: every placeholder must have a value, as CloudFormation
    requires (an unknown name fails the stack, so it fails here too)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"Fn::Sub placeholder ${{{name}}} has no value"
        return values[name]

    return PLACEHOLDER.sub(replace, text)


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


def web_user_data(templates: dict[str, Any]) -> str:
    lt = templates["web"]["Resources"]["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    return lt["UserData"]["Fn::Base64"]["Fn::Sub"]


def test_launch_template_embeds_the_script_verbatim(templates: dict[str, Any]) -> None:
    assert web_user_data(templates) == SCRIPT.read_text(), (
        "infra/web.yaml is out of date: run `uv run python infra/embed_user_data.py`"
    )


def test_every_placeholder_is_a_parameter_resource_or_pseudo_parameter(
    templates: dict[str, Any],
) -> None:
    web = templates["web"]
    known = set(web["Parameters"]) | set(web["Resources"]) | {"AWS::Region", "AWS::StackName"}
    used = set(PLACEHOLDER.findall(web_user_data(templates)))
    assert used <= known
    assert used == set(WEB_VALUES)


@needs_shellcheck
def test_rendered_web_user_data_passes_shellcheck(
    templates: dict[str, Any], tmp_path: Path
) -> None:
    result = shellcheck(render_sub(web_user_data(templates), WEB_VALUES), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_shellcheck
def test_rendered_nat_user_data_passes_shellcheck(
    templates: dict[str, Any], tmp_path: Path
) -> None:
    nat = templates["network"]["Resources"]["NatInstance"]["Properties"]
    script = render_sub(nat["UserData"]["Fn::Base64"]["Fn::Sub"], {"VpcCidr": "10.20.0.0/16"})
    result = shellcheck(script, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "net.ipv4.ip_forward = 1" in script
    assert "-s 10.20.0.0/16 -j MASQUERADE" in script


def test_container_gets_exactly_the_environment_contract(templates: dict[str, Any]) -> None:
    script = render_sub(web_user_data(templates), WEB_VALUES)
    env_file = script.split("<<ENV\n", 1)[1].split("\nENV\n", 1)[0]
    env = dict(line.split("=", 1) for line in env_file.splitlines())
    assert set(env) == CONTRACT
    assert env["DJANGO_ALLOWED_HOSTS"] == "blog.example.com"
    assert env["DJANGO_CSRF_TRUSTED_ORIGINS"] == "https://blog.example.com"
    assert env["MEDIA_URL"] == "https://blog.example.com/media/"
    assert env["SSM_PARAMETER_PREFIX"] == "$prefix"
    assert not any("PASSWORD" in key or "SECRET" in key for key in env)


def test_boot_sequence_migrates_then_serves_then_signals(templates: dict[str, Any]) -> None:
    script = render_sub(web_user_data(templates), WEB_VALUES)
    migrate = script.index('"$image" migrate')
    serve = script.index("--restart unless-stopped -p 80:8000")
    health = script.index("http://127.0.0.1/healthz")
    success = script.index("signal SUCCESS")
    assert migrate < serve < health < success
    assert "--logical-resource-id WebAutoScalingGroup" in script
    assert "ecr-login" in script
    assert '"$prefix/token"' in script
    assert "runserver" not in script
