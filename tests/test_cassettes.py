"""Cassettes never hold a credential: record through the real scrubber, then grep everything."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import vcr

from runner.cli import main
from runner.config import Secret, Site
from runner.sandbox import Sandbox
from runner.site.client import SiteClient

CASSETTES = Path(__file__).parent / "cassettes"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LEAKS = [
    re.compile(r"session=(?!REDACTED|\*\*\*)[^;\s'\"]+"),
    re.compile(r"Bearer (?!REDACTED|\*\*\*)\S+"),
    re.compile(r"password=(?!REDACTED|\*\*\*)[^&\s'\"]+"),
    re.compile(r'"(?:token|password)"\s*:\s*"(?!REDACTED|\*\*\*)[^"]+'),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\."),  # any JWT
    re.compile(r"CANARY|s3cret|ghs_|bob-pw"),
]


def leaks_in(text: str) -> list[str]:
    return [m.group(0) for pattern in LEAKS for m in pattern.finditer(text)]


def test_the_scrubber_removes_every_credential_it_sees(tmp_path: Path, vcr_config: dict[str, Any]) -> None:
    cassette = tmp_path / "scrub.yaml"
    with Sandbox() as sb, vcr.VCR(**vcr_config).use_cassette(str(cassette), record_mode="all"):
        sb.add_account("alice", "s3cret-CANARY-pw")
        for auth in ("cookie", "bearer"):
            c = SiteClient(Site(base_url=sb.url, auth=auth), "alice",
                           Secret("password", "s3cret-CANARY-pw", "DAILYPLAN_PASSWORD_ALICE"))
            c.login()
            c.history(date(2026, 11, 20), date(2026, 11, 20))
    text = cassette.read_text()
    assert "REDACTED" in text and "/api/login" in text and "session=REDACTED" in text
    assert leaks_in(text) == []


def test_the_grep_finds_a_planted_leak() -> None:
    assert leaks_in("Cookie: session=0123abcd\n") == ["session=0123abcd"]
    assert leaks_in('{"token": "eyJhbGciOiJIUzI1NiJ9.x.y"}')


@pytest.mark.catalogue("security", "recorded HTTP cassettes", "no password, cookie or token in any cassette")
def test_no_cassette_holds_a_credential(tmp_path: Path) -> None:
    """Every cassette in the repository (a fork's own, from `dailyplan record`), and one recorded now."""
    with Sandbox() as sb:
        sb.add_account("demo", "pw-demo-CANARY", plans={"2026-11-19": "2026.11.19\n旧计划"})
        code = main(["record", "--config", str(EXAMPLES / "reference.toml"), "--date", "2026-11-20",
                     "--out", str(tmp_path)],
                    {"DAILYPLAN_BASE_URL": sb.url, "DAILYPLAN_PASSWORD_DEMO": "pw-demo-CANARY"})
    assert code == 0
    files = [tmp_path / "demo.yaml", *sorted(CASSETTES.rglob("*.yaml"))]
    found = {str(f): leaks_in(f.read_text(encoding="utf-8")) for f in files}
    assert {name: hits for name, hits in found.items() if hits} == {}
