"""What a recorded value is: a date (and how it was written), a form or JSON body, a secret.

Pure helpers shared by ``moments`` and ``infer``; they know nothing of which request is which.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl

# The written forms of a date the runner can read back, most specific first, with how to write it.
_DATE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), fmt) for pattern, fmt in (
        (r"(\d{4})-(\d{2})-(\d{2})", "%Y-%m-%d"),
        (r"(\d{4})/(\d{2})/(\d{2})", "%Y/%m/%d"),
        (r"(\d{4})\.(\d{2})\.(\d{2})", "%Y.%m.%d"),
        (r"(\d{4})(\d{2})(\d{2})", "%Y%m%d"),
    )
)
_TIME = re.compile(r"(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_FIND = re.compile(r"(?<!\d)(\d{4})([-/.])(\d{2})\2(\d{2})(?!\d)")
_SECRETISH = re.compile(r"[A-Za-z0-9+/=_\-.~%]{16,}")


def parse_day(text: str) -> tuple[date, str] | None:
    """A value that is a date and nothing else (a time after it allowed), with its format."""
    value = text.strip()
    for pattern, fmt in _DATE_FORMS:
        match = pattern.match(value)
        if not match:
            continue
        rest = value[match.end():]
        time = _TIME.fullmatch(rest)
        if not time:
            continue
        try:
            day = date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
        if not 1990 <= day.year <= 2100:
            return None
        if rest.strip() and not any(c in "123456789" for c in rest):
            fmt += rest  # midnight written out (T00:00:00.000Z): a date's strftime keeps it as is
        elif rest.strip():
            fmt += rest[0] + ("%H:%M:%S" if rest.count(":") >= 2 else "%H:%M")
        return day, fmt
    return None


def days_in(text: str) -> list[date]:
    """Every date written with separators inside a longer text (a page, a plan)."""
    found = []
    for y, _sep, m, d in _FIND.findall(text):
        try:
            found.append(date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return found


def as_date_text(day: date, fmt: str) -> str:
    return datetime(day.year, day.month, day.day).strftime(fmt)


def form_fields(body: str) -> tuple[list[tuple[str, str]], str]:
    """A url-encoded body's fields and the charset they were encoded in (UTF-8, else GB18030)."""
    for charset in ("utf-8", "gb18030"):
        try:
            return parse_qsl(body, keep_blank_values=True, encoding=charset, errors="strict"), charset
        except UnicodeDecodeError:
            continue
    return parse_qsl(body, keep_blank_values=True, encoding="latin-1"), "latin-1"


def json_body(text: str | None) -> Any:
    if not text or text.lstrip()[:1] not in "{[\"":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def looks_secret(value: str) -> bool:
    """A random-looking run of 16+ characters: a session id, a token, a CSRF value.

    Hex (UUIDs too) with a digit, or letters of both cases with digits (base64, JWTs); a fixed
    field such as ``daily_plan_form_v2`` is words, not noise, and stays a value to copy.
    """
    value = value.strip()
    if len(value) < 16 or not _SECRETISH.fullmatch(value):
        return False
    core = re.sub(r"[-_.~%=+/]", "", value)
    if re.fullmatch(r"[0-9a-fA-F]{16,}", core) and any(c.isdigit() for c in core):
        return True
    return any(c.isdigit() for c in core) and any(c.islower() for c in core) \
        and any(c.isupper() for c in core)


_PER_SESSION = re.compile(r"csrf|xsrf|token|nonce|authenticity|verification|signature|^_?sign$",
                          re.IGNORECASE)


def per_session(name: str, value: object) -> bool:
    """A field whose value the server hands out per session (by its name or its look)."""
    return bool(_PER_SESSION.search(name)) or (isinstance(value, str) and looks_secret(value))


def is_timestamp(value: str) -> bool:
    """A cache-buster such as ``_=1732412345678``: seconds or milliseconds since 1970."""
    return value.isdigit() and len(value) in (10, 13)
