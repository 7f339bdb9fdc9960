"""``dailyplan run`` end to end against the in-process sandbox, as a user drives it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox

PREVIOUS = "2026.11.19\n修复登录 bug 🚀\n\n2026.11.18\n更早的工作"
TEAM_PLAN = "2026.11.20\n整理本周的发布说明与回归清单"


def toml(sb: Sandbox, *accounts: str, extra: str = "") -> str:
    blocks = "".join(f'\n[[accounts]]\nid = "{a}"\nusername = "{a}"\nplan = "继续重构支付接口"\n'
                     for a in accounts)
    return f'[site]\nbase_url = "{sb.url}"\n{extra}\n{blocks}'


@pytest.fixture
def team(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", "pw-alice-CANARY", plans={"2026-11-19": PREVIOUS})
    sandbox.add_account("bob", "pw-bob-CANARY", plans={"2026-11-19": "2026.11.19\nbob's plan"})
    for mate in ("carol", "dave"):
        sandbox.add_account(mate, f"pw-{mate}", plans={"2026-11-20": TEAM_PLAN})
    return sandbox


def env(sb: Sandbox, *accounts: str, extra: str = "", **more: str) -> dict[str, str]:
    secrets = {f"DAILYPLAN_PASSWORD_{a.upper()}": f"pw-{a}-CANARY" for a in accounts}
    return {"DAILYPLAN_CONFIG": toml(sb, *accounts, extra=extra), **secrets, **more}


def run(e: dict[str, str], *args: str, date: str = "2026-11-20") -> int:
    return main(["run", "--date", date, *args], e)


def test_a_workday_submits_and_reads_back_in_five_requests(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result_file = tmp_path / "out" / "result.json"
    assert run(env(team, "alice"), "--result", str(result_file)) == 0
    assert team.plans["alice"]["2026-11-20"] == "2026.11.20\n继续重构支付接口\n\n2026.11.19\n修复登录 bug 🚀"
    result = json.loads(result_file.read_text())
    assert result["date"] == "2026-11-20" and result["timezone"] == "Asia/Shanghai"
    [alice] = result["accounts"]
    assert {k: alice[k] for k in ("id", "status", "reason", "previous_date", "requests")} == {
        "id": "alice", "status": "submitted", "reason": None, "previous_date": "2026-11-19", "requests": 5}
    assert alice["message"] == "submitted and read back" and alice["seconds"] >= 0
    assert [e.kind for e in team.requests_by(user=None)] == ["login", "history", "history", "submit",
                                                           "history"]
    assert "继续重构" not in result_file.read_text()  # no plan text in the result file
    assert "alice  submitted" in capsys.readouterr().out


def test_a_plan_written_by_hand_is_left_alone_and_force_replaces_it(team: Sandbox) -> None:
    team.plans["alice"]["2026-11-20"] = "2026.11.20\n我手写的计划"
    e = env(team, "alice")
    assert run(e) == 0
    assert team.plans["alice"]["2026-11-20"] == "2026.11.20\n我手写的计划"
    assert [x.kind for x in team.log] == ["login", "history"]
    assert run(e, "--force") == 0
    assert team.plans["alice"]["2026-11-20"].startswith("2026.11.20\n继续重构支付接口")


def test_dry_run_reads_prints_and_submits_nothing(team: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(env(team, "alice"), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "previewed" in out and "    │ 2026.11.19" in out and "    │ 继续重构支付接口" in out
    assert "2026-11-20" not in team.plans["alice"]
    assert [x.kind for x in team.log] == ["login", "history", "history"]  # range, then today alone


def test_dry_run_makes_the_same_skip_decisions(team: Sandbox, tmp_path: Path) -> None:
    team.plans["alice"]["2026-11-20"] = "by hand"
    out = tmp_path / "r.json"
    assert run(env(team, "alice"), "--dry-run", "--result", str(out)) == 0
    assert json.loads(out.read_text())["accounts"][0]["reason"] == "already-submitted"


@pytest.mark.parametrize(("date", "extra", "reason"), [
    ("2026-10-01", "", "holiday"),            # National Day
    ("2026-11-21", "", "weekend"),            # a Saturday
    ("2026-11-20", '[workday]\nholidays = ["2026-11-20"]', "holiday"),
])
def test_days_off_make_no_request(team: Sandbox, tmp_path: Path, date: str, extra: str, reason: str) -> None:
    out = tmp_path / "r.json"
    assert run(env(team, "alice", extra=extra), "--result", str(out), date=date) == 0
    account = json.loads(out.read_text())["accounts"][0]
    assert (account["status"], account["reason"], account["requests"]) == ("skipped", reason, 0)
    assert team.log == []


def test_makeup_saturday_is_a_workday(team: Sandbox) -> None:
    team.plans["alice"]["2026-10-09"] = "2026.10.09\n节后第一天"
    assert run(env(team, "alice"), date="2026-10-10") == 0
    assert team.plans["alice"]["2026-10-10"].endswith("\n\n2026.10.09\n节后第一天")


def test_leave_skips_only_that_person(team: Sandbox, tmp_path: Path) -> None:
    e = env(team, "alice", "bob")
    e["DAILYPLAN_CONFIG"] = e["DAILYPLAN_CONFIG"].replace(
        'username = "alice"', 'username = "alice"\nleave = ["2026-11-19..2026-11-23"]')
    out = tmp_path / "r.json"
    assert run(e, "--result", str(out)) == 0
    statuses = {a["id"]: (a["status"], a["reason"]) for a in json.loads(out.read_text())["accounts"]}
    assert statuses == {"alice": ("skipped", "leave"), "bob": ("submitted", None)}


@pytest.mark.parametrize(("quorum", "status", "requests"), [(2, "submitted", 6), (3, "skipped", 4)])
def test_quorum(team: Sandbox, tmp_path: Path, quorum: int, status: str, requests: int) -> None:
    out = tmp_path / "r.json"
    assert run(env(team, "alice", extra=f"[workday]\nquorum = {quorum}"), "--result", str(out)) == 0
    account = json.loads(out.read_text())["accounts"][0]
    assert (account["status"], account["requests"]) == (status, requests)
    if status == "skipped":
        assert account["reason"] == "quorum"
        assert account["message"] == "2 of the required 3 teammates have a plan for 2026-11-20; not a workday for the team yet"


def test_one_failing_account_never_stops_the_others(team: Sandbox, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    e = env(team, "alice", "bob")
    e["DAILYPLAN_PASSWORD_ALICE"] = "wrong"
    out = tmp_path / "r.json"
    assert run(e, "--result", str(out)) == 1
    accounts = {a["id"]: a for a in json.loads(out.read_text())["accounts"]}
    assert (accounts["alice"]["status"], accounts["alice"]["reason"]) == ("failed", "auth")
    assert accounts["bob"]["status"] == "submitted"
    assert "2026-11-20" in team.plans["bob"]


def test_lost_write_is_caught_by_the_read_back_and_retried_once(team: Sandbox, tmp_path: Path) -> None:
    team.faults.lost_writes = 1
    out = tmp_path / "r.json"
    assert run(env(team, "alice"), "--result", str(out)) == 0
    account = json.loads(out.read_text())["accounts"][0]
    assert account["message"] == "submitted and read back on the second try"
    assert account["requests"] == 7


def test_writes_lost_every_time_fail_verify(team: Sandbox, tmp_path: Path) -> None:
    team.faults.lost_writes = 5
    out = tmp_path / "r.json"
    assert run(env(team, "alice"), "--result", str(out)) == 1
    account = json.loads(out.read_text())["accounts"][0]
    assert (account["status"], account["reason"]) == ("failed", "verify")
    assert account["message"] == ("the site accepted the plan for 2026-11-20 but reading it back shows "
                                  "nothing, twice; check it by hand")


def test_changed_layout_fails_without_submitting(team: Sandbox, tmp_path: Path) -> None:
    team.faults.layout_changed = True
    out = tmp_path / "r.json"
    assert run(env(team, "alice"), "--result", str(out)) == 1
    assert json.loads(out.read_text())["accounts"][0]["reason"] == "site-changed"
    assert "2026-11-20" not in team.plans["alice"]
    assert "submit" not in [x.kind for x in team.log]


def test_no_history_at_all(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.add_account("alice", "pw-alice-CANARY")
    out = tmp_path / "r.json"
    assert run(env(sandbox, "alice"), "--result", str(out)) == 0
    assert sandbox.plans["alice"]["2026-11-20"] == "2026.11.20\n继续重构支付接口"
    assert json.loads(out.read_text())["accounts"][0]["message"] == (
        "submitted and read back; no earlier plan in the last 31 days, so none was quoted")


def test_previous_workday_found_after_a_long_gap(team: Sandbox) -> None:
    team.plans["alice"] = {"2026-11-06": "2026.11.06\n假期前最后一天"}
    assert run(env(team, "alice"), date="2026-11-23") == 0
    assert team.plans["alice"]["2026-11-23"].endswith("\n\n2026.11.06\n假期前最后一天")
    assert len(team.log) == 5


@pytest.mark.catalogue("security", "running under GitHub Actions",
                        "`::add-mask::` for every secret before anything else is printed")
def test_github_actions_masks_secrets_first_and_writes_the_summary(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = tmp_path / "summary.md"
    e = env(team, "alice", "bob", GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    e["DAILYPLAN_PASSWORD_BOB"] = "wrong-bob-CANARY"
    assert run(e) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["::add-mask::wrong-bob-CANARY", "::add-mask::pw-alice-CANARY"]
    assert any(line.startswith("::error title=dailyplan bob::auth: login refused for bob") for line in out)
    table = summary.read_text()
    assert "| alice | ✅ submitted |" in table and "| bob | ❌ failed | auth |" in table


def test_workflow_inputs_arrive_as_environment(team: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    e = env(team, "alice", "bob", DAILYPLAN_DATE="2026-11-20", DAILYPLAN_DRY_RUN="true",
            DAILYPLAN_ACCOUNT="bob", DAILYPLAN_FORCE="false")
    assert main(["run", "--result", str(out)], e) == 0
    result = json.loads(out.read_text())
    assert result["date"] == "2026-11-20"
    assert [(a["id"], a["status"]) for a in result["accounts"]] == [("bob", "previewed")]


def test_not_configured_is_green_and_quiet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["run", "--if-configured", "--result", str(out)], {"GITHUB_ACTIONS": "true"}) == 0
    assert capsys.readouterr().out.startswith("::notice title=dailyplan::dailyplan is not configured here")
    assert not out.exists()


def test_partly_configured_is_an_error(team: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    e = env(team, "alice", "bob")
    del e["DAILYPLAN_PASSWORD_BOB"]
    assert main(["run", "--if-configured"], e) == 2
    assert "missing secret for account bob: set DAILYPLAN_PASSWORD_BOB" in capsys.readouterr().err
    assert team.log == []  # found before any account ran


def test_single_account_short_secret_name(team: Sandbox) -> None:
    e = {"DAILYPLAN_CONFIG": toml(team, "alice"), "DAILYPLAN_PASSWORD": "pw-alice-CANARY"}
    assert run(e) == 0 and "2026-11-20" in team.plans["alice"]


def test_bearer_with_password_and_with_ready_token(team: Sandbox) -> None:
    extra = 'auth = "bearer"'
    e = {"DAILYPLAN_CONFIG": toml(team, "alice").replace("[site]", f"[site]\n{extra}"),
         "DAILYPLAN_PASSWORD_ALICE": "pw-alice-CANARY"}
    assert run(e) == 0
    del team.plans["alice"]["2026-11-20"]
    team.clear_log()
    e = {**e, "DAILYPLAN_TOKEN_ALICE": team.issue_token("alice")}
    assert run(e) == 0
    assert [x.kind for x in team.log] == ["history", "history", "submit", "history"]


def test_check_reports_each_account(team: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    e = env(team, "alice", "bob")
    e["DAILYPLAN_PASSWORD_BOB"] = "wrong"
    assert main(["check"], e) == 1
    out = capsys.readouterr().out
    assert "alice  alice            ready (logged in with DAILYPLAN_PASSWORD_ALICE; history read: 1 plan(s), 0 on " in out
    assert ("bob    bob              login: GET /login answered 200 and set no cookie at all ('用户名或密码错误'): "
            "check DAILYPLAN_PASSWORD_BOB, site.login_method, site.username_param and site.password_param") in out
    del e["DAILYPLAN_PASSWORD_BOB"]
    assert main(["check"], e) == 2
    assert "bob    bob              missing: set DAILYPLAN_PASSWORD_BOB" in capsys.readouterr().out
    assert "submit" not in [x.kind for x in team.log]


def test_warnings_name_the_year_and_the_expiry_date(team: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    import time

    soon = int(time.time()) + 3 * 86400
    e = {"DAILYPLAN_CONFIG": toml(team, "alice").replace("[site]", '[site]\nauth = "bearer"'),
         "DAILYPLAN_TOKEN_ALICE": team.issue_token("alice", exp=soon), "GITHUB_ACTIONS": "true"}
    assert run(e, "--dry-run", date="2099-03-02") == 0
    err = capsys.readouterr().err
    assert "warning: the chinesecalendar package has no statutory holidays for 2099" in err
    assert "::warning title=dailyplan::the chinesecalendar package has no statutory holidays for 2099" in err
    expiry = time.strftime("%Y-%m-%d", time.gmtime(soon))
    assert f"warning: DAILYPLAN_TOKEN_ALICE expires on {expiry}" in err
