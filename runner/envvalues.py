"""How each environment value is read: the parsers ``inputs.VARIABLES`` names, one per kind.

Each takes the raw text and returns the value, or raises ValueError saying what is allowed;
``inputs`` turns that into the one line naming the variable. Standard library only.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

BOM = "\ufeff"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
OUTCOMES = ("success", "failure", "cancelled", "skipped")


def strip_bom(text: str) -> str:
    """A config saved by Windows Notepad starts with a BOM that TOML would call a syntax error."""
    return text[1:] if text.startswith(BOM) else text


def text(raw: str) -> str:
    return raw.strip()


def flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _TRUE + _FALSE:
        raise ValueError("use true or false (also 1/0, yes/no, on/off)")
    return value in _TRUE


def day(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("use a date as YYYY-MM-DD, e.g. 2026-11-20") from None


def ids(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(raw.replace(",", " ").split()))


def seconds(raw: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", raw.lower())
    value = float(match.group(1)) * _UNITS[match.group(2)] if match else math.nan
    if not math.isfinite(value):
        raise ValueError("use a number of seconds such as 300, or 5m")
    return value


def outcome(raw: str) -> str:
    value = raw.strip().lower()
    if value and value not in OUTCOMES:
        raise ValueError(f"use one of {', '.join(OUTCOMES)} (the run job's result)")
    return value


def label(raw: str) -> str:
    value = raw.strip()
    if len(value) > 50 or "," in value:
        raise ValueError("use a GitHub label name of at most 50 characters, without commas")
    return value


def repository(raw: str) -> str:
    value = raw.strip()
    if value and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", value):
        raise ValueError("use owner/name, as Actions sets it")
    return value


def url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise ValueError("use an http(s) URL such as https://api.github.com")
    return value


def run_id(raw: str) -> str:
    value = raw.strip()
    if value and not value.isdigit():
        raise ValueError("use the number Actions sets")
    return value


def heartbeat(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise ValueError("use an http(s) URL such as https://hc-ping.com/<uuid>; copy it from the "
                         "check's page, or unset it")
    return value


def minutes(raw: str) -> int:
    value = raw.strip()
    if not value.isdigit() or int(value) == 0:
        raise ValueError("use the run job's timeout-minutes, a whole number such as 30")
    return int(value)


def existing(raw: str) -> str | None:
    value = raw.strip()
    try:
        found = not value or Path(value).exists()
    except (OSError, ValueError):  # a name too long, a NUL byte
        found = False
    if not found:
        raise ValueError("point it at an existing file (PEM certificates) or unset it")
    return value or None
