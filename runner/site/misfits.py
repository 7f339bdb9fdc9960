"""What a recorded answer says about which ``[site]`` key to change: the texts of ``check``'s diagnosis.

Pure: each function gets what came back (a status, the cookies set, a page or JSON) and returns
the one line to print, naming the key that decides it. No secret, query string or page is quoted,
only short answers (``quote_answer``), names and counts.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from runner.config import Secret, Site
from runner.errors import AuthError, RunnerError, SiteChanged
from runner.site.auth import REDIRECTS, cookie_value, page_text, session_ended
from runner.site.client import SiteClient
from runner.site.dates import parse_day
from runner.site.pages import dig, is_login_page, soup
from runner.site.quote import quote_answer


def q(value: object) -> str:
    """A config value or name as the README and TOML write it: in double quotes."""
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Exchange:
    method: str
    path: str
    resp: requests.Response


def json_of(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def login_misfit(site: Site, client: SiteClient, secret: Secret, last: Exchange | None,
                  exc: RunnerError) -> str:
    if last is None:  # nothing was sent: a ready token or cookie that could not be used
        return f"login failed ({exc.reason}): {exc}"
    key = "api_login_path" if site.auth == "bearer" else "login_path"
    resp, text = last.resp, page_text(last.resp)
    where = f"login: {last.method} {last.path} answered {resp.status_code}"
    if resp.status_code in (404, 410):
        if site.csrf_field and last.method == "GET":
            page_key = "login_page_path" if site.login_page_path != site.login_path else "login_path"
            return f"{where}: set site.{page_key}"
        return f"{where}: set site.{key}"
    if isinstance(exc, SiteChanged):  # the CSRF field is not on the login page
        names = [i.get("name") for i in soup(text).find_all("input", type="hidden")]
        found = f"hidden inputs: {', '.join(n for n in names if n)}" if any(names) else "no hidden input"
        return (f"{where} with no field or cookie {q(site.csrf_field)} ({found}): set "
                "site.csrf_field")
    if resp.status_code in (405, 415):
        return f"{where} (it wants another method or body): set site.login_method"
    if resp.status_code in (401, 403):
        return (f"{where} ({quote_answer(text, 80)}): check {secret.variable}, site.username_param and "
                "site.password_param")
    if resp.status_code >= 400 or not isinstance(exc, AuthError):
        return f"{where}: {exc}"
    if site.auth == "bearer":
        return _token_misfit(site, where, text, secret)
    cookies = sorted({c.name for c in client.transport.session.cookies})
    if not cookie_value(client.transport.session.cookies, site.cookie_name):
        if cookies:
            return (f'{where} and set no cookie "{site.cookie_name}" (cookies set: '
                    f"{', '.join(cookies)}): set site.cookie_name")
        return (f"{where} and set no cookie at all ({quote_answer(text, 80)}): check {secret.variable}, "
                "site.login_method, site.username_param and site.password_param")
    return (f"{where} with the login page again: check {secret.variable}, site.username_param and "
            "site.password_param")


def _token_misfit(site: Site, where: str, text: str, secret: Secret) -> str:
    data = json_of(text)
    if data is None:
        return (f"{where} with {quote_answer(text, 80)}, not JSON: check site.api_login_path and "
                "site.login_method")
    try:
        token = dig(data, site.token_field)
    except KeyError:
        holds = ", ".join(_paths(data)) or type(data).__name__
        return (f"{where} with no token at token_field {q(site.token_field)} (it holds: "
                f"{holds[:160]}): set site.token_field, or check {secret.variable}")
    return (f"{where} and {q(site.token_field)} is {quote_answer(json.dumps(token), 40)}, not a token: "
            f"check {secret.variable}, or set site.token_field")


def _paths(data: Any, prefix: str = "", depth: int = 0) -> list[str]:
    """Dotted paths in a JSON value, shallow first: what a user could put in a ``*_field`` key."""
    if not isinstance(data, dict) or depth > 2:
        return []
    found = []
    for k, v in data.items():
        found.append(f"{prefix}{k}")
        found += _paths(v, f"{prefix}{k}.", depth + 1)
    return found


def _lists(data: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the lists in a JSON answer ("" is the top level)."""
    if isinstance(data, list):
        return [prefix.rstrip(".")]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _lists(v, f"{prefix}{k}.")]
    return []


def history_misfit(site: Site, secret: Secret, first: Exchange | None, exc: RunnerError) -> str:
    """The read right after the login failed: say what it met."""
    if first is None:
        return f"history: {exc}"
    resp, where = first.resp, f"history: GET {first.path} answered {first.resp.status_code}"
    if resp.status_code == 404:
        return f"{where}: set site.history_path"
    if session_ended(site, resp):
        if secret.kind == "cookie":
            return (f"{where}, the login page: the cookie in {secret.variable} is not a live "
                    "session; copy a fresh one (and check site.cookie_name)")
        return (f"{where}, the login page, right after logging in: the login did not take; "
                f"check {secret.variable}, site.cookie_name and site.login_method")
    if resp.status_code in REDIRECTS:
        target = urlsplit(resp.headers.get("Location", "")).path  # never the query
        return f"{where}, a redirect to {target!r}: if that is the login page, set site.login_path to it"
    if resp.status_code >= 400:
        return f"{where}: check site.history_path and its fixed query"
    if isinstance(exc, SiteChanged):
        text = page_text(resp)
        return _page_misfit(site, text, json_of(text), exc, resp.status_code)
    return f"history: {exc}"


def _page_misfit(site: Site, text: str, data: Any, exc: SiteChanged, status: int) -> str:
    if site.history_format == "json":
        if data is None:
            return (f"history: {status}, the answer is {quote_answer(text, 80)}, not JSON: set "
                    "site.history_format = 'html' (or check site.history_path)")
        lists = _lists(data)
        if "no list at" in str(exc):
            shown = ", ".join(q(p) for p in lists) or "none"
            return (f"history: {status}, no list at history_items {q(site.history_items)} (lists in "
                    f"the answer: {shown}): set site.history_items")
        items = dig(data, site.history_items)
        first = next((i for i in items if isinstance(i, dict)), None)
        if first is None:
            return (f"history: {status}, the list at history_items {q(site.history_items)} holds "
                    "no objects: set site.history_items to the list of plans")
        return (f"history: {status}, the items have no readable date in history_date_field "
                f"{q(site.history_date_field)} (fields: {', '.join(map(str, first))[:120]}): set "
                "site.history_date_field")
    if data is not None and not isinstance(data, str):
        return f"history: {status}, the answer is JSON, not an HTML page: set site.history_format = 'json'"
    page = soup(text)
    rows = page.select(site.row_selector)
    if not rows:
        return (f"history: {status}, 0 rows match row_selector {q(site.row_selector)}; the page "
                f"{_page_shape(page)}: set site.row_selector")
    sample = rows[0].get_text(" ", strip=True)[:40]
    if not any(r.select_one(site.row_date_selector) for r in rows):
        return (f"history: {status}, {len(rows)} rows match row_selector {q(site.row_selector)} but "
                f"none has row_date_selector {q(site.row_date_selector)} (first row: {sample!r}): "
                "set site.row_date_selector")
    if "content_encoding" in str(exc):
        return f"history: {status}, the plans are not JSON-escaped: set site.content_encoding = 'plain'"
    return (f"history: {status}, {len(rows)} rows match but a date in row_date_selector "
            f"{q(site.row_date_selector)} is not readable (first row: {sample!r}): set "
            "site.row_date_selector")


def _page_shape(page: Any) -> str:
    """What the page holds instead: its biggest table, or its most repeated element."""
    tables = [(len(t.find_all("tr")), t) for t in page.find_all("table")]
    count, table = max(tables, key=lambda pair: pair[0]) if tables else (0, None)
    if count > 1:
        return f"has a table with {count} rows ({_selector(table)} tr)"
    holders = {id(text.parent.parent): text.parent.parent for text in page.find_all(string=True)
               if text.parent is not None and text.parent.parent is not None
               and len(text.strip()) <= 30 and parse_day(text.strip())}
    rows = Counter(_selector(row) for row in holders.values())
    if rows:
        selector, count = rows.most_common(1)[0]
        return f"has {count} {q(selector)} element(s) holding a date"
    classes = Counter(_selector(el) for el in page.find_all(class_=True))
    if classes:
        selector, count = classes.most_common(1)[0]
        if count > 1:
            return f"has {count} {q(selector)} elements"
    if is_login_page(str(page)):
        return "is a login page"
    return "has no table and no repeated element"


def _selector(element: Any) -> str:
    if element.get("id"):
        return f"{element.name}#{element['id']}"
    return f"{element.name}.{element['class'][0]}" if element.get("class") else element.name


def success_hint(site: Site, seen: list[Any]) -> str:
    """The success check judged by the other answers: a submit often answers in their style.

    Only a hint, never a failure: nothing is submitted, so the submit's own answer is not seen
    (and the read-back decides anyway).
    """
    objects = [d for d in seen if isinstance(d, dict)]
    if site.success_field and objects:
        top = site.success_field.split(".")[0]
        if not any(top in d for d in objects):
            holds = ", ".join(sorted({k for d in objects for k in d}))[:120]
            return (f"the site's JSON answers have no {q(top)} for success_field "
                    f"{q(site.success_field)} (they hold: {holds}): if the submit answers like "
                    "them, set site.success_field")
    elif objects and any(k in d for d in objects for k in ("code", "success", "status", "ok")):
        keys = ", ".join(sorted({k for d in objects for k in d}))[:120]
        return (f"the site answers JSON objects ({keys}) and success is checked by success_text "
                f"{q(site.success_text)}: if the submit answers like them, set site.success_field "
                "and site.success_value")
    return ""
