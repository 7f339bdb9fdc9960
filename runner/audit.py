"""Which recent workdays have no plan on the site: the days on which no run started at all.

A run that fails goes red and opens an issue; a run that never started (a dropped schedule, a
disabled workflow, a runner offline) leaves no trace but the empty day itself. The history page
the run reads anyway shows those days for free, so this is a pure function over that answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from runner.workday import Decision

DEFAULT_AUDIT_DAYS = 7


def filed_days(rows: Iterable[Any]) -> frozenset[date]:
    """The days a history answer shows a plan for (a row with text; an empty row is no plan)."""
    return frozenset(r.day for r in rows if r.text.strip())


def missed_days(filed: Iterable[date], today: date, decide: Callable[[date], Decision],
                audit_days: int = DEFAULT_AUDIT_DAYS) -> list[date]:
    """Workdays in the ``audit_days`` days before today that have no plan, oldest first.

    Only days after the earliest plan the answer shows count: a person new to the system, or a
    history that shows nothing, is never told they missed days. ``decide`` is the run's own
    workday decision (calendar, company days and the account's leave), so a day off or a day of
    leave is never reported.
    """
    days = set(filed)
    if audit_days <= 0 or not days:
        return []
    first = max(min(days) + timedelta(days=1), today - timedelta(days=audit_days))
    missed = []
    day = first
    while day < today:
        if day not in days and decide(day).off is None:
            missed.append(day)
        day += timedelta(days=1)
    return missed


def describe(account_id: str, missed: list[date]) -> str:
    """One line per account: ``alice: no plan on the site for 2026-11-18 (Wednesday, a workday)``."""
    days = ", ".join(f"{day} ({day:%A}, {'a make-up workday' if day.weekday() >= 5 else 'a workday'})"
                     for day in missed)
    return f"{account_id}: no plan on the site for {days}"
