"""What ``learn`` found: the keys with where each came from, the notes, the secrets to guard.

Plain data shared by ``login``, ``infer`` and ``write``; no logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RECORD_AGAIN = "record again with Preserve log on: log in, open your plans, submit one by hand, export"


@dataclass(frozen=True)
class Key:
    name: str
    value: Any
    why: str  # "from entry 7: POST /plan/save", or why the default stands


@dataclass
class Learned:
    site: list[Key] = field(default_factory=list)
    headers: list[Key] = field(default_factory=list)
    submit_fields: list[Key] = field(default_factory=list)
    username: str = ""
    username_why: str = ""
    plan: str = ""
    template: str | None = None
    plan_why: str = ""
    secret: str = "PASSWORD"  # PASSWORD, TOKEN or COOKIE: which DAILYPLAN_<kind>_<ID> to set
    cookie_hint: str = ""  # for COOKIE: which cookie to copy from the browser ("" for the header)
    host: str = ""
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # moments not found: --strict refuses
    secrets: set[str] = field(default_factory=set)
    summary: str = ""
