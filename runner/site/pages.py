"""Read the team system's pages: pure parsing, no HTTP, so every layout quirk has a unit test.

The page stores each plan JSON-escaped inside HTML (``\\u4fee`` for 修, ``\\n`` for a newline,
surrogate pairs for emoji). JSON is the right decoder for that; the original script's
``unicode-escape`` turns real UTF-8 into mojibake and mangles backslashes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from runner.config import Site
from runner.errors import SiteChanged


@dataclass(frozen=True)
class Row:
    day: date
    text: str


def decode_text(raw: str, encoding: str = "json") -> str:
    if encoding == "plain":
        return raw
    try:
        return json.loads(f'"{raw}"', strict=False)
    except json.JSONDecodeError:
        raise SiteChanged(
            "a plan on the history page is not JSON-escaped text as expected; "
            "if your system shows plans as plain text, set site.content_encoding = 'plain'"
        ) from None


def _soup(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def parse_history(html: str, site: Site) -> list[Row]:
    """Plans on the history page, newest first; SiteChanged rather than a guess."""
    rows = _soup(html).select(site.row_selector)
    if not rows:
        raise SiteChanged(
            f"the history page has no '{site.row_selector}' rows (expected one per plan, each "
            f"with '{site.row_date_selector}' and '{site.row_content_selector}'); the site "
            "changed, or the site.row_* selectors need updating"
        )
    plans: list[Row] = []
    for row in rows:
        date_el = row.select_one(site.row_date_selector)
        text_el = row.select_one(site.row_content_selector)
        day_text = date_el.get_text(strip=True) if date_el else ""
        raw = text_el.get_text() if text_el else ""
        if not day_text and not raw.strip():
            continue  # the page's "no plans in this range" row
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise SiteChanged(
                f"a '{site.row_selector}' row has no readable date in "
                f"'{site.row_date_selector}' (found {day_text[:20]!r}); the site changed"
            ) from None
        plans.append(Row(day, decode_text(raw, site.content_encoding)))
    plans.sort(key=lambda r: r.day, reverse=True)
    return plans


def count_team_plans(html: str, site: Site) -> int:
    """How many teammates have a real plan: a placeholder such as 未填写 is short, plans are not."""
    boxes = _soup(html).select(site.team_content_selector)
    count = 0
    for box in boxes:
        raw = box.get_text()
        try:
            text = decode_text(raw, site.content_encoding)
        except SiteChanged:
            text = raw
        count += len(text.strip()) > site.team_min_chars
    return count
