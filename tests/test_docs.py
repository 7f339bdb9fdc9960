"""The documents that quote the suite stay in step with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_reliability_doc_lists_every_catalogue_case(request: pytest.FixtureRequest) -> None:
    items = [i for i in request.session.items if i.get_closest_marker("catalogue")]
    if not any("test_reliability.py" in i.nodeid for i in items):
        pytest.skip("only meaningful when the catalogue tests are collected too")
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    totals = re.search(r"^\| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", doc, re.MULTILINE)
    assert totals, "docs/reliability.md has no totals row; run make reliability"
    assert [int(n) for n in totals.groups()] == [len(items), len(items), 0, 0, 0], \
        "docs/reliability.md is stale; run make reliability"
    for item in items:
        case = item.get_closest_marker("catalogue").args[1].replace("|", "\\|")
        assert f"| {case} |" in doc, f"{case!r} missing from docs/reliability.md; run make reliability"


def test_readme_names_the_commands_it_promises() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test", "record", "reliability", "bench"):
        assert f"make {target}" in readme, target
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target


def test_readme_lists_every_reason_and_every_environment_variable() -> None:
    from runner.inputs import VARIABLES
    from runner.status import Reason

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Statuses and the result file", 1)[1].split("```", 1)[0]
    for reason in Reason:
        assert f"`{reason}`" in table, reason
    for variable in VARIABLES:
        assert f"| `{variable.name}` |" in readme, variable.name


def test_the_layout_table_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1]
    for path in sorted((ROOT / "runner").rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        relative = path.relative_to(ROOT).as_posix()
        named = f"`{relative}`" in layout or (
            path.parent.name != "runner" and f"`runner/{path.parent.name}/`" in layout
            and f"`{path.name}`" in layout.split(f"`runner/{path.parent.name}/`", 1)[1].split("\n", 1)[0])
        assert named, f"{relative} is not in README → Layout"
