"""Where plans sit in a recorded answer: CSS selectors for an HTML list, dotted paths for JSON.

Found from the elements that hold a date and a text, then generalised to the smallest selector
that picks every such row and nothing a runner would trip over (a header row, a hidden draft).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from bs4 import BeautifulSoup, Tag

from runner.learn.values import parse_day
from runner.site.pages import element_text

_SKIP = {"script", "style", "head", "title", "option", "select", "noscript", "template"}
_MIN_TEXT = 4  # a plan row's text is at least this long; a date cell alone is not a plan
_DATE_NAMES = ("date", "day", "riqi")
_RECORD_TIME = re.compile(r"creat|updat|modif|insert|submit|time|ts$|_at$", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlRows:
    row_selector: str
    date_selector: str
    content_selector: str
    rows: tuple[tuple[date, str], ...]  # each row's date and raw text (still escaped, if it is)


@dataclass(frozen=True)
class JsonRows:
    items: str  # dotted path to the list; "" for a top-level list
    date_field: str
    content_field: str
    rows: tuple[tuple[date, str], ...]


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _text(el: Tag) -> str:
    return el.get_text().strip()


def _day_of(el: Tag) -> date | None:
    """A cell's date: its whole text, or a date at its start (``2026-11-18 星期三``)."""
    text = _text(el)
    head, _, rest = text.partition(" ")
    found = parse_day(text) or (parse_day(head) if "\n" not in text and len(rest) <= 12 else None)
    return found[0] if found else None


def _dated(doc: BeautifulSoup) -> list[Tag]:
    """The innermost short elements that hold one date (a time or a weekday after it allowed)."""
    found = [el for el in doc.find_all(True)
             if el.name not in _SKIP and el.name != "textarea" and len(_text(el)) <= 40
             and _day_of(el)]
    outer = {id(parent) for el in found for parent in el.parents}  # one walk up each: linear
    return [el for el in found if id(el) not in outer]


def _content_in(row: Tag, day_el: Tag) -> Tag | None:
    """The element holding the row's text: a textarea or pre if there is one, else the deepest
    element carrying the longest text that is not the date."""
    boxes = [el for el in row.find_all(("textarea", "pre")) if el is not day_el]
    if boxes:
        return boxes[0]
    best: tuple[int, int, Tag] | None = None
    for el in row.find_all(True):
        if el is day_el or day_el in el.descendants or el in day_el.descendants:
            continue
        size = len(_text(el))
        depth = len(list(el.parents))
        if size >= _MIN_TEXT and (best is None or (size, depth) > best[:2]):
            best = (size, depth, el)
    return best[2] if best else None


def html_rows(html: str) -> HtmlRows | None:
    """The history page's plan rows and selectors for them, or None when it holds none."""
    doc = soup(html)
    found: list[tuple[Tag, Tag, Tag]] = []
    dated = _dated(doc)
    holds = Counter(id(parent) for el in dated for parent in el.parents)  # dates under each element
    for day_el in dated:
        for row in day_el.parents:
            if not isinstance(row, Tag) or row.name in ("body", "html", "[document]"):
                break
            content = _content_in(row, day_el)
            if content is None:
                continue
            if holds[id(row)] == 1:  # a row holds one date; a list of rows holds many
                found.append((row, day_el, content))
            break
    if not found:
        return None
    rows = [r for r, _, _ in found]
    date_sel = _pick_within(found, 1)
    content_sel = _pick_within(found, 2)
    if date_sel is None or content_sel is None:
        return None
    row_sel = _pick(doc, _row_candidates(rows), lambda els: _rows_ok(els, found, date_sel, content_sel))
    if row_sel is None:
        return None
    texts = tuple((_day_of(d), element_text(c)) for _, d, c in found)  # type: ignore[misc]
    return HtmlRows(row_sel, date_sel, content_sel, texts)


def _simple(el: Tag) -> list[str]:
    """Selectors naming one element by itself: its classes, a name or id, its tag."""
    classes = el.get("class") or []
    out = [f"#{el['id']}"] if el.get("id") else []
    out += [f".{c}" for c in classes] + [el.name] + [f"{el.name}.{c}" for c in classes]
    if el.get("name"):
        out.append(f'{el.name}[name="{el["name"]}"]')
    return out


def _row_candidates(rows: list[Tag]) -> list[str]:
    """Rows under their list first (``#plans > tr`` also picks the header row, so the selector
    still matches a page whose range holds no plan), then the rows' own classes."""
    first = rows[0]
    out: list[str] = []
    parent = first.parent
    if isinstance(parent, Tag) and parent.name not in ("body", "[document]"):
        out += [f"{p} > {first.name}" for p in _simple(parent) if p != parent.name]
    out += [s for s in _simple(first) if s != first.name]
    out += [f"{first.name}:has(> td)", first.name]
    return list(dict.fromkeys(out))


def _rows_ok(selected: list[Tag], found: list[tuple[Tag, Tag, Tag]], date_sel: str,
             content_sel: str) -> bool:
    """Every row found is selected; anything else selected has neither a date nor a text where
    the row selectors look (a header row of ``th`` cells), so the runner passes over it."""
    rows = {id(r) for r, _, _ in found}
    if not rows <= {id(el) for el in selected}:
        return False
    for el in selected:
        if id(el) in rows:
            continue
        for sel in (date_sel, content_sel):
            hit = el.select_one(sel)
            if hit is not None and _text(hit):
                return False
    return True


def _pick(doc: BeautifulSoup, candidates: list[str], ok: Any) -> str | None:
    for sel in candidates:
        try:
            if ok(doc.select(sel)):
                return sel
        except Exception:  # an odd class name soupsieve cannot parse: try the next one
            continue
    return None


def _pick_within(found: list[tuple[Tag, Tag, Tag]], which: int) -> str | None:
    """The first simple selector that, inside every row, picks exactly the date (or text) element."""
    target = found[0][which]
    candidates = _simple(target)
    parent = target.parent
    if isinstance(parent, Tag):
        same = list(parent.find_all(target.name, recursive=False))
        if len(same) > 1:
            candidates.append(f"{target.name}:nth-of-type({same.index(target) + 1})")
    for sel in dict.fromkeys(candidates):
        try:
            if all(row.select_one(sel) is item[which] for item in found for row in item[:1]):
                return sel
        except Exception:
            continue
    return None


def json_rows(data: Any, typed: str = "") -> JsonRows | None:
    """The list of plans in a JSON answer: the list of objects that each carry a date and a text.

    The date is the field named for a day rather than a record's creation time; the text is the
    field holding a line of ``typed`` (the submitted plan) when one does, else the longest.
    """
    best: JsonRows | None = None
    mine = {line.strip() for line in typed.split("\n") if len(line.strip()) >= 4}
    for path, items in _lists(data, ""):
        rows = [i for i in items if isinstance(i, dict)]
        if not rows:
            continue
        date_keys = Counter(k for i in rows for k, v in _flat(i, "") if isinstance(v, str) and parse_day(v))
        if not date_keys:
            continue
        date_key = max(date_keys, key=lambda k: (date_keys[k], any(n in k.lower() for n in _DATE_NAMES),
                                                 not _RECORD_TIME.search(k)))
        lengths: Counter[str] = Counter()
        holds: Counter[str] = Counter()
        for i in rows:
            for k, v in _flat(i, ""):
                if isinstance(v, str) and k != date_key and not parse_day(v):
                    lengths[k] += len(v)
                    holds[k] += bool(mine & {line.strip() for line in v.split("\n")})
        if not lengths:
            continue
        content_key = max(lengths, key=lambda k: (holds[k], lengths[k]))
        found = tuple((parse_day(d)[0], str(c)) for i in rows  # type: ignore[index]
                      if isinstance(d := dict(_flat(i, "")).get(date_key), str) and parse_day(d)
                      and isinstance(c := dict(_flat(i, "")).get(content_key), str))
        if found and (best is None or len(found) > len(best.rows)):
            best = JsonRows(path, date_key, content_key, found)
    return best


def json_texts(data: Any) -> tuple[str, str] | None:
    """A list of objects with a text each (a team page): the list's path and the text's field."""
    for path, items in _lists(data, ""):
        rows = [i for i in items if isinstance(i, dict)]
        lengths: Counter[str] = Counter()
        for i in rows:
            for k, v in _flat(i, ""):
                if isinstance(v, str):
                    lengths[k] += len(v)
        if len(rows) >= 2 and lengths:
            return path, lengths.most_common(1)[0][0]
    return None


def _lists(data: Any, path: str) -> list[tuple[str, list[Any]]]:
    out: list[tuple[str, list[Any]]] = []
    if isinstance(data, list):
        out.append((path, data))
    elif isinstance(data, dict):
        for k, v in data.items():
            out += _lists(v, f"{path}.{k}" if path else str(k))
    return out


def _flat(item: dict[str, Any], path: str) -> list[tuple[str, Any]]:
    """An object's scalar fields with dotted names, one level of nesting deep."""
    out: list[tuple[str, Any]] = []
    for k, v in item.items():
        name = f"{path}.{k}" if path else str(k)
        if isinstance(v, dict) and not path:
            out += _flat(v, name)
        elif not isinstance(v, dict | list):
            out.append((name, v))
    return out


def team_selector(html: str) -> tuple[str, int] | None:
    """The selector of the elements holding teammates' texts (found from the longest one), and
    how many elements it picks; None when the page holds fewer than two text boxes."""
    doc = soup(html)
    leaves = [el for el in doc.find_all(True) if el.name not in _SKIP
              and (el.name in ("textarea", "pre") or not el.find(lambda t: t.name != "br"))]
    boxes = [el for el in leaves if el.name in ("textarea", "pre")]
    longest = max(boxes or leaves, key=lambda el: len(_text(el)), default=None)
    if longest is None:
        return None
    classes = longest.get("class") or []
    if classes:
        sel = f"{longest.name}.{classes[0]}"
    elif longest.name == "td" and isinstance(longest.parent, Tag):
        column = longest.parent.find_all("td", recursive=False).index(longest) + 1
        sel = f"td:nth-of-type({column})"
    else:
        sel = longest.name
    count = len(doc.select(sel))
    return (sel, count) if count >= 2 else None
