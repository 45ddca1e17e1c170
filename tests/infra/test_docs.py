"""docs/infrastructure.md documents every stack's parameters and outputs, and the diagram is
an image a reader can open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def page() -> str:
    return (DOCS / "infrastructure.md").read_text()


@pytest.mark.parametrize(
    "stack", ["root", "network", "database", "cache", "web", "edge", "monitoring"]
)
def test_page_lists_every_parameter_and_output(
    page: str, templates: dict[str, Any], stack: str
) -> None:
    template = templates[stack]
    missing = [
        name
        for name in [*template["Parameters"], *template.get("Outputs", {})]
        if f"| `{name}` |" not in page
    ]
    assert not missing, f"{stack}: add {missing} to docs/infrastructure.md"


def test_page_covers_sns_confirmation_and_mysql_extended_support(page: str) -> None:
    assert "Subscription Confirmation" in page
    assert "Extended Support" in page
    assert "8.4" in page


def test_architecture_diagram_is_an_image_the_page_shows(page: str) -> None:
    assert "](architecture.png)" in page
    with Image.open(DOCS / "architecture.png") as diagram:
        assert diagram.format == "PNG"
        assert min(diagram.size) >= 600
