"""The missed-day audit and the month view: pure functions over the days the site shows a plan for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from runner.audit import describe, missed_days
from runner.month import Mark, markdown, month_view, text
from runner.workday import decide, parse_day_ranges

TODAY = date(2026, 11, 26)  # a Thursday


def cn(leave: str = "", holidays: str = "", workdays: str = ""):
    ranges = {k: parse_day_ranges([v] if v else []) for k, v in
              (("leave", leave), ("holidays", holidays), ("workdays", workdays))}
    return lambda day: decide(day, calendar="cn", **ranges)


def workdays_between(first: date, last: date) -> set[date]:
    days = {first + timedelta(n) for n in range((last - first).days + 1)}
    return {d for d in days if cn()(d).off is None}


def test_a_workday_without_a_plan_in_the_window_is_missed() -> None:
    filed = workdays_between(date(2026, 11, 2), TODAY - timedelta(1)) - {date(2026, 11, 24)}
    assert missed_days(filed, TODAY, cn()) == [date(2026, 11, 24)]
    assert describe("alice", [date(2026, 11, 24)]) == \
        "alice: no plan on the site for 2026-11-24 (Tuesday, a workday)"


def test_days_off_leave_and_days_before_the_window_are_never_missed() -> None:
    filed = {date(2026, 11, 2)}  # one old plan; nothing since
    missed = missed_days(filed, TODAY, cn(leave="2026-11-23..2026-11-24"), audit_days=7)
    assert missed == [date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 25)]


def test_days_before_the_earliest_plan_shown_are_never_missed() -> None:
    assert missed_days({date(2026, 11, 24)}, TODAY, cn()) == [date(2026, 11, 25)]
    assert missed_days(set(), TODAY, cn()) == []  # new to the system, or the history shows nothing


def test_audit_days_zero_turns_it_off_and_today_is_never_missed() -> None:
    filed = {date(2026, 11, 2)}
    assert missed_days(filed, TODAY, cn(), audit_days=0) == []
    assert TODAY not in missed_days(filed, TODAY, cn(), audit_days=30)


def test_a_make_up_workday_on_a_weekend_counts_and_says_so() -> None:
    saturday = date(2026, 9, 20)  # hypothetical: made a company workday
    decide_ = cn(workdays="2026-09-20")
    assert missed_days({date(2026, 9, 18)}, date(2026, 9, 21), decide_) == [saturday]
    assert describe("bob", [saturday]) == \
        "bob: no plan on the site for 2026-09-20 (Sunday, a make-up workday)"


def test_the_month_view_marks_each_day_and_counts_workdays() -> None:
    filed = workdays_between(date(2026, 11, 3), TODAY) - {date(2026, 11, 18)}
    view = month_view(2026, 11, filed, TODAY, cn(leave="2026-11-20"))
    assert view.marks[date(2026, 11, 2)] is Mark.UNKNOWN  # before the first plan shown
    assert view.marks[date(2026, 11, 18)] is Mark.MISSED
    assert view.marks[date(2026, 11, 20)] is Mark.FILED  # filed on a day of leave: still filed
    assert view.marks[date(2026, 11, 21)] is Mark.DAY_OFF
    assert view.marks[TODAY] is Mark.FILED_TODAY
    assert view.marks[date(2026, 11, 27)] is Mark.NOT_YET
    assert view.count_line() == "November 2026: 17 of 18 workdays filed, missed 2026-11-18"


def test_the_month_view_renders_a_markdown_grid_and_a_terminal_calendar() -> None:
    filed = workdays_between(date(2026, 11, 2), TODAY) - {date(2026, 11, 18)}
    view = month_view(2026, 11, filed, TODAY, cn())
    md = markdown(view, "alice").splitlines()
    assert md[0] == "**alice**: November 2026: 18 of 19 workdays filed, missed 2026-11-18"
    assert md[2:5] == ["| Mon | Tue | Wed | Thu | Fri | Sat | Sun |", "|:-:|:-:|:-:|:-:|:-:|:-:|:-:|",
                       "|  |  |  |  |  |  | 1 ▫️ |"]
    assert md[7] == "| 16 ✅ | 17 ✅ | 18 ❌ | 19 ✅ | 20 ✅ | 21 ▫️ | 22 ▫️ |"
    assert all(line.count("|") == 8 for line in md[2:10])
    lines = text(view, "alice").splitlines()
    assert lines[:3] == ["alice: November 2026", " Mon  Tue  Wed  Thu  Fri  Sat  Sun",
                         "                               1 ."]
    assert lines[5] == "16 + 17 + 18 x 19 + 20 + 21 . 22 ."
    assert lines[8] == "November 2026: 18 of 19 workdays filed, missed 2026-11-18"


@pytest.mark.parametrize("leave", ["2026-11-18"])
def test_leave_is_marked_leave_not_missed(leave: str) -> None:
    view = month_view(2026, 11, {date(2026, 11, 2)}, TODAY, cn(leave=leave))
    assert view.marks[date(2026, 11, 18)] is Mark.LEAVE
