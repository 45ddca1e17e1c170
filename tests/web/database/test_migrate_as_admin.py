"""The release's migrate step as the instances run it, end to end, against a real server.

`manage.py migrate_locked` and the web tier's own commands run as separate processes with the
production settings (cblog.settings.base) and the environment the instances give them:
DB_HOST/DB_PORT/DB_NAME, credentials from SSM SecureStrings (a moto server on a loopback port
stands in for SSM), TLS verified against the server's CA, DB_ROLE=admin for the migrate step
only. The app user provisioned there then serves, and a rotated password takes effect at the
next release.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pymysql
import pytest
from pymysql.constants import ER

from local.processes import moto_server

MANAGE = Path(__file__).resolve().parents[3] / "web" / "manage.py"

# Run by the app role: the ORM reads and writes; DDL is refused; the session is over TLS.
APP_CHECK = """
from django.db import connection
from cblog.posts.models import Category
Category.objects.create(name="Release check", slug="release-check")
Category.objects.filter(slug="release-check").update(description="seen")
print("read back:", Category.objects.get(slug="release-check").description)
Category.objects.filter(slug="release-check").delete()
with connection.cursor() as cursor:
    cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
    print("tls:", cursor.fetchone()[1])
    try:
        cursor.execute("CREATE TABLE intruder (id INT)")
    except Exception as exc:
        print("ddl refused:", exc.args[0])
print("as:", connection.settings_dict["USER"])
"""


@pytest.fixture(scope="module")
def ssm_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


class Release:
    """One environment: its database, its SSM parameters, and `manage.py` as each role."""

    def __init__(self, server, endpoint: str, name: str) -> None:
        self.server, self.database, self.app_user = server, name, f"app_{name[-8:]}"
        self.prefix = f"/cblog/test-{name}"
        self.ssm = boto3.client(
            "ssm",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        base = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN)}
        self.env = base | {
            "DJANGO_SETTINGS_MODULE": "cblog.settings.base",
            "DB_HOST": server.host,
            "DB_PORT": str(server.port),
            "DB_NAME": name,
            "DB_TLS_CA": str(server.ca),
            "SSM_PARAMETER_PREFIX": self.prefix,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def put(self, name: str, value: str) -> None:
        self.ssm.put_parameter(
            Name=f"{self.prefix}/{name}", Value=value, Type="SecureString", Overwrite=True
        )

    def manage(self, role: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(MANAGE), *args],
            env=self.env | {"DB_ROLE": role},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def grants(self) -> list[str]:
        with self.server.admin_connect() as conn, conn.cursor() as cursor:
            cursor.execute("SHOW GRANTS FOR %s@'%%'", [self.app_user])
            return sorted(row[0] for row in cursor.fetchall())


_FOREIGN = ("DJANGO_", "DB_", "DATABASE_URL", "SSM_", "MEDIA_", "AWS_", "CACHE_URL")


@pytest.fixture
def release(tls_server, ssm_endpoint, unique_name) -> Iterator[Release]:
    env = Release(tls_server, ssm_endpoint, unique_name)
    with tls_server.admin_connect() as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{unique_name}` CHARACTER SET utf8mb4")
    env.put("username", tls_server.admin)
    env.put("password", tls_server.admin_password)
    env.put("app-username", env.app_user)
    env.put("app-password", "first app password")
    env.put("secret-key", uuid.uuid4().hex * 2)
    yield env
    with tls_server.admin_connect() as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{unique_name}`")
        cursor.execute("DROP USER IF EXISTS %s@'%%'", [env.app_user])


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_each_release_provisions_the_app_user_and_the_web_tier_serves_as_it(release):
    first = _ok(release.manage("admin", "migrate_locked"))
    assert f"Created the app database user '{release.app_user}'" in first
    assert "Applying posts.0001_initial... OK" in first
    served = _ok(release.manage("app", "shell", "-c", APP_CHECK))
    assert "read back: seen" in served
    assert "tls: TLSv1." in served
    assert f"ddl refused: {ER.TABLEACCESS_DENIED_ERROR}" in served
    assert f"as: {release.app_user}" in served
    grants = release.grants()

    second = _ok(release.manage("admin", "migrate_locked"))
    assert f"Updated the password of the app database user '{release.app_user}'" in second
    assert "No migrations to apply." in second
    assert release.grants() == grants  # a no-op apart from the password

    release.put("app-password", "rotated app password")
    _ok(release.manage("admin", "migrate_locked"))
    assert "read back: seen" in _ok(release.manage("app", "shell", "-c", APP_CHECK))
    with pytest.raises(pymysql.OperationalError) as refused:
        release.server.connect(release.app_user, "first app password")
    assert refused.value.args[0] == ER.ACCESS_DENIED_ERROR


def test_the_app_user_may_not_be_the_administrator(release):
    release.put("app-username", release.server.admin)
    result = release.manage("admin", "migrate_locked")
    assert result.returncode == 1
    assert "is the administrator itself" in result.stderr
    with release.server.admin_connect(database=release.database) as conn, conn.cursor() as cursor:
        assert cursor.execute("SHOW TABLES") == 0  # nothing was migrated
