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
