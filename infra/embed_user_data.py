"""Copy infra/web-user-data.sh into the launch template's UserData block of infra/web.yaml.

CloudFormation cannot read a local file into a property, so the script lives in two places: the
shell file (what humans edit and shellcheck reads) and the template (what CloudFormation sees).
Run ``python infra/embed_user_data.py`` after editing the script; ``--check`` exits 1 when the
two differ (tests/infra/test_user_data.py asserts the same).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

INFRA = Path(__file__).resolve().parent
SCRIPT = INFRA / "web-user-data.sh"
TEMPLATE = INFRA / "web.yaml"
INDENT = " " * 12
# The literal block under `Fn::Base64: !Sub |`, up to the next line indented less than it.
BLOCK = re.compile(r"(          Fn::Base64: !Sub \|\n)((?:(?: {12}.*)?\n)+?)(?=\S| {0,11}\S)")


def render_block(script: str) -> str:
    """Indent the script as the template's literal block holds it."""
    return "".join(f"{INDENT}{line}\n" if line else "\n" for line in script.splitlines())


def embedded(template: str) -> str:
    """Return the script text currently embedded in the template."""
    match = BLOCK.search(template)
    if match is None:
        raise SystemExit("UserData block not found in infra/web.yaml")
    lines = match.group(2).splitlines()
    return "".join(line.removeprefix(INDENT) + "\n" for line in lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    script = SCRIPT.read_text()
    template = TEMPLATE.read_text()
    if "--check" in argv:
        return 0 if embedded(template) == script else 1
    match = BLOCK.search(template)
    if match is None:
        raise SystemExit("UserData block not found in infra/web.yaml")
    new = template[: match.start(2)] + render_block(script) + "\n" + template[match.end(2) :]
    TEMPLATE.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
