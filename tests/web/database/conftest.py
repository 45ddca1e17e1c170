"""A throw-away MariaDB server with TLS, for the tests of how the web tier connects.

Started once per session in a temporary folder (``mariadb-install-db`` + ``mariadbd``) on a
free loopback port, with a certificate authority and a server certificate for ``localhost``
made here with ``cryptography``, and an administrator shaped like RDS's master user; stopped by
its pid at the end. The shared server on :3306 is never touched, so these tests create users
freely. They need no particular DATABASE_URL, so they run once, in the SQLite run of
``make test`` (the MySQL run skips them). Without the MariaDB server binaries they are skipped,
except in CI, where that is an error.

Fixtures:
- ``tls_server``: the running ``Server`` (``host``, ``port``, ``ca``, ``wrong_ca``,
  ``admin``/``admin_password``, ``connect(...)``).
- ``unique_name``: a fresh lower-case name with an underscore, for databases and users.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymysql
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # `local` is a package at the repository root

from local.processes import free_port, stop, wait_for  # noqa: E402

_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
# Small InnoDB files and no performance schema: the server starts in about a second.
_LEAN = ["--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M"]


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    ca: Path
    wrong_ca: Path
    admin: str
    admin_password: str

    def connect(self, user: str, password: str, **options: Any) -> pymysql.Connection:
        """A PyMySQL connection over TLS, verified against this server's CA."""
        options.setdefault("ssl", {"ca": str(self.ca), "verify_mode": True, "check_hostname": True})
        return pymysql.connect(
            host=options.pop("host", self.host),
            port=self.port,
            user=user,
            password=password,
            autocommit=True,
            connect_timeout=5,
            **options,
        )

    def admin_connect(self, **options: Any) -> pymysql.Connection:
        return self.connect(self.admin, self.admin_password, **options)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name)])


def _write_pem(path: Path, *items: Any) -> Path:
    blobs = []
    for item in items:
        if isinstance(item, x509.Certificate):
            blobs.append(item.public_bytes(serialization.Encoding.PEM))
        else:
            blobs.append(
                item.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
    path.write_bytes(b"".join(blobs))
    return path


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
) -> x509.Certificate:
    """A CA certificate (``issuer`` None) or a server certificate for ``localhost`` only."""
    now = datetime.now(UTC)
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (_name(subject), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer is None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
            .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()), False
            )
        )
    return builder.sign(signing_key, hashes.SHA256())


def _binary(name: str) -> str | None:
    return shutil.which(name, path=_SEARCH_PATH)


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    install, mariadbd = _binary("mariadb-install-db"), _binary("mariadbd")
    if not (install and mariadbd):
        message = "needs the MariaDB server binaries (mariadb-install-db, mariadbd)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    folder = tmp_path_factory.mktemp("tls-mariadb")
    ca_key, other_key, server_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _certificate("cblog test CA", ca_key)
    ca_file = _write_pem(folder / "ca.pem", ca)
    wrong_ca = _write_pem(folder / "wrong-ca.pem", _certificate("someone else's CA", other_key))
    _write_pem(folder / "server.pem", _certificate("localhost", server_key, issuer=(ca, ca_key)))
    _write_pem(folder / "server-key.pem", server_key)

    as_root = ["--user=root"] if os.geteuid() == 0 else []  # mariadbd refuses root otherwise
    datadir = folder / "data"
    subprocess.run(  # noqa: S603 - the system's MariaDB tools, fixed arguments
        [install, "--no-defaults", f"--datadir={datadir}", *as_root, "--skip-test-db",
         "--auth-root-authentication-method=normal", *_LEAN],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    port = free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - the system's mariadbd, fixed arguments
        [mariadbd, "--no-defaults", f"--datadir={datadir}", *as_root, *_LEAN,
         "--bind-address=127.0.0.1", f"--port={port}", f"--socket={folder / 'mysqld.sock'}",
         f"--pid-file={folder / 'mysqld.pid'}", "--skip-log-bin", "--performance-schema=OFF",
         f"--ssl-ca={ca_file}", f"--ssl-cert={folder / 'server.pem'}",
         f"--ssl-key={folder / 'server-key.pem'}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = Server("localhost", port, ca_file, wrong_ca, "blogadmin", uuid.uuid4().hex)

    def root() -> pymysql.Connection | None:
        if process.poll() is not None:
            raise RuntimeError(f"mariadbd exited: {(folder / 'server.log').read_text()[-2000:]}")
        try:
            return pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
        # pymysql.OperationalError, not pymysql.err.OperationalError: Django's MySQL backend
        # imports PyMySQL's modules a second time under the MySQLdb name, and that rebinds
        # `pymysql.err` to the copy, whose classes PyMySQL itself never raises.
        except pymysql.OperationalError:
            return None

    try:
        wait_for(root, timeout=60, what="throw-away mariadbd")
        with root() as conn, conn.cursor() as cursor:  # type: ignore[union-attr]
            # Like RDS's master user: every privilege, with GRANT OPTION, from anywhere.
            cursor.execute(
                "CREATE USER %s@'%%' IDENTIFIED BY %s", [server.admin, server.admin_password]
            )
            cursor.execute(
                "GRANT ALL PRIVILEGES ON *.* TO %s@'%%' WITH GRANT OPTION", [server.admin]
            )
        yield server
    finally:
        stop(process, timeout=30)
        log.close()
        shutil.rmtree(datadir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _once_per_make_test() -> None:
    if os.environ.get("DATABASE_URL", "").startswith("mysql"):
        pytest.skip("runs its own MariaDB server: already covered by the SQLite run")


@pytest.fixture
def unique_name() -> str:
    return f"cblog_{uuid.uuid4().hex[:12]}"
