"""Load and validate ``dailyplan.toml``: the schema, and one line per mistake.

Everything a user can get wrong in their setup is caught here, before any account runs, with one
line that names the key, the value and the fix: a run that fails at 09:17 on a Monday for a typo
is the worst way to learn about it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runner.errors import UsageError
from runner.inputs import Inputs, strip_bom
from runner.site_schema import Site, parse_site
from runner.validate import Validator, secret_kind
from runner.workday import DayRange, Decision, decide

_Validator = Validator  # the schema's functions take the shared validator
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "plan.txt.j2"  # package data
DEFAULT_PARALLEL = 8  # polite to a fragile internal server; `parallel` raises it
SECRETS_HINT = "(repository → Settings → Secrets and variables → Actions, or export it)"


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

    def decider(self, account: Account) -> Callable[[date], Decision]:
        """This account's workday decision: the calendar, the company's days and its own leave."""
        return partial(self.workday.decide, leave=account.leave)


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
        if not _is_file(file):
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


def _is_file(file: Path) -> bool:
    try:
        return file.is_file()
    except (OSError, ValueError):  # a name too long for the system, a NUL byte
        return False


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

    site = parse_site(v, v.table(data, "site"), base_url)
    workday = _workday(v, v.table(data, "workday"))
    if workday.audit_days > site.lookback_days:  # the audit reads the same answer as the run
        raise v.error(f"workday.audit_days ({workday.audit_days}) is more than site.lookback_days "
                      f"({site.lookback_days}); lower it or raise site.lookback_days")
    accounts = _accounts(v, data.get("accounts"), base)
    return Config(site, workday, accounts, timezone, parallel, source, base)


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
    seen: dict[str, str] = {}  # secret suffix → the id that took it
    for i, item in enumerate(raw):
        where = f"accounts[{i}]."
        v.keys(item, where, {"id", "username", "plan", "template", "github", "leave"})
        account_id = v.string(item, "id", where)
        if not account_id.strip():
            raise v.error(f"{where}id is empty; give each account a short name such as 'alice'")
        secret = secret_variable(SecretKind.PASSWORD, account_id)
        if not re.search(r"[A-Za-z0-9]", account_id):  # '王芳' would be DAILYPLAN_PASSWORD___
            raise v.error(f"{where}id {account_id!r} has no letter or digit to name its secret "
                          f"({secret}); use ASCII letters and digits, such as 'wangfang'")
        suffix = env_suffix(account_id)
        if suffix in seen:
            twice = ("is used twice" if seen[suffix] == account_id
                     else f"names the same secret as {seen[suffix]!r}")
            raise v.error(f"{where}id {account_id!r} {twice} (ids name the secrets, {secret}); "
                          "make each id unique")
        seen[suffix] = account_id
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
