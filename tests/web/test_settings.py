"""Settings load from the environment and, for secrets, from SSM SecureString parameters.

SSM is moto's in-process mock (no AWS here); the settings module itself runs for real.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from moto import mock_aws

from cblog.ssm import read_secure_parameters

BASE = Path(__file__).resolve().parents[2] / "web" / "cblog" / "settings" / "base.py"
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
    for name in ("DATABASE_URL", "DJANGO_SECRET_KEY", "MEDIA_BUCKET", "DJANGO_DEBUG"):
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


def test_database_credentials_and_secret_key_come_from_ssm(aws, production_env, monkeypatch):
    _put(aws, "username", "blog_user")
    _put(aws, "password", "p@ss word")
    _put(aws, "secret-key", "k" * 60)
    monkeypatch.setenv("DB_HOST", "db.internal")
    monkeypatch.setenv("DB_NAME", "blog")
    settings = runpy.run_path(str(BASE))
    db = settings["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.mysql"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("db.internal", 3306, "blog")
    assert (db["USER"], db["PASSWORD"]) == ("blog_user", "p@ss word")
    assert db["OPTIONS"]["charset"] == "utf8mb4"
    assert settings["SECRET_KEY"] == "k" * 60
    assert settings["DEBUG"] is False


def test_a_missing_password_parameter_stops_the_start(aws, production_env, monkeypatch):
    _put(aws, "username", "blog_user")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DB_HOST", "db.internal")
    with pytest.raises(ImproperlyConfigured, match=f"{PREFIX}/password"):
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
