"""A month of one account's plans as a small calendar: in the step summary, and `dailyplan history`.

Pure: it gets the days the site shows a plan for and the run's own workday decision, and returns
marks; rendering is Markdown (GitHub shows the table as a grid) or plain text for a terminal.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from runner.status import Reason
from runner.workday import Decision


class Mark(StrEnum):
    FILED = "filed"
    FILED_TODAY = "filed today"
    MISSED = "missed"
    LEAVE = "leave"
    DAY_OFF = "day off"
    NOT_YET = "not yet"
    UNKNOWN = "before the first plan shown"  # never called missed: the person may be new here


MARKDOWN = {Mark.FILED: "✅", Mark.FILED_TODAY: "📌", Mark.MISSED: "❌", Mark.LEAVE: "🏖️",
            Mark.DAY_OFF: "▫️", Mark.NOT_YET: "⏳", Mark.UNKNOWN: "–"}
TEXT = {Mark.FILED: "+", Mark.FILED_TODAY: "*", Mark.MISSED: "x", Mark.LEAVE: "L",
        Mark.DAY_OFF: ".", Mark.NOT_YET: " ", Mark.UNKNOWN: "-"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class MonthView:
    year: int
    month: int
    marks: dict[date, Mark]

    @property
    def title(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def missed(self) -> list[date]:
        return sorted(d for d, m in self.marks.items() if m is Mark.MISSED)

    def count_line(self) -> str:
        """``November 2026: 18 of 19 workdays filed, missed 2026-11-18``."""
        due = [m for m in self.marks.values() if m in (Mark.FILED, Mark.FILED_TODAY, Mark.MISSED)]
        filed = sum(m is not Mark.MISSED for m in due)
        tail = f", missed {', '.join(map(str, self.missed))}" if self.missed else ""
        return f"{self.title}: {filed} of {len(due)} workdays filed{tail}"

    def weeks(self) -> list[list[date | None]]:
        return [[d if d.month == self.month else None for d in week]
                for week in calendar.Calendar().monthdatescalendar(self.year, self.month)]


def month_view(year: int, month: int, filed: Iterable[date], today: date,
               decide: Callable[[date], Decision]) -> MonthView:
    """Mark every day of the month; a workday counts as due only once it is past, or filed.

    Days filed on a day off still show as filed (a plan is a plan). A workday without a plan is
    missed only after the earliest plan the answer shows, the same rule as the missed-day audit.
    """
    days = set(filed)
    earliest = min(days) if days else None
    marks: dict[date, Mark] = {}
    for week in calendar.Calendar().monthdatescalendar(year, month):
        for day in week:
            if day.month != month:
                continue
            decision = decide(day)
            if day in days:
                marks[day] = Mark.FILED_TODAY if day == today else Mark.FILED
            elif decision.off == Reason.LEAVE:
                marks[day] = Mark.LEAVE
            elif decision.off is not None:
                marks[day] = Mark.DAY_OFF
            elif day >= today:
                marks[day] = Mark.NOT_YET
            elif earliest is None or day < earliest:
                marks[day] = Mark.UNKNOWN
            else:
                marks[day] = Mark.MISSED
    return MonthView(year, month, marks)


def markdown(view: MonthView, account_id: str) -> str:
    lines = [f"**{account_id}**: {view.count_line()}", "",
             "| " + " | ".join(WEEKDAYS) + " |", "|" + ":-:|" * 7]
    for week in view.weeks():
        cells = ["" if d is None else f"{d.day} {MARKDOWN[view.marks[d]]}" for d in week]
        lines.append("| " + " | ".join(cells) + " |")
    legend = " · ".join(f"{MARKDOWN[m]} {m}" for m in Mark)
    return "\n".join([*lines, "", legend]) + "\n"


def text(view: MonthView, account_id: str) -> str:
    lines = [f"{account_id}: {view.title}", " ".join(f"{w:>4}" for w in WEEKDAYS)]
    for week in view.weeks():
        lines.append(" ".join("    " if d is None else f"{d.day:>2} {TEXT[view.marks[d]]}"
                              for d in week).rstrip())
    legend = "  ".join(f"{TEXT[m].strip() or '(blank)'} {m}" for m in Mark)
    return "\n".join([*lines, view.count_line(), legend]) + "\n"
