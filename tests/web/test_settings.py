"""Settings load from the environment and, for secrets, from SSM SecureString parameters.

SSM is moto's in-process mock (no AWS here); the settings module itself runs for real.
"""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from moto import mock_aws

from cblog.ssm import read_secure_parameters

WEB = Path(__file__).resolve().parents[2] / "web"
BASE = WEB / "cblog" / "settings" / "base.py"
MANAGE = WEB / "manage.py"
PREFIX = "/cblog/capstone"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")


@pytest.fixture
def production_env(monkeypatch):
    """A production-like environment with nothing set that SSM should provide."""
    for name in ("DATABASE_URL", "DJANGO_SECRET_KEY", "MEDIA_BUCKET", "DJANGO_DEBUG", "DB_ROLE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("DB_TLS", "DB_TLS_CA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "blog.example.com")
    monkeypatch.setenv("SSM_PARAMETER_PREFIX", PREFIX)


def _put(ssm, name: str, value: str) -> None:
    ssm.put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="SecureString")


def test_secure_parameters_are_read_decrypted(aws):
    _put(aws, "username", "admin")
    _put(aws, "password", "s3cr3t")
    values = read_secure_parameters(
        PREFIX + "/", ["username", "password", "missing"], region="us-east-1"
    )
    assert values == {"username": "admin", "password": "s3cr3t"}


@pytest.fixture
def ssm_reads(monkeypatch) -> list[str]:
    """The names each settings load asks SSM for (the real reader still answers)."""
    asked: list[str] = []

    def spy(prefix: str, names: list[str], **kwargs: object) -> dict[str, str]:
        asked.extend(names)
        return read_secure_parameters(prefix, names, **kwargs)

    monkeypatch.setattr("cblog.ssm.read_secure_parameters", spy)
    return asked


@pytest.fixture
def rds(aws, production_env, monkeypatch):
    """The AWS path: DB_HOST, and every SecureString the deploy helper creates."""
    for name, value in {
        "username": "blogadmin",
        "password": "master p@ss",
        "app-username": "cblog_app",
        "app-password": "app p@ss",
        "secret-key": "k" * 60,
    }.items():
        _put(aws, name, value)
    monkeypatch.setenv("DB_HOST", "db.internal")
    monkeypatch.setenv("DB_NAME", "blog")
    return aws


def test_the_web_tier_connects_as_its_own_user_and_never_reads_the_master_password(rds, ssm_reads):
    settings = runpy.run_path(str(BASE))
    db = settings["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.mysql"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.internal", 3306, "blog")
    assert (db["USER"], db["PASSWORD"]) == ("cblog_app", "app p@ss")
    assert db["OPTIONS"]["charset"] == "utf8mb4"
    assert settings["SECRET_KEY"] == "k" * 60
    assert settings["DEBUG"] is False
    assert settings["DB_ROLE"] == "app"
    assert sorted(ssm_reads) == ["app-password", "app-username", "secret-key"]
    assert (settings["DB_APP_USER"], settings["DB_APP_PASSWORD"]) == ("", "")


def test_the_admin_role_connects_as_the_master_user_and_knows_the_app_user(
    rds, ssm_reads, monkeypatch
):
    monkeypatch.setenv("DB_ROLE", "admin")
    settings = runpy.run_path(str(BASE))
    db = settings["DATABASES"]["default"]
    assert (db["USER"], db["PASSWORD"]) == ("blogadmin", "master p@ss")
    assert (settings["DB_APP_USER"], settings["DB_APP_PASSWORD"]) == ("cblog_app", "app p@ss")
    assert "password" in ssm_reads


def test_the_admin_role_without_app_credentials_provisions_nothing(rds, monkeypatch):
    rds.delete_parameters(Names=[f"{PREFIX}/app-username", f"{PREFIX}/app-password"])
    monkeypatch.setenv("DB_ROLE", "admin")
    settings = runpy.run_path(str(BASE))
    assert settings["DATABASES"]["default"]["USER"] == "blogadmin"
    assert (settings["DB_APP_USER"], settings["DB_APP_PASSWORD"]) == ("", "")


def test_half_of_the_app_credentials_is_an_error(rds, monkeypatch):
    rds.delete_parameter(Name=f"{PREFIX}/app-password")
    monkeypatch.setenv("DB_ROLE", "admin")
    with pytest.raises(ImproperlyConfigured, match=f"{PREFIX}/app-password"):
        runpy.run_path(str(BASE))


def test_a_missing_app_password_parameter_stops_the_start(rds):
    rds.delete_parameter(Name=f"{PREFIX}/app-password")
    with pytest.raises(ImproperlyConfigured, match=f"{PREFIX}/app-password"):
        runpy.run_path(str(BASE))


def test_an_unknown_role_is_an_error(rds, monkeypatch):
    monkeypatch.setenv("DB_ROLE", "root")
    with pytest.raises(ImproperlyConfigured, match="DB_ROLE"):
        runpy.run_path(str(BASE))


def test_on_aws_the_database_certificate_and_host_name_are_verified_against_the_rds_cas(rds):
    db = runpy.run_path(str(BASE))["DATABASES"]["default"]
    bundle = WEB / "cblog" / "certs" / "rds-global-bundle.pem"
    assert db["OPTIONS"]["ssl"] == {"ca": str(bundle), "verify_mode": True, "check_hostname": True}
    assert bundle.is_file()


def test_db_tls_ca_points_at_another_bundle(rds, monkeypatch, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("DB_TLS_CA", str(ca))
    assert runpy.run_path(str(BASE))["DATABASES"]["default"]["OPTIONS"]["ssl"]["ca"] == str(ca)
    monkeypatch.setenv("DB_TLS_CA", str(tmp_path / "missing.pem"))
    with pytest.raises(ImproperlyConfigured, match=r"missing\.pem"):
        runpy.run_path(str(BASE))


def test_empty_values_mean_the_defaults(rds, monkeypatch):
    # An env file's `DB_TLS_CA=` line sets the variable to "", which must not mean "no file".
    for name in ("DB_ROLE", "DB_TLS", "DB_TLS_CA"):
        monkeypatch.setenv(name, "")
    s = runpy.run_path(str(BASE))
    assert s["DB_ROLE"] == "app"
    assert s["DB_TLS"] == "verify"
    assert s["DATABASES"]["default"]["OPTIONS"]["ssl"]["ca"].endswith("rds-global-bundle.pem")


def test_db_tls_off_connects_without_tls(rds, monkeypatch):
    monkeypatch.setenv("DB_TLS", "off")
    assert "ssl" not in runpy.run_path(str(BASE))["DATABASES"]["default"]["OPTIONS"]


@pytest.mark.parametrize(
    ("url", "tls", "outcome"),
    [
        ("mysql://u:p@127.0.0.1:3306/cblog", None, "plain"),  # local: nothing changes
        ("mysql://u:p@127.0.0.1:3306/cblog", "verify", "verified"),
        ("sqlite:///:memory:", "verify", "DB_TLS=verify needs a MySQL database"),
        ("mysql://u:p@127.0.0.1:3306/cblog", "maybe", "DB_TLS must be"),
    ],
)
def test_db_tls_with_a_database_url(monkeypatch, url, tls, outcome):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("DB_TLS_CA", raising=False)
    if tls is None:
        monkeypatch.delenv("DB_TLS", raising=False)
    else:
        monkeypatch.setenv("DB_TLS", tls)
    if outcome in ("plain", "verified"):
        options = runpy.run_path(str(BASE))["DATABASES"]["default"]["OPTIONS"]
        assert ("ssl" in options) is (outcome == "verified")
    else:
        with pytest.raises(ImproperlyConfigured, match=outcome):
            runpy.run_path(str(BASE))


def test_no_secret_key_anywhere_is_a_configuration_error(aws, production_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        runpy.run_path(str(BASE))


def test_no_database_configuration_is_an_error(monkeypatch):
    for name in ("DATABASE_URL", "DB_HOST", "SSM_PARAMETER_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        runpy.run_path(str(BASE))


def test_media_bucket_switches_the_default_storage_to_private_s3(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    monkeypatch.setenv("MEDIA_BUCKET", "cblog-media")
    storage = runpy.run_path(str(BASE))["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "cblog-media"
    assert storage["OPTIONS"]["default_acl"] is None
    assert storage["OPTIONS"]["file_overwrite"] is False


def test_production_defaults_are_secure(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    for name in ("DJANGO_DEBUG", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    s = runpy.run_path(str(BASE))
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["MIDDLEWARE"][0] == "cblog.core.middleware.HealthCheckMiddleware"


HSTS_ENV = (
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "DJANGO_SECURE_HSTS_PRELOAD",
)


@pytest.fixture
def hsts_settings(monkeypatch):
    """Run base.py with only the given HSTS variables set; return its HSTS settings."""

    def load(**env: str) -> dict[str, object]:
        monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
        monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
        for name in HSTS_ENV:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        s = runpy.run_path(str(BASE))
        return {name: s[name] for name in s if name.startswith("SECURE_HSTS_")}

    return load


@pytest.mark.parametrize(
    ("env", "header"),
    [
        ({}, "max-age=31536000"),
        ({"DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true"}, "max-age=31536000; includeSubDomains"),
        ({"DJANGO_SECURE_HSTS_PRELOAD": "true"}, "max-age=31536000; preload"),
        (
            {
                "DJANGO_SECURE_HSTS_SECONDS": "600",
                "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
                "DJANGO_SECURE_HSTS_PRELOAD": "true",
            },
            "max-age=600; includeSubDomains; preload",
        ),
    ],
    ids=["default", "subdomains", "preload", "all"],
)
@pytest.mark.django_db
def test_hsts_covers_this_host_only_unless_subdomains_or_preload_are_asked_for(
    hsts_settings, settings, client, env, header
):
    for name, value in hsts_settings(**env).items():
        setattr(settings, name, value)
    response = client.get("/robots.txt", secure=True)
    assert response["Strict-Transport-Security"] == header


def test_the_deploy_checks_pass_with_the_default_hsts(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DB_", "SSM_", "MEDIA_"))
    } | {
        "DJANGO_SETTINGS_MODULE": "cblog.settings.base",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "blog.example.com",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://blog.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
