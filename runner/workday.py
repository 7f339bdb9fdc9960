"""Is this day a workday for this person? Pure functions over dates; no network, no clock.

The order matters and mirrors how people think about it: my leave beats everything, then the
company's own days off and make-up days, then the statutory calendar (with its weekend make-up
workdays), and a year the calendar package does not know yet falls back to Monday–Friday with a
warning instead of failing every run on January 1st.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from runner.status import Notice, Reason


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True)
class Decision:
    off: Reason | None  # None: a workday; else weekend, holiday or leave
    why: str
    warning: str | None = None


def parse_day_ranges(items: Iterable[object]) -> tuple[DayRange, ...]:
    """Parse ["2026-12-31", "2026-12-24..2026-12-28"]; ValueError says which item and why."""
    ranges = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ValueError(f"item {i} must be a string such as \"2026-12-31\", got {item!r}")
        first_text, sep, last_text = item.partition("..")
        try:
            first = date.fromisoformat(first_text.strip())
            last = date.fromisoformat(last_text.strip()) if sep else first
        except ValueError:
            raise ValueError(f"{item!r} is not a date or range; use YYYY-MM-DD "
                             "or YYYY-MM-DD..YYYY-MM-DD") from None
        if last < first:
            raise ValueError(f"range {item!r} ends before it starts; write the earlier date first")
        ranges.append(DayRange(first, last))
    return tuple(ranges)


def next_workday(decide: Callable[[date], Decision], day: date, horizon: int = 60) -> date | None:
    """The first workday after ``day`` within ``horizon`` days (the longest run of days off a
    calendar holds, Spring Festival plus leave, is well under 60), else None."""
    for offset in range(1, horizon + 1):
        candidate = day + timedelta(days=offset)
        if decide(candidate).off is None:
            return candidate
    return None


def today_in(tz: str, now: datetime | None = None) -> date:
    """The date it is now where the team works; runners live in UTC, plans do not."""
    now = now or datetime.now(UTC)
    return now.astimezone(ZoneInfo(tz)).date()


def decide(
    day: date,
    *,
    calendar: str,
    holidays: Iterable[DayRange] = (),
    workdays: Iterable[DayRange] = (),
    leave: Iterable[DayRange] = (),
) -> Decision:
    if any(day in r for r in leave):
        return Decision(Reason.LEAVE, f"{day} is in your leave")
    if any(day in r for r in holidays):
        return Decision(Reason.HOLIDAY, f"{day} is a company day off ([workday] holidays)")
    if any(day in r for r in workdays):
        return Decision(None, f"{day} is a company workday ([workday] workdays)")
    if calendar == "weekdays":
        return _weekday(day, "Monday–Friday calendar")
    return _statutory(day)


def _weekday(day: date, source: str, warning: str | None = None) -> Decision:
    name = day.strftime("%A")
    if day.weekday() < 5:
        return Decision(None, f"{day} is a {name} ({source})", warning)
    return Decision(Reason.WEEKEND, f"{day} is a {name}, a weekend ({source})", warning)


def _statutory(day: date) -> Decision:
    import chinese_calendar  # imported here: it builds its tables at import time

    try:
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return _weekday(day, "Monday–Friday fallback", warning=_no_calendar(day.year))
    holiday_name = ""
    if not workday:
        _, name = chinese_calendar.get_holiday_detail(day)
        holiday_name = f", {name}" if name else ""
    weekend = day.weekday() >= 5
    if workday:
        kind = "a make-up workday" if weekend else "a workday"
        return Decision(None, f"{day} is {kind} (China's statutory calendar)")
    if weekend and not holiday_name:
        return Decision(Reason.WEEKEND, f"{day} is a {day:%A}, a weekend (China's statutory calendar)")
    return Decision(Reason.HOLIDAY, f"{day} is a public holiday (China's statutory calendar{holiday_name})")



def _no_calendar(year: int) -> Notice:
    return Notice(f"the chinesecalendar package has no statutory holidays for {year}; treating "
                  f"Monday–Friday as workdays. Upgrade it (make lock) or list {year}'s days off "
                  "under [workday] holidays", "calendar", year=year)


def calendar_notices(day: date, calendar: str) -> list[Notice]:
    """This year's calendar, and from December 1st next year's, when the package has no data.

    A month's notice: the dependency update can be merged (or the days listed) before January 1st
    turns the Spring Festival's make-up Saturdays into missed days.
    """
    if calendar == "weekdays":
        return []
    import chinese_calendar

    found = []
    for year in (day.year, day.year + 1) if day.month == 12 else (day.year,):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            found.append(_no_calendar(year) if year == day.year else Notice(
                f"the chinesecalendar package has no statutory holidays for {year} yet; from "
                f"{year}-01-01 Monday–Friday will count as workdays. Merge the dependency update "
                f"(or make lock) or list {year}'s days under [workday] holidays and workdays",
                "calendar", year=year))
    return found
