"""Read the team system's pages: pure parsing, no HTTP, so every layout quirk has a unit test.

The reference page stores each plan JSON-escaped inside HTML (``\\u4fee`` for 修, ``\\n`` for a
newline, surrogate pairs for emoji). JSON is the right decoder for that; the original script's
``unicode-escape`` turns real UTF-8 into mojibake and mangles backslashes. Other systems answer
with JSON (``history_format = "json"``), write dates as ``2026/11/20`` or ``20261120``, and serve
GBK; all of that is decided here from the ``[site]`` keys, never guessed from the page.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from runner.config import Site
from runner.errors import SiteChanged
from runner.site.dates import epoch_day, parse_day, year_less_day

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a valid pair is one code point after decoding
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class Row:
    day: date
    text: str


# ---------------------------------------------------------------------------- text and dates


def decode_page(body: bytes, content_type: str = "") -> str:
    """Bytes to text by the declared charset: the HTTP header, else ``<meta charset>``, else UTF-8.

    A BOM wins over both (it is what the bytes are) and is dropped; undecodable bytes become U+FFFD
    rather than failing an account, since a read-back compares text, not bytes.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace")
    declared = _HEADER_CHARSET.search(content_type or "")
    name = declared.group(1) if declared else None
    if name is None and (meta := _META_CHARSET.search(body[:4096])):
        name = meta.group(1).decode("ascii")
    try:
        codec = codecs.lookup(name or "utf-8").name
    except LookupError:
        codec = "utf-8"
    if codec in ("gb2312", "gbk"):  # pages declared gb2312 use GBK's characters in practice
        codec = "gb18030"
    return body.decode(codec, errors="replace")


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


# ---------------------------------------------------------------------------- HTML


def soup(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def element_text(element: Any) -> str:
    """A textarea's text as is; any other element's text with ``<br>`` as a line break."""
    if element.name not in ("textarea", "pre"):
        for br in element.find_all("br"):
            br.replace_with("\n")
    return element.get_text()


def is_login_page(html: str) -> bool:
    """A login form: many systems answer an ended session with the login page itself.

    That is a page with one password field. A change-password dialog that some systems put on
    every page has two or three (old, new, again), so such a system's plan pages are not taken for
    the login page.
    """
    if "password" not in html.lower():
        return False
    return len(soup(html).select('input[type="password" i]')) == 1


def hidden_value(html: str, name: str) -> str | None:
    """The value of a form input, or of a ``<meta name=...>``, called ``name`` (a CSRF token)."""
    if not name or name not in html:
        return None
    page = soup(html)
    found = page.find("input", attrs={"name": name}) or page.find("meta", attrs={"name": name})
    if found is None:
        return None
    value = found.get("value") if found.name == "input" else found.get("content")
    return value if isinstance(value, str) else None


_PLAIN_NAME = re.compile(r"^[A-Za-z_][\w-]*$")


def row_container(html: str, site: Site) -> str | None:
    """Where the history's rows sit on this page (``html > body > table#plans``), as a selector.

    Many systems show a day without a plan as an empty table, with no row at all. Zero rows is
    believed only on a page that still has the place where this run's earlier read found rows;
    a page without it (an error page, a redesign) stays ``SiteChanged``, never 'no plan yet'.
    """
    row = soup(html).select_one(site.row_selector)
    if row is None:
        return None
    steps = []
    for element in [row.parent, *row.parent.parents] if row.parent else []:
        if element.name in (None, "[document]"):
            break
        step = element.name
        ident = element.get("id")
        if isinstance(ident, str) and _PLAIN_NAME.match(ident):
            step += f"#{ident}"
        step += "".join(f".{c}" for c in element.get("class") or [] if _PLAIN_NAME.match(c))
        steps.append(step)
    return " > ".join(reversed(steps)) or None


def _html_history(html: str, site: Site, rows_in: str | None = None, last: date | None = None) -> list[Row]:
    page = soup(html)
    rows = page.select(site.row_selector)
    if not rows and rows_in and page.select_one(rows_in) is not None:
        return []  # the same table as before, empty: no plan in this range
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
        raw = element_text(text_el) if text_el else ""
        if not day_text and not raw.strip():
            continue  # the page's "no plans in this range" row
        day = parse_day(day_text) or (year_less_day(day_text, last) if last else None)
        if day is None:
            raise SiteChanged(
                f"a '{site.row_selector}' row has no readable date in "
                f"'{site.row_date_selector}' (found {day_text[:20]!r}); the site changed"
            )
        plans.append(Row(day, decode_text(raw, site.content_encoding)))
    return plans


# ---------------------------------------------------------------------------- JSON


def dig(value: Any, path: str) -> Any:
    """Follow a dotted path (``data.list``, ``data.0.token``) into parsed JSON; KeyError if absent."""
    for part in path.split(".") if path else ():
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(part)
    return value


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise SiteChanged(f"the {what} answer is not JSON; if your system serves an HTML page "
                          "there, set site.history_format = 'html'") from None


def json_items(text: str, path: str, key: str, what: str) -> list[Any]:
    """The list at ``path`` in a JSON answer, or SiteChanged naming the key to set."""
    data = load_json(text, what)
    try:
        items = dig(data, path)
    except KeyError:
        items = None
    if not isinstance(items, list):
        where = f"{path!r}" if path else "the top level"
        keys = ", ".join(map(str, data)) if isinstance(data, dict) else type(data).__name__
        raise SiteChanged(f"the {what} answer has no list at {where} (it holds: {keys[:120]}); "
                          f"set site.{key} to the dotted path of the list")
    return items


def field_text(item: Any, name: str) -> str:
    try:
        value = dig(item, name)
    except KeyError:
        return ""
    return "" if value is None else str(value)


def _json_history(text: str, site: Site, last: date | None = None) -> list[Row]:
    plans: list[Row] = []
    for item in json_items(text, site.history_items, "history_items", "history"):
        if not isinstance(item, dict):
            raise SiteChanged(f"the history list holds {type(item).__name__} values, not objects; "
                              "set site.history_items to the list of plans")
        day_text = field_text(item, site.history_date_field)
        content = field_text(item, site.history_content_field)
        if not day_text and not content.strip():
            continue
        day = epoch_day(day_text) or parse_day(day_text) or (year_less_day(day_text, last) if last else None)
        if day is None:
            fields_seen = ", ".join(map(str, item))[:120]
            raise SiteChanged(f"a history item has no readable date in {site.history_date_field!r} "
                              f"(found {day_text[:20]!r}; fields: {fields_seen}); "
                              "set site.history_date_field")
        plans.append(Row(day, content))
    return plans


# ---------------------------------------------------------------------------- the two pages


def parse_history(page: str, site: Site, rows_in: str | None = None,
                  last: date | None = None) -> list[Row]:
    """Plans on the history page, newest first; SiteChanged rather than a guess.

    Text from the site is data: a lone surrogate (``\\ud800`` in JSON escapes, from an old
    editor or a cut emoji) becomes U+FFFD here, so it can never fail an account when the previous
    plan is quoted and encoded for the submit.
    """
    plans = (_json_history(page, site, last) if site.history_format == "json"
             else _html_history(page, site, rows_in, last))
    plans = [Row(r.day, _LONE_SURROGATE.sub("\ufffd", r.text)) for r in plans]
    plans.sort(key=lambda r: r.day, reverse=True)
    return plans


def team_texts(page: str, site: Site) -> list[str]:
    """Every teammate's text on the team page, in the history's format."""
    if site.history_format == "json":
        return [field_text(item, site.team_content_field)
                for item in json_items(page, site.team_items, "team_items", "team page")]
    texts = []
    for box in soup(page).select(site.team_content_selector):
        raw = element_text(box)
        try:
            texts.append(decode_text(raw, site.content_encoding))
        except SiteChanged:
            texts.append(raw)
    return texts


def count_team_plans(page: str, site: Site) -> int:
    """How many teammates have a real plan: a placeholder such as 未填写 is short, plans are not.

    The page lists every member, the reader included, so a page with no entries at all is not the
    team page (a login or permission page, a redesign): SiteChanged, never a count of 0, which
    would skip the day for "quorum" every day without anyone hearing of it.
    """
    texts = team_texts(page, site)
    if not texts:
        from runner.site.quote import quote_answer  # it reads pages with this module's helpers

        where = (f"no list items at site.team_items {site.team_items!r}"
                 if site.history_format == "json" else f"no '{site.team_content_selector}' entries")
        raise SiteChanged(f"the team page ({quote_answer(page)}) has {where} (one per member "
                          "expected, you included); "
                          "the site changed, or the setting needs updating; the quorum could not "
                          "be counted, so nothing was submitted")
    return sum(len(text.strip()) > site.team_min_chars for text in texts)
