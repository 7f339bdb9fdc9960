"""Load and validate ``dailyplan.toml``: the schema, and one line per mistake.

Everything a user can get wrong in their setup is caught here, before any account runs, with one
line that names the key, the value and the fix: a run that fails at 09:17 on a Monday for a typo
is the worst way to learn about it.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runner.errors import UsageError
from runner.inputs import Inputs, strip_bom
from runner.validate import Validator, secret_kind
from runner.workday import DayRange, Decision, decide

_Validator = Validator  # the schema's functions take the shared validator
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "plan.txt.j2"  # package data
DEFAULT_PARALLEL = 8  # polite to a fragile internal server; `parallel` raises it
SECRETS_HINT = "(repository → Settings → Secrets and variables → Actions, or export it)"


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


@dataclass(frozen=True)
class Workday:
    calendar: str = "cn"
    quorum: int = 0
    holidays: tuple[DayRange, ...] = ()
    workdays: tuple[DayRange, ...] = ()
    audit_days: int = 7  # look this many days back for workdays with no plan; 0 turns it off

    def decide(self, day: date, leave: tuple[DayRange, ...] = ()) -> Decision:
        return decide(day, calendar=self.calendar, holidays=self.holidays, workdays=self.workdays,
                      leave=leave)


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    plan: str = ""
    template: Path = DEFAULT_TEMPLATE
    github: str | None = None
    leave: tuple[DayRange, ...] = ()

    @property
    def env_suffix(self) -> str:
        return env_suffix(self.id)


@dataclass(frozen=True)
class Config:
    site: Site
    workday: Workday
    accounts: tuple[Account, ...]
    timezone: str = "Asia/Shanghai"
    parallel: int = DEFAULT_PARALLEL
    source: str = "dailyplan.toml"
    base: Path = Path(".")  # the folder relative paths start from
    text: str = field(default="", repr=False)  # the TOML itself, so messages can name its lines

    def workers(self, accounts: int) -> int:
        """The pool size: never more threads than accounts, never more than `parallel`."""
        return max(1, min(self.parallel, accounts))


class SecretKind(StrEnum):
    """What a secret holds; its variable is DAILYPLAN_<KIND>[_<ID>] (see ``secret_variable``)."""

    PASSWORD = "password"
    TOKEN = "token"  # a bearer token used as is
    COOKIE = "cookie"  # a session cookie's value, for sites whose login a script cannot do


@dataclass(frozen=True)
class Secret:
    """A credential and the variable it came from, so messages can name the variable only."""

    kind: SecretKind
    value: str = field(repr=False)
    variable: str


def env_suffix(account_id: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", account_id.upper())


def secret_variable(kind: SecretKind | str, account_id: str | None = None) -> str:
    """The one formula for a secret's name: DAILYPLAN_PASSWORD_ALICE, or DAILYPLAN_TOKEN alone."""
    return f"DAILYPLAN_{str(kind).upper()}" + (f"_{env_suffix(account_id)}" if account_id else "")


# ---------------------------------------------------------------------------- loading


def locate(path: str | None, inputs: Inputs) -> tuple[str, str, Path]:
    """Return (TOML text, name for messages, folder relative paths start from).

    First match wins: --config, DAILYPLAN_CONFIG_FILE, DAILYPLAN_CONFIG (the TOML itself, as a
    secret can hold it), ./dailyplan.toml.
    """
    path = path or inputs.config_file
    if path:
        file = Path(path)
        if not file.is_file():
            raise UsageError(f"config file {path} not found; check --config / DAILYPLAN_CONFIG_FILE")
        return _read(file), str(file), file.resolve().parent
    if inputs.config_text:
        return inputs.config_text, "DAILYPLAN_CONFIG", Path.cwd()
    file = Path("dailyplan.toml")
    if not file.is_file():
        raise UsageError(
            "no dailyplan.toml in this folder; create one (see README → Configuration), "
            "pass --config FILE, or set DAILYPLAN_CONFIG"
        )
    return _read(file), str(file), Path.cwd()


def _read(file: Path) -> str:
    try:
        return strip_bom(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {file}: {exc.__class__.__name__}; save it as UTF-8") from None


def load(path: str | None, env: Inputs | Mapping[str, str]) -> Config:
    """The config a command runs with; ``env`` is the parsed environment (or a raw mapping)."""
    inputs = env if isinstance(env, Inputs) else Inputs.read(env, "check")
    text, source, base = locate(path, inputs)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{source}: not valid TOML: {exc}") from None
    return replace(parse(data, source=source, base=base, base_url=inputs.base_url), text=text)


def parse(data: Mapping[str, Any], *, source: str, base: Path, base_url: str = "") -> Config:
    """Turn parsed TOML into a Config, or raise UsageError naming the first thing to fix.

    ``base_url`` is DAILYPLAN_BASE_URL, which wins over site.base_url and is never echoed.
    """
    v = _Validator(source)
    _refuse_secrets(v, data)
    v.keys(data, "", {"timezone", "parallel", "site", "workday", "accounts"})

    timezone = v.string(data, "timezone", "", default="Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise v.error(
            f"timezone {timezone!r} is not known; use an IANA name such as 'Asia/Shanghai'"
        ) from None
    parallel = v.integer(data, "parallel", "", default=DEFAULT_PARALLEL, minimum=1)

    site = _site(v, v.table(data, "site"), base_url)
    workday = _workday(v, v.table(data, "workday"))
    if workday.audit_days > site.lookback_days:  # the audit reads the same answer as the run
        raise v.error(f"workday.audit_days ({workday.audit_days}) is more than site.lookback_days "
                      f"({site.lookback_days}); lower it or raise site.lookback_days")
    accounts = _accounts(v, data.get("accounts"), base)
    return Config(site, workday, accounts, timezone, parallel, source, base)


_SITE_CHOICES = {
    "auth": AUTHS,
    "login_method": LOGIN_METHODS,
    "submit_method": ("POST", "PUT"),
    "submit_format": ("form", "json"),
    "history_format": ("html", "json"),
    "content_encoding": ("json", "plain"),
}
_SITE_PATHS = ("login_path", "api_login_path", "plan_path", "history_path", "submit_path", "team_path")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _site(v: _Validator, raw: Mapping[str, Any], from_env: str) -> Site:
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
    if values.get("timeout", 1) <= 0:
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


def _site_text_keys(v: _Validator, values: Mapping[str, Any]) -> None:
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


def _site_headers(v: _Validator, raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        raise v.error("site.headers must be a table: write it as [site.headers] with Name = \"value\" lines")
    for name, value in raw.items():
        if not _HEADER_NAME.fullmatch(name):
            raise v.error(f"site.headers.{name} is not a valid header name; use letters, digits and '-'")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise v.error(f"site.headers.{name} must be a one-line string in quotes, got {value!r}")
    return tuple(raw.items())


def _site_submit_fields(v: _Validator, raw: Any, values: Mapping[str, Any],
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


def _site_scalar(v: _Validator, value: Any, name: str) -> Scalar:
    """A TOML scalar; dates and times become their written form, tables and arrays are refused."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    raise v.error(f"{name} must be a string, number or true/false, got {value!r}")


def _shown_url(url: str, where: str) -> str:
    # the base URL may itself be a secret (an intranet host); never echo it from the environment
    return "(hidden)" if where == "DAILYPLAN_BASE_URL" else repr(url)


def _workday(v: _Validator, raw: Mapping[str, Any]) -> Workday:
    v.keys(raw, "workday.", {"calendar", "quorum", "holidays", "workdays", "audit_days"})
    return Workday(
        calendar=v.choice(v.string(raw, "calendar", "workday.", default="cn"), "workday.calendar",
                          ("cn", "weekdays")),
        quorum=v.integer(raw, "quorum", "workday.", default=0, minimum=0),
        holidays=v.days(raw, "holidays", "workday."),
        workdays=v.days(raw, "workdays", "workday."),
        audit_days=v.integer(raw, "audit_days", "workday.", default=7, minimum=0),
    )


def _accounts(v: _Validator, raw: Any, base: Path) -> tuple[Account, ...]:
    if raw is None or raw == []:
        raise v.error("no [[accounts]]; add one with id, username and plan (see README)")
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        raise v.error("accounts must be an array of tables: write each one as [[accounts]]")
    accounts: list[Account] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"accounts[{i}]."
        v.keys(item, where, {"id", "username", "plan", "template", "github", "leave"})
        account_id = v.string(item, "id", where)
        if not account_id.strip():
            raise v.error(f"{where}id is empty; give each account a short name such as 'alice'")
        suffix = env_suffix(account_id)
        if suffix in seen:
            raise v.error(f"{where}id {account_id!r} is used twice (ids name the secrets, "
                          f"{secret_variable(SecretKind.PASSWORD, account_id)}); make each id unique")
        seen.add(suffix)
        where = f"accounts[{i}] ({account_id})."
        template = v.string(item, "template", where, default="")
        template_path = (base / template) if template else DEFAULT_TEMPLATE
        if not template_path.is_file():
            raise v.error(f"{where}template {template!r} not found (looked in {base}); "
                          "fix the path or drop the key to use the shipped template")
        accounts.append(Account(
            id=account_id,
            username=v.string(item, "username", where),
            plan=v.string(item, "plan", where, default=""),
            template=template_path,
            github=v.string(item, "github", where, default="").lstrip("@") or None,
            leave=v.days(item, "leave", where),
        ))
    return tuple(accounts)


def _refuse_secrets(v: _Validator, data: Mapping[str, Any]) -> None:
    """A credential in a file gets committed and pushed; refuse it and name the variable instead.

    Every table is walked (``[site.headers]`` with a ``Cookie`` is as much a secret as a
    ``password`` key); the keys a table documents are never refused, whatever their names.
    """
    documented = {f.name for f in fields(Site)} | {f.name for f in fields(Account)}

    def walk(table: Mapping[str, Any], where: str, account_id: str | None) -> None:
        for key, value in table.items():
            kind = None if key in documented and not where.startswith("site.headers") \
                else secret_kind(str(key))
            if kind:
                name = secret_variable(kind, account_id)
                raise v.error(f"{where}{key}: secrets do not belong in the config; remove it and "
                              f"set {name} instead {SECRETS_HINT}")
            if isinstance(value, dict):
                walk(value, f"{where}{key}.", account_id)

    walk({k: val for k, val in data.items() if k != "accounts"}, "", None)
    if isinstance(data.get("accounts"), list):
        for i, acc in enumerate(data["accounts"]):
            if isinstance(acc, dict):
                walk(acc, f"accounts[{i}].", str(acc.get("id", "")))


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-20") from None
