"""DB_TLS=verify against a real server: the right CA connects, anything else is refused.

The connection is made the way Django makes it, from the OPTIONS that settings/base.py builds
for the environment given (DB_TLS, DB_TLS_CA), through Django's MySQL backend and PyMySQL.
"""

from __future__ import annotations

import runpy
import ssl
from pathlib import Path

import pymysql
import pytest
from django.db.backends.mysql.base import DatabaseWrapper

BASE = Path(__file__).resolve().parents[3] / "web" / "cblog" / "settings" / "base.py"


@pytest.fixture
def connect_as_django(tls_server, monkeypatch):
    """Open a connection with the settings base.py derives from DB_TLS / DB_TLS_CA."""

    def connect(*, host: str = "localhost", **env: str) -> pymysql.Connection:
        monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
        monkeypatch.setenv(
            "DATABASE_URL",
            f"mysql://{tls_server.admin}:{tls_server.admin_password}@{host}:{tls_server.port}/mysql",
        )
        for name in ("DB_TLS", "DB_TLS_CA"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings_dict = runpy.run_path(str(BASE))["DATABASES"]["default"]
        backend = DatabaseWrapper(settings_dict, alias="tls-probe")
        return backend.get_new_connection(backend.get_connection_params())

    return connect


def _tls_version(conn: pymysql.Connection) -> str:
    with conn.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
        return cursor.fetchone()[1]


def test_verify_with_the_servers_ca_connects_over_tls(tls_server, connect_as_django):
    with connect_as_django(DB_TLS="verify", DB_TLS_CA=str(tls_server.ca)) as conn:
        assert _tls_version(conn).startswith("TLSv1.")


def test_a_server_certificate_from_another_ca_is_refused(tls_server, connect_as_django):
    with pytest.raises(pymysql.OperationalError, match="CERTIFICATE_VERIFY_FAILED"):
        connect_as_django(DB_TLS="verify", DB_TLS_CA=str(tls_server.wrong_ca))


def test_the_shipped_rds_cas_do_not_trust_any_other_server(tls_server, connect_as_django):
    # DB_TLS_CA unset: the RDS bundle in the image, which never signed this server.
    with pytest.raises(pymysql.OperationalError, match="CERTIFICATE_VERIFY_FAILED"):
        connect_as_django(DB_TLS="verify")


def test_a_certificate_for_another_host_name_is_refused(tls_server, connect_as_django):
    # The certificate names `localhost`; the same server reached as 127.0.0.1 is not it.
    with pytest.raises(pymysql.OperationalError, match="mismatch"):
        connect_as_django(host="127.0.0.1", DB_TLS="verify", DB_TLS_CA=str(tls_server.ca))


def test_db_tls_off_verifies_nothing(tls_server, connect_as_django):
    # The driver's own default: TLS when the server offers it, but any certificate will do.
    with connect_as_django(DB_TLS="off") as conn:
        assert conn.ctx.verify_mode == ssl.CERT_NONE
        assert _tls_version(conn).startswith("TLSv1.")
