"""Find the moments of a recording: the login, the history read, the submit, a team page.

A recording is mostly noise (style sheets, scripts, icons, analytics, polling); each moment is
recognised by what it must carry, never by a path or a name the reference system happens to use:
the login sends a password, the submit sends a date and a text, the history answers with texts by
date, the team page with several texts for one date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from runner.learn.har import Entry
from runner.learn.page import HtmlRows, JsonRows, html_rows, json_rows, json_texts, soup, team_selector
from runner.learn.values import form_fields, is_timestamp, json_body, looks_secret, parse_day

_MIN_PLAN = 8  # a submitted text shorter than this is a label or a search box, not a plan,
_RANGE_START = re.compile(r"start|begin|from|since", re.IGNORECASE)
_RANGE_END = re.compile(r"end|to\b|until|till", re.IGNORECASE)
_STAMP = re.compile(r"creat|updat|modif|insert|time|_at$", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")  # unless it is Chinese: 开会 is a whole plan
_TRACKING = re.compile(r"/(collect|track|beacon|analytics|sentry|log(ging)?|stat(s)?|report|metrics|"
                       r"telemetry|rum|gtag|hm\.gif)(/|$|\?)|/api/\d+/(store|envelope)/", re.IGNORECASE)
_STATIC = re.compile(r"\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|woff2?|ttf|eot|webp)$", re.IGNORECASE)


@dataclass(frozen=True)
class Fields:
    """A request's named values: where they travel (query, form or json) and the form's charset."""

    kind: str
    items: tuple[tuple[str, Any], ...]
    charset: str = "utf-8"

    def get(self, name: str) -> Any:
        return next((v for k, v in self.items if k == name), None)


@dataclass(frozen=True)
class Submit:
    entry: Entry
    fields: Fields
    date_field: str
    content_field: str


@dataclass(frozen=True)
class History:
    entry: Entry
    rows: HtmlRows | JsonRows


@dataclass(frozen=True)
class Moments:
    origin: str
    login: Entry | None = None
    login_fields: Fields | None = None
    login_page: Entry | None = None
    history: History | None = None
    submit: Submit | None = None
    team: Entry | None = None
    notes: list[str] = field(default_factory=list)


def fields_of(entry: Entry) -> Fields:
    """The values a request sends: its JSON or form body, else its query."""
    body = entry.body or ""
    data = json_body(body) if "json" in entry.body_mime.lower() or body.lstrip()[:1] == "{" else None
    if isinstance(data, dict):
        return Fields("json", tuple(data.items()))
    if "multipart/form-data" in entry.body_mime.lower():
        return Fields("multipart", tuple(_multipart(body, entry.body_mime)))
    if body and "=" in body and entry.method != "GET":
        items, charset = form_fields(body)
        declared = re.search(r"charset=([A-Za-z0-9_-]+)", entry.body_mime or entry.header("content-type"))
        if declared and declared.group(1).lower() not in ("utf-8", "utf8"):
            charset = declared.group(1).lower()
        return Fields("form", tuple(items), charset)
    return Fields("query", tuple(entry.query))


def _multipart(body: str, mime: str) -> list[tuple[str, str]]:
    """The text fields of a ``multipart/form-data`` body (what a page's ``FormData`` sends)."""
    match = re.search(r'boundary="?([^";]+)', mime)
    if not match:
        return []
    items = []
    for part in body.split("--" + match.group(1)):
        head, sep, value = part.partition("\r\n\r\n")
        if not sep:
            head, sep, value = part.partition("\n\n")
        name = re.search(r'name="([^"]*)"', head)
        if sep and name and "filename=" not in head:
            items.append((name.group(1), value.removesuffix("\r\n").removesuffix("\n")))
    return items


def is_noise(entry: Entry) -> bool:
    return bool(_STATIC.search(entry.path) or _TRACKING.search(entry.path)) or entry.resource_type in (
        "stylesheet", "script", "image", "font", "media", "manifest", "ping", "websocket")


def find(entries: list[Entry]) -> Moments | None:
    """The moments found, or None when the recording holds none of them (another site)."""
    live = [e for e in entries if not is_noise(e)]
    histories = [h for e in live if (h := _history(e)) is not None]
    login, login_fields = _login(live, None)
    home = histories[-1].entry.origin if histories else login.origin if login else None
    submit = _submit(live, home)
    if submit is not None and login is not None and login.origin != submit.entry.origin:
        login, login_fields = _login(live, submit.entry.origin)
    anchor = submit.entry if submit else histories[-1].entry if histories else login
    if anchor is None:
        return None
    typed = str(submit.fields.get(submit.content_field)) if submit else ""
    own = [h for h in histories
           if h.entry.origin == anchor.origin and (submit is None or h.entry is not submit.entry)]
    ranged = [h for h in own if _range_params(h.entry) >= 2]
    own = ranged or own  # an answer asked for one date is a team page, when a ranged one exists
    history, notes = _pick_history(own, typed)
    taken = {h.entry.index for h in own} | ({submit.entry.index} if submit else set())
    return Moments(anchor.origin, login, login_fields, _login_page(live, login) if login else None,
                   history, submit, _team(live, anchor.origin, taken, typed), notes)


def _pick_history(own: list[History], typed: str) -> tuple[History | None, list[str]]:
    """The person's own list: read by GET, quoting the submitted plan, with a range, the fullest."""
    if not own:
        return None, []
    history = max(own, key=lambda h: (h.entry.method == "GET", _shares(h.rows, typed),
                                      _range_params(h.entry), len(h.rows.rows), h.entry.index))
    if typed and isinstance(history.rows, JsonRows):  # read it again, knowing the text typed
        again = json_rows(json_body(history.entry.text), typed)
        history = History(history.entry, again) if again else history
    notes = []
    def where(h: History) -> str:
        return fixed_path(h.entry, set(), params_of(h.entry))

    if len({where(h) for h in own}) > 1:
        others = ", ".join(f"entry {h.entry.index}: {where(h)}" for h in own if h.entry is not history.entry)
        notes.append(f"history: other answers also list texts by date ({others}); used entry "
                     f"{history.entry.index}: {where(history)}: if that is not the page of your own "
                     "plans, set site.history_path")
    return history, notes


def _submit(entries: list[Entry], home: str | None) -> Submit | None:
    """The last request that sends a date and a text: the plan the person filed by hand (on the
    host of the history or login, when there is one: an error reporter elsewhere sends both too)."""
    found: list[Submit] = []
    for entry in entries:
        if entry.method not in ("POST", "PUT", "PATCH") or not entry.body:
            continue
        fields = fields_of(entry)
        dates = [k for k, v in fields.items if isinstance(v, str) and parse_day(v)]
        texts = [(len(v), k) for k, v in fields.items
                 if isinstance(v, str) and k not in dates and not looks_secret(v)
                 and (len(v.strip()) >= _MIN_PLAN or "\n" in v.strip() or _CJK.search(v))]
        if _RANGE_START.search(" ".join(dates)) and _RANGE_END.search(" ".join(dates)):
            continue  # a search between two dates, not a plan for one
        if dates and texts:
            day = min(dates, key=lambda k: bool(_STAMP.search(k)))  # planDate before createTime
            found.append(Submit(entry, fields, day, max(texts)[1]))
    own = [s for s in found if s.entry.origin == home] or found
    # the plan for the latest day (today's, not one filled in for a past day), the last one sent
    return max(own, key=lambda s: (parse_day(str(s.fields.get(s.date_field)))[0],  # type: ignore[index]
                                   s.entry.index)) if own else None


def _password_inputs(entries: list[Entry]) -> set[str]:
    names: set[str] = set()
    for entry in entries:
        if "<input" in entry.text and "password" in entry.text.lower():
            for box in soup(entry.text).find_all("input", attrs={"type": "password"}):
                if box.get("name"):
                    names.add(str(box["name"]))
    return names


def is_password_name(name: str) -> bool:
    """``password``, ``j_password``, ``pwd``, ``userPass``, ``密码``; not ``passage`` or ``compass``."""
    low = name.lower()
    if any(word in low for word in ("password", "passwd", "pwd", "mima", "密码")):
        return True
    return bool(re.search(r"(^|[^a-z])pass($|[^a-z])", low) or re.search(r"[a-z]Pass($|[^a-z])", name)
                or low == "pw")


def password_field(fields: Fields, known: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    for name, value in fields.items:
        if isinstance(value, str) and value and (name in known or is_password_name(name)):
            return name
    return None


def _login(entries: list[Entry], origin: str | None) -> tuple[Entry | None, Fields | None]:
    """The last request carrying a password, on the site's own host when there is one."""
    known = _password_inputs(entries)
    found = [(e, f) for e in entries if (f := fields_of(e)) and password_field(f, known)]
    own = [x for x in found if origin is None or x[0].origin == origin]
    pick = (own or found)[-1] if (own or found) else (None, None)
    return pick


def _login_page(entries: list[Entry], login: Entry) -> Entry | None:
    """The page the login form was on: the last HTML answer before the login with a password box."""
    before = [e for e in entries if e.index < login.index and e.method == "GET"
              and 'type="password"' in e.text.replace("'", '"')]
    return before[-1] if before else None


def _history(entry: Entry) -> History | None:
    if entry.method not in ("GET", "POST") or entry.status != 200 or not entry.text:
        return None
    data = json_body(entry.text)
    rows: HtmlRows | JsonRows | None
    rows = json_rows(data) if data is not None else html_rows(entry.text) if "<" in entry.text else None
    return History(entry, rows) if rows else None


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.replace("\r\n", "\n").split("\n") if len(line.strip()) >= 4}


def _shares(rows: HtmlRows | JsonRows, typed: str) -> bool:
    """Whether a list holds a line of the submitted plan (a previous plan it quotes, or itself):
    the person's plans, not a list of notices that also has dates."""
    mine = _lines(typed)
    for _, raw in rows.rows:
        try:
            text = json.loads(f'"{raw}"', strict=False)
        except ValueError:
            text = raw
        if mine & _lines(text):
            return True
    return False


def params_of(entry: Entry) -> list[tuple[str, str]]:
    """A read's parameters: the query, and for a search form sent by POST its fields too."""
    extra = [(k, v) for k, v in fields_of(entry).items if isinstance(v, str)] \
        if entry.method == "POST" else []
    return entry.query + extra


def _range_params(entry: Entry) -> int:
    return sum(1 for _, v in params_of(entry) if parse_day(v))


def _team(entries: list[Entry], origin: str, taken: set[int], typed: str) -> Entry | None:
    """A page of several teammates' texts for one date (asked for with exactly one date); the one
    showing the person's own plan first, when there is one (a holiday list has dates and names too)."""
    found = []
    for entry in reversed(entries):
        if entry.index in taken or entry.origin != origin or entry.method != "GET" or not entry.text:
            continue
        if _range_params(entry) != 1:
            continue
        data = json_body(entry.text)
        if (json_texts(data) if data is not None else team_selector(entry.text)):
            found.append(entry)
    mine = _lines(typed)
    return next((e for e in found if mine & _lines(e.text)), found[0] if found else None)


def fixed_path(entry: Entry, drop: set[str], params: list[tuple[str, str]] | None = None) -> str:
    """The path and the fixed part of its query (no dates, no cache-busters, nothing dropped)."""
    fixed = [(k, v) for k, v in (entry.query if params is None else params)
             if k not in drop and not parse_day(v) and not is_timestamp(v) and not looks_secret(v)]
    return entry.path + (f"?{urlencode(fixed, safe='/')}" if fixed else "")
