"""Every sample event through Lambda's real Runtime Interface Emulator (local/invoke.py).

The twin of `sam local invoke` without Docker: the emulator from the pinned aws-sam-cli wheel
runs functions/media_indexer/app.handler (and functions/media_deriver/app.handler) through
awslambdaric, with the shared layer on PYTHONPATH, against the local moto server. Each event
meets an empty index (the table is emptied between events) and must return the counts the
in-process handler tests expect; replaying it changes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.bootstrap import Settings
from local.invoke import SAM_CLI, emulator, find_rie, invoke, put_created_objects
from local.processes import isolated_env
from local.relay import FUNCTIONS, function_env
from local.resources import ensure_bucket, ensure_table
from tests.functions.media_deriver import samples as deriver_samples
from tests.functions.media_indexer.samples import EVENTS_DIR, EXPECTED, ZERO

ROOT = Path(__file__).resolve().parents[2]
EVENT_BUCKET = "cblog-media-local"  # the bucket the sample events name


@pytest.fixture(scope="module")
def pipeline(moto_endpoint: str) -> Settings:
    env = {**isolated_env(moto_endpoint, "invoke"), "MEDIA_BUCKET": EVENT_BUCKET}
    settings = Settings.from_env(env)
    ensure_bucket(settings.client("s3"), settings.bucket, settings.region)
    ensure_table(settings.client("dynamodb"), settings.table)
    return settings


def _emulated(
    function: str, pipeline: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    function_dir, service = FUNCTIONS[function]
    env = {
        "PATH": "/usr/bin:/bin",
        **function_env(pipeline),
        "POWERTOOLS_SERVICE_NAME": service,
        "AWS_ENDPOINT_URL": pipeline.endpoint_url,
    }
    log = tmp_path_factory.mktemp("rie") / "emulator.log"
    with emulator(find_rie(), env, log, function_dir) as url:
        yield url, log


@pytest.fixture(scope="module")
def invoke_url(
    pipeline: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    yield from _emulated("MediaIndexerFunction", pipeline, tmp_path_factory)


@pytest.fixture(scope="module")
def deriver_url(
    pipeline: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    yield from _emulated("MediaDeriverFunction", pipeline, tmp_path_factory)


def _empty(settings: Settings) -> None:
    dynamodb = settings.client("dynamodb")
    for item in dynamodb.scan(TableName=settings.table, ConsistentRead=True)["Items"]:
        dynamodb.delete_item(TableName=settings.table, Key={"id": item["id"]})


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_event_through_the_runtime_interface_emulator(
    name: str, pipeline: Settings, invoke_url: tuple[str, Path]
) -> None:
    url, log = invoke_url
    _empty(pipeline)
    body = (EVENTS_DIR / name).read_bytes()
    put_created_objects(pipeline, json.loads(body))

    result: Any = invoke(url, body)
    assert result == EXPECTED[name], log.read_text(errors="replace")[-3000:]

    replay = invoke(url, body)  # at-least-once delivery: a duplicate changes nothing
    assert replay["created"] == replay["removed"] == 0
    assert set(replay) == set(ZERO)


@pytest.mark.parametrize("name", sorted(deriver_samples.EXPECTED))
def test_sample_event_through_the_deriver_behind_the_emulator(
    name: str, pipeline: Settings, deriver_url: tuple[str, Path]
) -> None:
    url, log = deriver_url
    _empty(pipeline)
    body = (EVENTS_DIR / name).read_bytes()
    put_created_objects(pipeline, json.loads(body))
    result: Any = invoke(url, body)
    assert result == deriver_samples.EXPECTED[name], log.read_text(errors="replace")[-3000:]
    replay = invoke(url, body)
    assert replay["derived"] == 0


def test_a_records_value_that_is_not_a_list_is_one_clear_skip(
    pipeline: Settings, invoke_url: tuple[str, Path]
) -> None:
    url, log = invoke_url
    result = invoke(url, json.dumps({"Records": "media/images/1/a.jpg"}).encode())
    assert result == {**ZERO, "skipped": 1}, log.read_text(errors="replace")[-3000:]


def test_the_makefile_and_the_docs_pin_the_same_sam_cli() -> None:
    for where in ("Makefile", "docs/infrastructure.md"):
        found = set(re.findall(r"aws-sam-cli==[\d.]+", (ROOT / where).read_text()))
        assert found == {SAM_CLI}, f"{where} pins {found}, local/invoke.py {SAM_CLI}"
