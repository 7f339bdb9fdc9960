"""``check``'s diagnosis: walk login → an authenticated read of today → parse, and at the first step
that does not fit, say what the site did and which ``[site]`` key to change.

A new user's config is wrong in one place, and "login failed" does not say which. Each step here
looks at what came back (the status, the cookies set, the shape of the page or the JSON) and
names the key that decides it: ``login: POST /login answered 200 and set no cookie "session"
(cookies set: JSESSIONID): set site.cookie_name``. Nothing is submitted; no secret, query string
or page is ever quoted, only short answers, names and counts.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from runner.config import Account, Config, Secret, Site
from runner.errors import RunnerError, SiteChanged
from runner.site.auth import REDIRECTS, log_in, page_text, session_ended
from runner.site.http import Transport
from runner.site.pages import (
    count_team_plans,
    dig,
    format_day,
    hidden_value,
    is_login_page,
    parse_day,
    parse_history,
    soup,
)
from runner.site.shapes import answer_text, login_request, with_query
from runner.workday import today_in


def _q(value: object) -> str:
    """A config value or name as the README and TOML write it: in double quotes."""
    return json.dumps(value, ensure_ascii=False)


class Misfit(Exception):
    """The first step that does not fit: the line to print."""


def diagnose(config: Config, account: Account, secret: Secret, day: date | None = None) -> str:
    """One line: ``ready (…)`` after an authenticated read parsed, else the first misfit and its key."""
    site = config.site
    transport = Transport(site.base_url, timeout=site.timeout, ca_bundle=site.ca_bundle)
    transport.session.headers.update(dict(site.headers))
    day = day or today_in(config.timezone)
    seen: list[Any] = []  # JSON answers met on the way, to judge the success check by
    try:
        _login(site, transport, account.username, secret, seen)
        count = _history(site, transport, day, seen, secret)
        team = f"; team page: {_team(site, transport, day)} plans" if config.workday.quorum else ""
        _success_check(site, seen)
        return (f"ready (logged in with {secret.variable}; history read: {count} plan(s) on {day}"
                f"{team})")
    except Misfit as misfit:
        return str(misfit)
    except RunnerError as exc:
        return f"failed ({exc.reason}): {exc}"
    finally:
        transport.close()


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _short(text: str) -> str:
    """A short answer as the site said it; a page is named by its kind, never quoted."""
    said = answer_text(text)
    if "<" in said:
        title = soup(said).title
        return "a login page" if is_login_page(said) else (
            f"a page titled {title.get_text(strip=True)[:60]!r}" if title else "an HTML page")
    return repr(said[:80])


def _login(site: Site, transport: Transport, username: str, secret: Secret, seen: list[Any]) -> None:
    if secret.kind in ("cookie", "token"):
        log_in(site, transport, username, secret)  # installs the cookie or token; no request
        return
    key = "api_login_path" if site.auth == "bearer" else "login_path"
    csrf = None
    if site.csrf_field:
        path, query = with_query(site.login_path, {})
        page = transport.send("GET", path, params=query)
        if page.status_code == 404:
            raise Misfit(f"login: GET {path} answered 404: set site.login_path")
        csrf = (hidden_value(page_text(page), site.csrf_field)
                or transport.session.cookies.get(site.csrf_field))
        if csrf is None:
            names = [i.get("name") for i in soup(page_text(page)).find_all("input", type="hidden")]
            found = f"hidden inputs: {', '.join(n for n in names if n)}" if any(names) else "no hidden input"
            raise Misfit(f"login: GET {path} answered {page.status_code} with no field or cookie "
                         f"{_q(site.csrf_field)} ({found}): set site.csrf_field")
    req = login_request(site, username, secret.value, csrf)
    resp = transport.send(req.method, req.path, **req.kwargs)
    where = f"login: {req.method} {req.path} answered {resp.status_code}"
    text = page_text(resp)
    if resp.status_code in (404, 410):
        raise Misfit(f"{where}: set site.{key}")
    if resp.status_code in (405, 415):
        raise Misfit(f"{where} (it wants another method or body): set site.login_method")
    if resp.status_code in (401, 403):
        raise Misfit(f"{where} ({_short(text)}): check {secret.variable}, site.username_param and "
                     "site.password_param")
    if resp.status_code >= 400:
        raise Misfit(f"{where} ({_short(text)}): check site.{key} and site.login_method")
    seen.append(_json(text))
    if site.auth == "bearer":
        _token(site, transport, where, text, secret)
        return
    cookies = sorted({c.name for c in transport.session.cookies})
    if not transport.session.cookies.get(site.cookie_name):
        if cookies:
            raise Misfit(f'{where} and set no cookie "{site.cookie_name}" (cookies set: '
                         f"{', '.join(cookies)}): set site.cookie_name")
        raise Misfit(f"{where} and set no cookie at all ({_short(text)}): check {secret.variable}, "
                     "site.login_method, site.username_param and site.password_param")
    if (resp.status_code == 200 and is_login_page(text)) or (
            resp.status_code in REDIRECTS and session_ended(site, resp)):
        raise Misfit(f"{where} with the login page again: check {secret.variable}, "
                     "site.username_param and site.password_param")


def _token(site: Site, transport: Transport, where: str, text: str, secret: Secret) -> None:
    data = _json(text)
    if data is None:
        raise Misfit(f"{where} with {_short(text)}, not JSON: check site.api_login_path and "
                     "site.login_method")
    try:
        token = dig(data, site.token_field)
    except KeyError:
        holds = ", ".join(_paths(data)) or type(data).__name__
        raise Misfit(f"{where} with no token at token_field {_q(site.token_field)} (it holds: "
                     f"{holds[:160]}): set site.token_field, or check {secret.variable}") from None
    if not isinstance(token, str | int) or isinstance(token, bool) or not str(token):
        raise Misfit(f"{where} and {_q(site.token_field)} is {token!r}, not a token: set "
                     f"site.token_field, or check {secret.variable}")
    transport.session.headers["Authorization"] = f"Bearer {token}"


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


def _history(site: Site, transport: Transport, day: date, seen: list[Any], secret: Secret) -> int:
    """The run's ranged read: more rows than today's alone, so a misfit shows what the rows are."""
    first = day - timedelta(days=site.lookback_days)
    path, query = with_query(site.history_path, {site.start_param: format_day(first, site),
                                                 site.end_param: format_day(day, site)})
    resp = transport.send("GET", path, params=query)
    _authenticated(site, resp, f"history: GET {path} answered {resp.status_code}",
                   "site.history_path", secret)
    text = page_text(resp)
    data = _json(text)
    seen.append(data)
    try:
        return len([r for r in parse_history(text, site) if r.day == day])
    except SiteChanged as exc:
        raise Misfit(_page_misfit(site, text, data, exc, resp.status_code)) from None


def _authenticated(site: Site, resp: requests.Response, where: str, path_key: str,
                   secret: Secret) -> None:
    """The read right after the login must be answered as a signed-in user."""
    if resp.status_code == 404:
        raise Misfit(f"{where}: set {path_key}")
    if session_ended(site, resp):
        if secret.kind == "cookie":
            raise Misfit(f"{where}, the login page: the cookie in {secret.variable} is not a live "
                         "session; copy a fresh one (and check site.cookie_name)")
        raise Misfit(f"{where}, the login page, right after logging in: the login did not take; "
                     f"check {secret.variable}, site.cookie_name and site.login_method")
    if resp.status_code in REDIRECTS:
        target = urlsplit(resp.headers.get("Location", "")).path  # never the query
        raise Misfit(f"{where}, a redirect to {target!r}: if that is the login page, set "
                     "site.login_path to it")
    if resp.status_code >= 400:
        raise Misfit(f"{where}: check {path_key} and its fixed query")


def _page_misfit(site: Site, text: str, data: Any, exc: SiteChanged, status: int) -> str:
    if site.history_format == "json":
        if data is None:
            return (f"history: {status}, the answer is {_short(text)}, not JSON: set "
                    "site.history_format = 'html' (or check site.history_path)")
        lists = _lists(data)
        if "no list at" in str(exc):
            shown = ", ".join(_q(p) for p in lists) or "none"
            return (f"history: {status}, no list at history_items {_q(site.history_items)} (lists in "
                    f"the answer: {shown}): set site.history_items")
        items = dig(data, site.history_items)
        first = next((i for i in items if isinstance(i, dict)), {})
        return (f"history: {status}, the items have no readable date in history_date_field "
                f"{_q(site.history_date_field)} (fields: {', '.join(map(str, first))[:120]}): set "
                "site.history_date_field")
    if data is not None and not isinstance(data, str):
        return f"history: {status}, the answer is JSON, not an HTML page: set site.history_format = 'json'"
    page = soup(text)
    rows = page.select(site.row_selector)
    if not rows:
        return (f"history: {status}, 0 rows match row_selector {_q(site.row_selector)}; the page "
                f"{_page_shape(page)}: set site.row_selector")
    sample = rows[0].get_text(" ", strip=True)[:40]
    if not any(r.select_one(site.row_date_selector) for r in rows):
        return (f"history: {status}, {len(rows)} rows match row_selector {_q(site.row_selector)} but "
                f"none has row_date_selector {_q(site.row_date_selector)} (first row: {sample!r}): "
                "set site.row_date_selector")
    if "content_encoding" in str(exc):
        return f"history: {status}, the plans are not JSON-escaped: set site.content_encoding = 'plain'"
    return (f"history: {status}, {len(rows)} rows match but a date in row_date_selector "
            f"{_q(site.row_date_selector)} is not readable (first row: {sample!r}): set "
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
        return f"has {count} {_q(selector)} element(s) holding a date"
    classes = Counter(_selector(el) for el in page.find_all(class_=True))
    if classes:
        selector, count = classes.most_common(1)[0]
        if count > 1:
            return f"has {count} {_q(selector)} elements"
    if is_login_page(str(page)):
        return "is a login page"
    return "has no table and no repeated element"


def _selector(element: Any) -> str:
    if element.get("id"):
        return f"{element.name}#{element['id']}"
    return f"{element.name}.{element['class'][0]}" if element.get("class") else element.name


def _team(site: Site, transport: Transport, day: date) -> int:
    path, query = with_query(site.team_path, {site.team_mode_param: site.team_mode_value,
                                              site.team_date_param: format_day(day, site)})
    resp = transport.send("GET", path, params=query)
    if resp.status_code >= 400:
        raise Misfit(f"team: GET {path} answered {resp.status_code}: set site.team_path")
    try:
        return count_team_plans(page_text(resp), site)
    except SiteChanged as exc:
        raise Misfit(f"team: {resp.status_code}, {exc}") from None


def _success_check(site: Site, seen: list[Any]) -> None:
    """Judge the success check by the answers seen: a submit answers in the same style."""
    objects = [d for d in seen if isinstance(d, dict)]
    if site.success_field and objects:
        top = site.success_field.split(".")[0]
        if not any(top in d for d in objects):
            holds = ", ".join(sorted({k for d in objects for k in d}))[:120]
            raise Misfit(f"submit: the site's JSON answers have no {_q(top)} for success_field "
                         f"{_q(site.success_field)} (they hold: {holds}): set site.success_field")
    elif objects and any(k in d for d in objects for k in ("code", "success", "status", "ok")):
        keys = ", ".join(sorted({k for d in objects for k in d}))[:120]
        raise Misfit(f"submit: the site answers JSON objects ({keys}) but success is checked by "
                     f"success_text {_q(site.success_text)}: set site.success_field and "
                     "site.success_value")
