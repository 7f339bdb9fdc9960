"""Typed getters for parsed TOML whose errors all read '<source>: <key> <problem>; <fix>'.

Shared by ``config`` (the schema) so each check is written once: unknown keys with a
did-you-mean, choices, tables, strings, numbers, day lists; and the names that would hold a
credential, refused wherever they appear.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from runner.errors import UsageError
from runner.workday import DayRange, parse_day_ranges

# Key names that would *hold* a credential (and their near misses). A key that only *names* a field,
# such as site.password_param or site.token_field, is a documented key and never refused.
_SECRET_WORDS = {
    "password": "PASSWORD", "passwd": "PASSWORD", "pwd": "PASSWORD", "pass": "PASSWORD",
    "passphrase": "PASSWORD", "secret": "PASSWORD", "credentials": "PASSWORD",
    "token": "TOKEN", "access_token": "TOKEN", "auth_token": "TOKEN", "bearer": "TOKEN",
    "authorization": "TOKEN", "api_key": "TOKEN", "apikey": "TOKEN", "jwt": "TOKEN",
    "cookie": "COOKIE", "cookies": "COOKIE", "session": "COOKIE", "session_id": "COOKIE",
}


def secret_kind(key: str) -> str | None:
    """PASSWORD, TOKEN or COOKIE when a key's name says it holds that credential, else None.

    Whole names and close misspellings count (``passwd``, ``pasword``, ``Tokens``), in any
    spelling of case and separators; names that merely contain a word (``password_param``) do not.
    """
    name = key.strip().lower().replace("-", "_").replace(" ", "_")
    if name in _SECRET_WORDS:
        return _SECRET_WORDS[name]
    close = difflib.get_close_matches(name, list(_SECRET_WORDS), n=1, cutoff=0.84)
    return _SECRET_WORDS[close[0]] if close else None


class Validator:
    """Small typed getters whose errors all read '<source>: <key> <problem>; <fix>'."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, message: str) -> UsageError:
        return UsageError(f"{self.source}: {message}")

    def keys(self, table: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                did = f"did you mean {hint[0]!r}?" if hint else f"known: {', '.join(sorted(allowed))}"
                raise self.error(f"unknown key {where}{key} ({did})")

    def choice(self, value: str, name: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            hint = difflib.get_close_matches(value, allowed, n=1)
            did = f" (did you mean {hint[0]!r}?)" if hint else ""
            listed = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
            raise self.error(f"{name} {value!r} is not known{did}; use {listed}")
        return value

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(f"{key} must be a table: write it as [{key}]")
        return value

    def string(self, t: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        if key not in t:
            if default is None:
                raise self.error(f"{where}{key} is missing")
            return default
        value = t[key]
        if not isinstance(value, str):
            raise self.error(f"{where}{key} must be a string in quotes, got {value!r}")
        return value

    def integer(self, t: Mapping[str, Any], key: str, where: str, default: int = 0,
                minimum: int = 0) -> int:
        value = t.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(f"{where}{key} must be a whole number ≥ {minimum}, got {value!r}")
        return value

    def number(self, t: Mapping[str, Any], key: str, where: str) -> float:
        value = t[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"{where}{key} must be a number, got {value!r}")
        return float(value)

    def days(self, t: Mapping[str, Any], key: str, where: str) -> tuple[DayRange, ...]:
        value = t.get(key, [])
        if not isinstance(value, list):
            raise self.error(f"{where}{key} must be a list such as "
                             f'["2026-12-31", "2026-12-24..2026-12-28"], got {value!r}')
        try:
            return parse_day_ranges(value)
        except ValueError as exc:
            raise self.error(f"{where}{key}: {exc}") from None
