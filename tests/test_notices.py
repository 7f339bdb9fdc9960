"""Warnings with a deadline reach the result file with a kind, so notify can keep a heads-up issue.

The calendar warning starts on December 1st for the coming year (and holds all year for a year
without data); a token warning names its variable and expiry. ``check`` prints the same lines.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest

from runner.cli import main
from runner.sandbox import Sandbox
from runner.workday import calendar_notices

NEXT_YEAR = ("the chinesecalendar package has no statutory holidays for 2027 yet; from 2027-01-01 "
             "Monday–Friday will count as workdays. Merge the dependency update (or make lock) or "
             "list 2027's days under [workday] holidays and workdays")


@pytest.fixture
def no_2027(monkeypatch: pytest.MonkeyPatch) -> None:
    """The calendar package as it will be in a copy nobody updated: data up to 2026."""
    real = chinese_calendar.is_workday

    def is_workday(day: date) -> bool:
        if day.year >= 2027:
            raise NotImplementedError(f"no available data for year {day.year}")
        return real(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", is_workday)


def test_the_coming_year_is_warned_of_from_december_first(no_2027) -> None:
    assert calendar_notices(date(2026, 11, 30), "cn") == []
    [notice] = calendar_notices(date(2026, 12, 1), "cn")
    assert notice == NEXT_YEAR
    assert notice.as_dict() == {"kind": "calendar", "year": 2027, "message": NEXT_YEAR}
    assert calendar_notices(date(2026, 12, 1), "weekdays") == []
    assert [n.as_dict()["year"] for n in calendar_notices(date(2027, 3, 2), "cn")] == [2027]


@pytest.fixture
def alice(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", "pw-alice-CANARY", plans={"2026-11-19": "2026.11.19\n修复登录 bug"})
    return sandbox


def config(sb: Sandbox, extra: str = "") -> str:
    return f'[site]\nbase_url = "{sb.url}"\n{extra}\n[[accounts]]\nid = "alice"\nusername = "alice"\nplan = "x"\n'


def test_the_result_file_carries_run_and_account_warnings_by_kind(alice, no_2027, tmp_path, capsys) -> None:
    soon = int(time.time()) + 3 * 86400
    env = {"DAILYPLAN_CONFIG": config(alice, 'auth = "bearer"'),
           "DAILYPLAN_TOKEN_ALICE": alice.issue_token("alice", exp=soon)}
    out = tmp_path / "result.json"

    assert main(["run", "--date", "2026-12-01", "--result", str(out)], env) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["warnings"] == [{"kind": "calendar", "year": 2027, "message": NEXT_YEAR}]
    expiry = time.strftime("%Y-%m-%d", time.gmtime(soon))
    [token] = result["accounts"][0]["warnings"]
    assert {k: token[k] for k in ("kind", "variable", "expires")} == {
        "kind": "token", "variable": "DAILYPLAN_TOKEN_ALICE", "expires": expiry}
    assert f"warning: {NEXT_YEAR}\n" in capsys.readouterr().err


def test_a_run_without_warnings_still_says_so(alice, tmp_path) -> None:
    out = tmp_path / "result.json"
    main(["run", "--date", "2026-11-20", "--result", str(out)],
         {"DAILYPLAN_CONFIG": config(alice), "DAILYPLAN_PASSWORD": "pw-alice-CANARY"})

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["warnings"] == [] and "warnings" not in result["accounts"][0]


def test_check_prints_the_same_calendar_warning(alice, no_2027, monkeypatch, capsys) -> None:
    monkeypatch.setattr("runner.check.today_in", lambda tz: date(2026, 12, 1))

    assert main(["check"], {"DAILYPLAN_CONFIG": config(alice), "DAILYPLAN_PASSWORD": "pw-alice-CANARY"}) == 0

    assert capsys.readouterr().err == f"warning: {NEXT_YEAR}\n"


def test_check_prints_the_token_warning_too(alice, monkeypatch, capsys) -> None:
    monkeypatch.setattr("runner.check.today_in", lambda tz: date(2026, 11, 20))
    soon = int(time.time()) + 3 * 86400
    env = {"DAILYPLAN_CONFIG": config(alice, 'auth = "bearer"'),
           "DAILYPLAN_TOKEN_ALICE": alice.issue_token("alice", exp=soon)}

    main(["check"], env)

    expiry = time.strftime("%Y-%m-%d %H:%M", time.gmtime(soon))
    assert (f"warning: DAILYPLAN_TOKEN_ALICE expires on {expiry} UTC; renew the secret before then\n"
            in capsys.readouterr().err)


def test_notices_read_back_from_a_file_keep_their_kind(tmp_path: Path) -> None:
    from runner.result import Notice, notices

    assert notices(["plain", Notice("soon", "token", expires="2026-12-04")]) == [
        {"kind": "other", "message": "plain"}, {"kind": "token", "expires": "2026-12-04", "message": "soon"}]
