"""The RDS certificate authorities shipped in the image (web/cblog/certs/) are current and whole.

The web tier verifies the database server against this file only (DB_TLS=verify), so a region
without its roots, or an expired root, is a database that cannot be reached.
"""

from __future__ import annotations

import re
import ssl
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509

BUNDLE = Path(__file__).resolve().parents[2] / "web" / "cblog" / "certs" / "rds-global-bundle.pem"
ROOT_KINDS = {
    "RSA2048",
    "RSA4096",
    "ECC384",
}  # rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1
# The regions the stack's failover map (infra/edge.yaml) accepts today.
STACK_REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1",
    "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
}  # fmt: skip
# "Amazon RDS eu-west-1 Root CA RSA2048 G1"; AWS's test endpoints say "Beta us-east-1".
_ROOT = re.compile(r"^Amazon RDS ((?:Beta |Preview )?\S+) Root CA (\w+) G1$")


@pytest.fixture(scope="module")
def certificates() -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(BUNDLE.read_bytes())


def _name(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)


def test_every_certificate_is_a_current_self_signed_ca(certificates):
    now = datetime.now(UTC)
    assert certificates
    for cert in certificates:
        assert cert.not_valid_before_utc < now < cert.not_valid_after_utc, _name(cert)
        assert cert.subject == cert.issuer, _name(cert)
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_every_region_has_its_three_g1_roots(certificates):
    roots: dict[str, set[str]] = defaultdict(set)
    for cert in certificates:
        if match := _ROOT.match(_name(cert)):
            roots[match[1]].add(match[2])
    assert set(roots) >= STACK_REGIONS
    for region, kinds in roots.items():
        assert kinds == ROOT_KINDS, region
    assert len(certificates) == sum(len(kinds) for kinds in roots.values())  # nothing else


def test_the_tls_library_pymysql_uses_loads_every_certificate(certificates):
    context = ssl.create_default_context(cafile=BUNDLE)
    assert context.cert_store_stats()["x509_ca"] == len(certificates)
