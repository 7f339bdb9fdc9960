from datetime import UTC, date, datetime

import pytest

from runner.workday import DayRange, decide, parse_day_ranges, today_in

MAKEUP_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


@pytest.mark.parametrize("day", MAKEUP_2026)
def test_2026_makeup_weekend_days_are_workdays(day: str) -> None:
    d = date.fromisoformat(day)
    assert d.weekday() >= 5
    decision = decide(d, calendar="cn")
    assert decision.off is None
    assert "make-up workday" in decision.why


@pytest.mark.parametrize("day", ["2026-10-01", "2026-10-07", "2026-02-17", "2026-01-01"])
def test_statutory_holidays_on_weekdays_are_days_off(day: str) -> None:
    d = date.fromisoformat(day)
    assert d.weekday() < 5
    assert decide(d, calendar="cn").off == "holiday"


def test_plain_weekend_and_workday() -> None:
    assert decide(date(2026, 11, 21), calendar="cn").why.endswith("a weekend (China's statutory calendar)")
    assert decide(date(2026, 11, 20), calendar="cn") .off is None


def test_weekdays_calendar_ignores_statutory_days() -> None:
    assert decide(date(2026, 10, 1), calendar="weekdays").off is None
    assert decide(date(2026, 10, 10), calendar="weekdays").off == "weekend"


def test_company_overrides_beat_the_calendar_and_leave_beats_both() -> None:
    workdays = parse_day_ranges(["2026-11-28"])
    holidays = parse_day_ranges(["2026-12-31", "2026-11-24..2026-11-25"])
    assert decide(date(2026, 11, 28), calendar="cn", workdays=workdays).off is None
    assert decide(date(2026, 11, 25), calendar="cn", holidays=holidays).off == "holiday"
    assert decide(date(2026, 11, 23), calendar="cn", holidays=holidays).off is None
    leave = parse_day_ranges(["2026-11-27..2026-11-30"])
    assert decide(date(2026, 11, 28), calendar="cn", workdays=workdays, leave=leave).off == "leave"


def test_a_year_without_calendar_data_falls_back_to_weekdays_with_a_warning() -> None:
    monday = decide(date(2099, 3, 2), calendar="cn")
    saturday = decide(date(2099, 3, 7), calendar="cn")
    assert monday.off is None and saturday.off == "weekend"
    assert monday.warning is not None and "2099" in monday.warning
    assert "Monday–Friday" in monday.warning


def test_day_ranges_parse_and_contain() -> None:
    ranges = parse_day_ranges(["2026-12-24..2026-12-28", " 2026-12-31 "])
    assert ranges == (DayRange(date(2026, 12, 24), date(2026, 12, 28)),
                      DayRange(date(2026, 12, 31), date(2026, 12, 31)))
    assert date(2026, 12, 28) in ranges[0] and date(2026, 12, 29) not in ranges[0]


@pytest.mark.parametrize(("item", "message"), [
    ("2026-13-01", "'2026-13-01' is not a date or range; use YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"),
    ("2026-12-28..2026-12-24", "range '2026-12-28..2026-12-24' ends before it starts; "
                               "write the earlier date first"),
    (20261231, 'item 0 must be a string such as "2026-12-31", got 20261231'),
])
def test_bad_day_ranges_say_what_is_wrong(item: object, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_day_ranges([item])
    assert str(err.value) == message


def test_today_follows_the_configured_time_zone_not_the_runner() -> None:
    late_utc = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
    assert today_in("Asia/Shanghai", late_utc) == date(2026, 11, 20)
    assert today_in("UTC", late_utc) == date(2026, 11, 19)
