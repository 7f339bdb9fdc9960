"""``dailyplan history`` against the sandbox: one read per account, a calendar, nothing submitted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox
from runner.workday import decide


def november_plans(skip: set[int]) -> dict[str, str]:
    days = [date(2026, 11, d) for d in range(3, 27)]
    return {d.isoformat(): f"{d:%Y.%m.%d}\n计划 {d.day}" for d in days
            if decide(d, calendar="cn").off is None and d.day not in skip}


@pytest.fixture
def env(sandbox: Sandbox) -> dict[str, str]:
    sandbox.add_account("alice", "pw-alice-CANARY", plans=november_plans({18, 20}))
    toml = (f'[site]\nbase_url = "{sandbox.url}"\n[[accounts]]\nid = "alice"\nusername = "alice"\n'
            'plan = "x"\nleave = ["2026-11-20"]\n')
    return {"DAILYPLAN_CONFIG": toml, "DAILYPLAN_PASSWORD_ALICE": "pw-alice-CANARY"}


def test_history_prints_the_month_with_a_count_line(
        sandbox: Sandbox, env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.clear_log()
    assert main(["history", "--month", "2026-11", "--date", "2026-11-26"], env) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "alice: November 2026"
    assert out[5] == "16 + 17 + 18 x 19 + 20 L 21 . 22 ."  # 20th: leave, and no plan that day
    assert out[6] == "23 + 24 + 25 + 26 * 27   28 . 29 ."
    assert out[8] == "November 2026: 16 of 17 workdays filed, missed 2026-11-18"
    assert [e.kind for e in sandbox.log] == ["login", "history"]  # one read, nothing submitted
    assert "pw-alice-CANARY" not in "\n".join(out)


def test_history_defaults_to_the_month_of_today(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--date", "2026-11-26"], env) == 0
    assert capsys.readouterr().out.startswith("alice: November 2026\n")


@pytest.mark.parametrize(("args", "line"), [
    (["--month", "2026-13"], "error: --month '2026-13' is not a month; use YYYY-MM, e.g. 2026-11"),
    (["--month", "2026-12"], "error: --month 2026-12 has not started yet (today is 2026-11-26 in "
                             "Asia/Shanghai); pick this month or an earlier one"),
])
def test_history_bad_month_is_one_line_and_exit_2(env: dict[str, str], capsys: pytest.CaptureFixture[str],
                                                  args: list[str], line: str) -> None:
    assert main(["history", "--date", "2026-11-26", *args], env) == 2
    assert capsys.readouterr().err == line + "\n"


def test_history_wrong_password_is_one_line_and_exit_1(
        env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    env["DAILYPLAN_PASSWORD_ALICE"] = "wrong-CANARY"
    assert main(["history", "--date", "2026-11-26"], env) == 1
    out = capsys.readouterr().out
    assert out.startswith("alice: could not read the history (auth): login refused for alice")
    assert "wrong-CANARY" not in out


def run_env(sandbox: Sandbox, extra: str = "", **more: str) -> dict[str, str]:
    toml = (f'[site]\nbase_url = "{sandbox.url}"\n{extra}\n[[accounts]]\nid = "alice"\nusername = "alice"\n'
            'plan = "继续重构"\nleave = ["2026-11-20"]\n')
    return {"DAILYPLAN_CONFIG": toml, "DAILYPLAN_PASSWORD_ALICE": "pw-alice-CANARY", **more}


def test_a_run_reports_missed_workdays_in_result_console_and_summary(
        sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.add_account("alice", "pw-alice-CANARY", plans=november_plans({18, 20, 23, 24, 25, 26}))
    summary = tmp_path / "summary.md"
    out_file = tmp_path / "result.json"
    env = run_env(sandbox, GITHUB_STEP_SUMMARY=str(summary))
    sandbox.clear_log()
    assert main(["run", "--date", "2026-11-26", "--result", str(out_file)], env) == 0


    account = json.loads(out_file.read_text())["accounts"][0]
    assert account["status"] == "submitted"
    # 18th: outside the 7-day window; 20th: leave; 21st/22nd: weekend; 26th: today, just filed
    assert account["missed"] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert account["filed"][-2:] == ["2026-11-19", "2026-11-26"]  # today: read back just now
    line = ("alice: no plan on the site for 2026-11-23 (Monday, a workday), 2026-11-24 (Tuesday, a workday), "
            "2026-11-25 (Wednesday, a workday)")
    assert line in capsys.readouterr().out.splitlines()
    text_ = summary.read_text()
    assert f"\n{line}\n" in text_
    assert "| 23 ❌ | 24 ❌ | 25 ❌ | 26 📌 | 27 ⏳ | 28 ▫️ | 29 ▫️ |" in text_
    assert "**alice**: November 2026: " in text_
    assert len(sandbox.log) <= 5  # the audit costs no request


def test_audit_days_0_turns_the_audit_off(sandbox: Sandbox, tmp_path: Path) -> None:


    sandbox.add_account("alice", "pw-alice-CANARY", plans=november_plans({23, 24, 25, 26}))
    out_file = tmp_path / "result.json"
    env = run_env(sandbox, extra="[workday]\naudit_days = 0")
    env["DAILYPLAN_CONFIG"] = env["DAILYPLAN_CONFIG"].replace("[workday]\naudit_days = 0\n", "") \
        + "\n[workday]\naudit_days = 0\n"
    assert main(["run", "--date", "2026-11-26", "--result", str(out_file)], env) == 0
    assert json.loads(out_file.read_text())["accounts"][0]["missed"] == []


def test_a_day_off_reads_nothing_and_reports_no_audit(sandbox: Sandbox, tmp_path: Path) -> None:


    sandbox.add_account("alice", "pw-alice-CANARY", plans=november_plans({23, 24, 25, 26}))
    out_file = tmp_path / "result.json"
    assert main(["run", "--date", "2026-11-28", "--result", str(out_file)], run_env(sandbox)) == 0
    account = json.loads(out_file.read_text())["accounts"][0]
    assert account["requests"] == 0 and "missed" not in account
