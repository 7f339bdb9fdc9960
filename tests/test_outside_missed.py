"""The outside check of #16: missed days and the month view on days picked from outside (a make-up
Saturday, the days after National Day, a Monday after leave, the first workday of a month,
``audit_days`` larger than the gap), run against the sandbox with the real statutory calendar.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox
from runner.workday import decide

PASSWORD = "pw-outside-CANARY"


def workdays(first: str, last: str, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """A plan on every statutory workday from first to last (make-up weekend days included)."""
    day, end, plans = date.fromisoformat(first), date.fromisoformat(last), {}
    while day <= end:
        if decide(day, calendar="cn").off is None and day.isoformat() not in skip:
            plans[day.isoformat()] = f"{day:%Y.%m.%d}\n计划 {day.day}"
        day += timedelta(days=1)
    return plans


def run(sandbox: Sandbox, tmp_path: Path, day: str, plans: dict[str, str], workday: str = "",
        account: str = "", *more: str) -> dict:
    sandbox.add_account("wang", PASSWORD, plans=plans)
    config = tmp_path / "dailyplan.toml"
    config.write_text(f'[site]\nbase_url = "{sandbox.url}"\n[workday]\n{workday}\n'
                      f'[[accounts]]\nid = "wang"\nusername = "wang"\nplan = "继续"\n{account}',
                      encoding="utf-8")
    result = tmp_path / "result.json"
    code = main(["run", "--config", str(config), "--date", day, "--result", str(result), *more],
                {"DAILYPLAN_PASSWORD": PASSWORD})
    assert code == 0
    [found] = json.loads(result.read_text(encoding="utf-8"))["accounts"]
    return found


def test_a_make_up_saturday_without_a_plan_is_missed(sandbox: Sandbox, tmp_path: Path) -> None:
    """2026-10-10 (Saturday) is a make-up workday after National Day; Monday's run says so."""
    found = run(sandbox, tmp_path, "2026-10-12", workdays("2026-09-21", "2026-10-09"))
    assert found["status"] == "submitted"
    assert found["missed"] == ["2026-10-10"]


def test_a_make_up_saturday_is_filed_when_run_on_it(sandbox: Sandbox, tmp_path: Path) -> None:
    found = run(sandbox, tmp_path, "2026-10-10", workdays("2026-09-21", "2026-10-09"))
    assert (found["status"], found["previous_date"], found["missed"]) == ("submitted", "2026-10-09", [])


def test_after_national_day_the_holiday_is_not_missed_but_the_day_after_it_is(
        sandbox: Sandbox, tmp_path: Path) -> None:
    plans = workdays("2026-09-14", "2026-09-30")
    found = run(sandbox, tmp_path, "2026-10-08", plans)
    assert (found["status"], found["previous_date"], found["missed"]) == ("submitted", "2026-09-30", [])
    sandbox.plans["wang"].pop("2026-10-08")  # the 8th never filed: the 9th's run names it alone
    found = run(sandbox, tmp_path, "2026-10-09", {})
    assert found["missed"] == ["2026-10-08"]


def test_a_monday_after_leave_reports_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    found = run(sandbox, tmp_path, "2026-11-23", workdays("2026-11-02", "2026-11-13"),
                account='leave = ["2026-11-16..2026-11-20"]\n')
    assert (found["status"], found["previous_date"], found["missed"]) == ("submitted", "2026-11-13", [])


def test_the_first_workday_of_a_month_audits_the_month_before(
        sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = run(sandbox, tmp_path, "2026-12-01", workdays("2026-11-02", "2026-11-30", skip=("2026-11-27",)))
    assert (found["status"], found["missed"]) == ("submitted", ["2026-11-27"])
    capsys.readouterr()
    assert main(["history", "--config", str(tmp_path / "dailyplan.toml"), "--month", "2026-11",
                 "--date", "2026-12-01"], {"DAILYPLAN_PASSWORD": PASSWORD}) == 0
    out = capsys.readouterr().out.splitlines()
    assert "November 2026: 20 of 21 workdays filed, missed 2026-11-27" in out
    assert main(["history", "--config", str(tmp_path / "dailyplan.toml"),
                 "--date", "2026-12-01"], {"DAILYPLAN_PASSWORD": PASSWORD}) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "wang: December 2026"
    assert "December 2026: 1 of 1 workdays filed" in out


def test_audit_days_larger_than_the_gap_counts_only_after_the_first_plan(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """A person who started on 2026-11-18: thirty days of audit name only the one day after it."""
    found = run(sandbox, tmp_path, "2026-11-25", workdays("2026-11-18", "2026-11-24", skip=("2026-11-20",)),
                "audit_days = 30\n")
    assert found["missed"] == ["2026-11-20"]


def test_audit_days_beyond_the_history_read_is_refused_naming_both_keys(
        sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Days the history read does not cover cannot be audited: exit 2 before any request."""
    config = tmp_path / "dailyplan.toml"
    config.write_text(f'[site]\nbase_url = "{sandbox.url}"\n[workday]\naudit_days = 60\n'
                      '[[accounts]]\nid = "wang"\nusername = "wang"\nplan = "继续"\n', encoding="utf-8")
    assert main(["run", "--config", str(config), "--date", "2026-11-25"], {"DAILYPLAN_PASSWORD": PASSWORD}) == 2
    assert capsys.readouterr().err == (f"error: {config}: workday.audit_days (60) is more than "
                                       "site.lookback_days (31); lower it or raise site.lookback_days\n")
    assert sandbox.log == []
