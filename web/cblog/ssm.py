"""Read SecureString parameters from AWS Systems Manager Parameter Store."""

from __future__ import annotations

import boto3
from django.core.exceptions import ImproperlyConfigured


def read_secure_parameters(
    prefix: str, names: list[str], *, region: str | None = None, endpoint_url: str | None = None
) -> dict[str, str]:
    """Return ``{name: decrypted value}`` for each ``<prefix>/<name>`` that exists.

    Called once while settings load. A missing parameter is simply absent from the result;
    the caller decides whether it was required. AWS errors propagate: a web process that cannot
    read its credentials must not start.
    """
    prefix = prefix.rstrip("/")
    client = boto3.client("ssm", region_name=region, endpoint_url=endpoint_url)
    response = client.get_parameters(
        Names=[f"{prefix}/{name}" for name in names], WithDecryption=True
    )
    return {p["Name"].removeprefix(f"{prefix}/"): p["Value"] for p in response["Parameters"]}


def require(values: dict[str, str], name: str, prefix: str) -> str:
    """Return ``values[name]`` or fail with a message naming the missing parameter."""
    try:
        return values[name]
    except KeyError:
        raise ImproperlyConfigured(f"SSM parameter {prefix.rstrip('/')}/{name} not found") from None
