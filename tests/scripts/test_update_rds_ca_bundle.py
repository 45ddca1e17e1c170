"""scripts/update_rds_ca_bundle.py keeps what is valid, drops what expired, refuses a bad bundle.

The real source is on the internet; here it is a local file built from the shipped bundle plus
certificates made on the spot.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "web" / "cblog" / "certs" / "rds-global-bundle.pem"


@pytest.fixture(scope="module")
def script():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import update_rds_ca_bundle

        yield update_rds_ca_bundle
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def _ca(name: str, *, expired: bool = False) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    start = datetime.now(UTC) - timedelta(days=3000 if expired else 1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=10 if expired else 3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM)


def test_keeps_the_valid_certificates_and_drops_the_expired(script, tmp_path, capsys):
    source = tmp_path / "global-bundle.pem"
    source.write_bytes(SHIPPED.read_bytes() + _ca("Amazon RDS us-east-1 2019 CA", expired=True))
    output = tmp_path / "out.pem"
    assert script.main(["--source", str(source), "--output", str(output)]) == 0
    kept = x509.load_pem_x509_certificates(output.read_bytes())
    assert len(kept) == len(x509.load_pem_x509_certificates(SHIPPED.read_bytes()))
    assert "dropped (expired" in capsys.readouterr().out
    text = output.read_text()
    assert "2019 CA" not in text
    assert "# Amazon RDS us-east-1 Root CA RSA2048 G1 (valid until 2061-05-25)" in text


def test_the_shipped_bundle_is_what_the_script_writes(script, tmp_path):
    output = tmp_path / "out.pem"
    assert script.main(["--source", str(SHIPPED), "--output", str(output)]) == 0
    certificates = x509.load_pem_x509_certificates
    assert certificates(output.read_bytes()) == certificates(SHIPPED.read_bytes())


def test_refuses_a_bundle_that_lost_a_regions_root(script, tmp_path, capsys):
    # A new region with one root only: the bundle would break TLS there.
    source = tmp_path / "global-bundle.pem"
    source.write_bytes(SHIPPED.read_bytes() + _ca("Amazon RDS xx-test-1 Root CA RSA2048 G1"))
    output = tmp_path / "out.pem"
    assert script.main(["--source", str(source), "--output", str(output)]) == 1
    assert "xx-test-1: no current root CA RSA4096, ECC384" in capsys.readouterr().err
    assert not output.exists()


def test_refuses_something_that_is_no_certificate_bundle(script, tmp_path):
    source = tmp_path / "error.html"
    source.write_text("<html>Access denied</html>")
    with pytest.raises(SystemExit, match="not a PEM certificate bundle"):
        script.main(["--source", str(source), "--output", str(tmp_path / "out.pem")])
