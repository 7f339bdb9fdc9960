"""The ``[site]`` schema: every key that describes a team system, its default and its check.

The rest of ``dailyplan.toml`` lives in ``config.py``; this is the one table that grows with each
shape of system (login, pages, submit, text), so it has a module of its own. Defaults are the
reference system's, byte for byte; the README's ``[site]`` table lists every key.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from runner.validate import Validator

__all__ = ["AUTHS", "LOGIN_METHODS", "Scalar", "Site", "parse_site"]

Scalar = str | int | float | bool  # what a TOML scalar in [site] may hold (dates arrive as strings)
AUTHS = ("cookie", "bearer", "cookie-secret")
LOGIN_METHODS = ("get", "post-form", "post-json")
DEFAULT_LOGIN_METHOD = {"cookie": "get", "bearer": "post-json", "cookie-secret": "get"}


@dataclass(frozen=True)
class Site:
    """How to talk to the team system. Defaults are the reference system's; all overridable.

    Every shape a real system takes (login, page format, submit, text) is a key here rather than
    code, so a new system is a config change; the README's ``[site]`` table lists them all.
    """

    base_url: str = ""
    auth: str = "cookie"  # cookie | bearer | cookie-secret (DAILYPLAN_COOKIE_<ID>, no login)
    timeout: float = 20.0
    ca_bundle: str | None = None
    lookback_days: int = 31
    headers: tuple[tuple[str, str], ...] = ()  # [site.headers]: sent on every request
    # login: username_param=U & password_param=P to login_path (cookie) or api_login_path (bearer)
    login_method: str = ""  # get | post-form | post-json; "" = get for cookie, post-json for bearer
    login_path: str = "/login"
    login_page_path: str = ""  # where the login form is shown (its CSRF field read); "" = login_path
    username_param: str = "username"
    password_param: str = "password"
    cookie_name: str = "session"
    csrf_field: str = ""  # a hidden input on the login page, sent back with the login and submit
    api_login_path: str = "/api/login"
    token_field: str = "token"  # a dotted path into the login's JSON answer
    # pages: history_path, submit_path, team_path default to plan_path; each may carry a ?query
    plan_path: str = "/routine/daily"
    history_path: str = ""
    submit_path: str = ""
    team_path: str = ""
    date_format: str = "%Y-%m-%d"  # how dates are written into queries and the submit
    # submit
    submit_method: str = "POST"
    submit_format: str = "form"  # form | json
    form_charset: str = "utf-8"
    date_param: str = "date"
    content_param: str = "content"
    submit_fields: tuple[tuple[str, Scalar], ...] = ()  # [site.submit_fields]: fixed fields
    success_text: str = "修改成功"
    success_field: str = ""  # a dotted path into a JSON answer; then success_value decides
    success_value: Scalar = True
    # the history page
    start_param: str = "start_date"
    end_param: str = "end_date"
    history_end: str = "inclusive"  # "next-day": the site's end date excludes the day (or compares times)
    history_format: str = "html"  # html | json
    content_encoding: str = "json"  # "json": \uXXXX-escaped text in the page | "plain"
    row_selector: str = ".routine"
    row_date_selector: str = ".date"
    row_content_selector: str = "textarea"
    history_items: str = ""  # json: dotted path to the list of plans, "" for a top-level list
    history_date_field: str = "date"
    history_content_field: str = "content"
    # the team page (same format as the history)
    team_mode_param: str = "mode"
    team_mode_value: str = "1"
    team_date_param: str = "date"
    team_content_selector: str = "textarea"
    team_items: str = ""
    team_content_field: str = "content"
    team_min_chars: int = 15

    def __post_init__(self) -> None:
        # the defaults that depend on other keys, resolved once so every reader sees one value
        if not self.login_method:
            object.__setattr__(self, "login_method", DEFAULT_LOGIN_METHOD.get(self.auth, "get"))
        for name in ("history_path", "submit_path", "team_path"):
            if not getattr(self, name):
                object.__setattr__(self, name, self.plan_path)
        if not self.login_page_path:
            object.__setattr__(self, "login_page_path", self.login_path)


_SITE_CHOICES = {
    "auth": AUTHS,
    "login_method": LOGIN_METHODS,
    "submit_method": ("POST", "PUT"),
    "submit_format": ("form", "json"),
    "history_format": ("html", "json"),
    "content_encoding": ("json", "plain"),
    "history_end": ("inclusive", "next-day"),
}
_SITE_PATHS = ("login_path", "login_page_path", "api_login_path", "plan_path", "history_path",
               "submit_path", "team_path")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def parse_site(v: Validator, raw: Mapping[str, Any], from_env: str) -> Site:
    """``[site]`` as parsed TOML (and ``DAILYPLAN_BASE_URL``) to a Site, or the first mistake."""
    known = {f.name: f for f in fields(Site)}
    v.keys(raw, "site.", set(known))
    values: dict[str, Any] = {}
    for name, f in known.items():
        if name not in raw or name in ("headers", "submit_fields", "success_value"):
            continue
        if f.type == "int":
            values[name] = v.integer(raw, name, "site.", minimum=0)
        elif f.type == "float":
            values[name] = v.number(raw, name, "site.")
        else:
            values[name] = v.string(raw, name, "site.")
    base_url = from_env or values.get("base_url", "")
    where = "DAILYPLAN_BASE_URL" if from_env else "site.base_url"
    if not base_url:
        raise v.error("site.base_url is missing; set it to your system's address, e.g. "
                      "'https://routine.example.com' (or the DAILYPLAN_BASE_URL secret)")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise v.error(f"{where} {_shown_url(base_url, where)} is not an http(s) URL; "
                      "use e.g. 'https://routine.example.com'")
    values["base_url"] = base_url.rstrip("/")
    if "submit_method" in values:
        values["submit_method"] = values["submit_method"].upper()  # HTTP methods in any case
    for name, allowed in _SITE_CHOICES.items():
        if name in values:
            v.choice(values[name], f"site.{name}", allowed)
    if not 0 < values.get("timeout", 1) < float("inf"):  # nan and inf are TOML floats too
        raise v.error("site.timeout must be a number of seconds above 0")
    for name in _SITE_PATHS:
        if name in values and not values[name].startswith("/"):
            raise v.error(f"site.{name} {values[name]!r} must start with '/', e.g. '/routine/daily' "
                          "(a fixed query may follow: '/oa/main.do?method=dailyList')")
    _site_text_keys(v, values)
    values["headers"] = _site_headers(v, raw.get("headers", {}))
    values["submit_fields"] = _site_submit_fields(v, raw.get("submit_fields", {}), values)
    if "success_value" in raw:
        values["success_value"] = _site_scalar(v, raw["success_value"], "site.success_value")
    return Site(**values)


def _site_text_keys(v: Validator, values: Mapping[str, Any]) -> None:
    """date_format must write a date, form_charset must be a codec Python knows."""
    fmt = values.get("date_format")
    if fmt is not None:
        try:
            one, two = date(2026, 11, 20).strftime(fmt), date(2027, 1, 2).strftime(fmt)
        except ValueError:
            one = two = ""
        if not one or one == two:
            raise v.error(f"site.date_format {fmt!r} does not write a date; use strftime codes, "
                          "e.g. '%Y-%m-%d' or '%Y/%m/%d'")
    charset = values.get("form_charset")
    if charset is not None:
        try:
            codecs.lookup(charset)
        except LookupError:
            raise v.error(f"site.form_charset {charset!r} is not a known encoding; "
                          "use e.g. 'utf-8' or 'gbk'") from None


def _site_headers(v: Validator, raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        raise v.error("site.headers must be a table: write it as [site.headers] with Name = \"value\" lines")
    for name, value in raw.items():
        if not _HEADER_NAME.fullmatch(name):
            raise v.error(f"site.headers.{name} is not a valid header name; use letters, digits and '-'")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise v.error(f"site.headers.{name} must be a one-line string in quotes, got {value!r}")
    return tuple(raw.items())


def _site_submit_fields(v: Validator, raw: Any, values: Mapping[str, Any],
                        ) -> tuple[tuple[str, Scalar], ...]:
    if not isinstance(raw, dict):
        raise v.error("site.submit_fields must be a table: write it as [site.submit_fields] "
                      "with name = value lines")
    own = {values.get("date_param", Site.date_param): "site.date_param",
           values.get("content_param", Site.content_param): "site.content_param"}
    for name, value in raw.items():
        if name in own:
            raise v.error(f"site.submit_fields.{name} reuses the name of {own[name]} ({name!r}), "
                          "which the runner fills itself; rename or drop the fixed field")
        _site_scalar(v, value, f"site.submit_fields.{name}")
    return tuple((k, _site_scalar(v, val, "")) for k, val in raw.items())


def _site_scalar(v: Validator, value: Any, name: str) -> Scalar:
    """A TOML scalar; dates and times become their written form, tables and arrays are refused."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    raise v.error(f"{name} must be a string, number or true/false, got {value!r}")


def _shown_url(url: str, where: str) -> str:
    # the base URL may itself be a secret (an intranet host); never echo it from the environment
    return "(hidden)" if where == "DAILYPLAN_BASE_URL" else repr(url)
