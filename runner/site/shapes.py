"""The shapes of requests and answers, from the ``[site]`` keys: pure, so each has a unit test.

A system differs from the reference one in how it wants the login sent (``login_method``), where
each page lives (a path with a fixed query), how the submit is encoded (``submit_format``,
``form_charset``, fixed ``submit_fields``) and what a "saved" answer looks like
(``success_text`` or ``success_field``/``success_value``). This module turns those keys into the
arguments of one request, or into a yes/no about one answer; it sends nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from runner.config import Site
from runner.site.dates import format_day
from runner.site.pages import dig
from runner.site_schema import Scalar

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Request:
    """One request's method, path (no query) and the keyword arguments for ``requests``."""

    method: str
    path: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def with_query(path: str, params: Mapping[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """Split a configured path's fixed query off and merge the runner's parameters after it.

    ``/oa/main.do?method=dailyList`` with ``{"start_date": ...}`` sends ``method=dailyList&
    start_date=...``; a fixed parameter the runner also sets is the runner's.
    """
    parts = urlsplit(path)
    fixed = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return parts.path or "/", fixed + [(k, v) for k, v in params.items() if k]


def _form_value(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def login_request(site: Site, username: str, password: str, csrf: str | None) -> Request:
    """The login: username and password (and the CSRF token) by ``login_method``."""
    path = site.api_login_path if site.auth == "bearer" else site.login_path
    creds = {site.username_param: username, site.password_param: password}
    if site.csrf_field and csrf is not None:
        creds[site.csrf_field] = csrf
    if site.login_method == "get":
        bare, query = with_query(path, creds)
        if not _utf8(site):  # a GBK system reads its query in GBK too
            return Request("GET", bare, {"params": _encoded(query, site)})
        return Request("GET", bare, {"params": query})
    bare, query = with_query(path, {})
    if site.login_method == "post-json":
        return Request("POST", bare, {"params": query, "json": creds})
    if not _utf8(site):
        body = _encoded(list(creds.items()), site).encode("ascii")
        return Request("POST", bare, {"params": query, "data": body, "headers": {"Content-Type": FORM}})
    return Request("POST", bare, {"params": query, "data": creds})


def _encoded(pairs: list[tuple[str, str]], site: Site) -> str:
    """Credentials in the form's charset; one it cannot hold could not be typed there either."""
    try:
        return urlencode(pairs, encoding=site.form_charset)
    except UnicodeEncodeError:
        return urlencode(pairs)


def _utf8(site: Site) -> bool:
    return site.form_charset.lower().replace("_", "-") in ("utf-8", "utf8")


def submit_request(site: Site, day: date, text: str, csrf: str | None) -> Request:
    """The submit: date and text, the fixed fields and the CSRF token, as form or JSON."""
    bare, query = with_query(site.submit_path, {})
    fixed: dict[str, Scalar] = dict(site.submit_fields)
    if site.csrf_field and csrf is not None:
        fixed[site.csrf_field] = csrf
    own = {site.date_param: format_day(day, site), site.content_param: text}
    kwargs: dict[str, Any] = {"params": query} if query else {}
    if site.submit_format == "json":
        kwargs["json"] = {**fixed, **own}
    elif _utf8(site) and not fixed:
        kwargs["data"] = own  # exactly what the reference system has always been sent
    else:
        pairs = [(k, _form_value(v)) for k, v in fixed.items()] + list(own.items())
        body = urlencode(pairs, encoding=site.form_charset, errors="strict")
        kwargs["data"] = body.encode("ascii")
        kwargs["headers"] = {"Content-Type": FORM}
    return Request(site.submit_method, bare, kwargs)


def answer_text(text: str) -> str:
    """The system answers with a JSON string (``"\\u4fee..."\\n``); fall back to the raw text."""
    text = text.strip()
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, str) else text


def _same(found: Any, wanted: Scalar) -> bool:
    """``0`` is not ``false`` and ``"0"`` is ``0``: JSON APIs write codes either way."""
    if isinstance(wanted, bool) or isinstance(found, bool):
        return found is wanted
    if isinstance(found, int | float) and isinstance(wanted, int | float):
        return found == wanted
    return str(found) == str(wanted)


def succeeded(site: Site, text: str) -> bool:
    """Whether a submit answer is the success answer ``[site]`` describes (the read-back decides)."""
    if not site.success_field:
        return answer_text(text) == site.success_text
    try:
        return _same(dig(json.loads(text), site.success_field), site.success_value)
    except (ValueError, KeyError):
        return False


def session_cookies(secret: str, cookie_name: str) -> list[tuple[str, str]]:
    """``DAILYPLAN_COOKIE_<ID>``: one value (then it is ``cookie_name``) or a browser's Cookie header."""
    value = secret.strip().removeprefix("Cookie:").strip()
    if "=" not in value:
        return [(cookie_name, value)]
    pairs = []
    for part in value.split(";"):
        name, sep, val = part.strip().partition("=")
        if sep and name:
            pairs.append((name.strip(), val.strip()))
    return pairs
