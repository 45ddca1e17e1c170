"""The web tier's ACM certificate validates automatically: CloudFormation creates one DNS record
per DomainValidationOptions entry, and ACM uses the same record for a name and its wildcard."""

from __future__ import annotations

from typing import Any


def _text(value: Any) -> str:
    """A certificate name written as ``!Ref DomainName`` or ``!Sub "..."``, as Sub text."""
    if value == {"Ref": "DomainName"}:
        return "${DomainName}"
    return value["Fn::Sub"]


def _validation_record(name: str) -> str:
    """ACM validates ``*.example.com`` with the record of ``example.com``."""
    return name.removeprefix("*.")


def test_one_validation_entry_per_distinct_validation_record(templates: dict[str, Any]) -> None:
    certificate = templates["web"]["Resources"]["Certificate"]["Properties"]
    names = [_text(certificate["DomainName"])]
    names += [_text(name) for name in certificate["SubjectAlternativeNames"]]
    entries = [_text(option["DomainName"]) for option in certificate["DomainValidationOptions"]]
    records = [_validation_record(entry) for entry in entries]
    assert len(records) == len(set(records)), f"duplicate validation records: {entries}"
    assert {_validation_record(n) for n in names} <= set(records), "a name would stay unvalidated"
    for option in certificate["DomainValidationOptions"]:
        assert option["HostedZoneId"] == {"Ref": "HostedZoneId"}
