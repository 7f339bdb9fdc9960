"""``check`` proves what it says: ready only after an authenticated read and a clean render."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox
from runner.workday import today_in


@pytest.fixture(autouse=True)
def no_calendar_heads_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run on the real today; from December 1st a year without statutory data adds a
    warning line (tests/test_notices.py covers it), which is not what they are about."""
    monkeypatch.setattr("runner.check.calendar_notices", lambda day, calendar: [])


@pytest.fixture
def team(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", "pw-alice", plans={"2026-11-19": "2026.11.19\n修复登录 bug"})
    return sandbox


def toml(sb: Sandbox, extra: str = "", site: str = "", account: str = 'plan = "计划"\n') -> str:
    return (f'{extra}[site]\nbase_url = "{sb.url}"\n{site}'
            f'[[accounts]]\nid = "alice"\nusername = "alice"\n{account}')


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str,
          **env: str) -> tuple[int, list[str]]:
    (tmp_path / "dailyplan.toml").write_text(config, encoding="utf-8")
    code = main(["check", "--config", str(tmp_path / "dailyplan.toml")],
                {"DAILYPLAN_PASSWORD": "pw-alice", **env})
    out = capsys.readouterr()
    # warnings with a deadline (next year's calendar, from December) are test_workday's business
    return code, [line for line in (out.out + out.err).splitlines() if not line.startswith("warning: ")]


def test_ready_means_logged_in_and_read(team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, toml(team))
    assert code == 0
    today = today_in("Asia/Shanghai")
    assert lines[2:] == ["checking  alice …",
                         "alice  alice            ready (logged in with DAILYPLAN_PASSWORD; history read: "
                         f"1 plan(s), 0 on {today})"]
    assert [e.kind for e in team.log] == ["login", "history", "history", "history"]  # range, newest day, after it


def test_a_garbage_token_is_not_ready(team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, toml(team, site='auth = "bearer"\n'), DAILYPLAN_TOKEN="garbage")
    assert code == 1
    assert lines[-1] == ("alice  alice            history: GET /routine/daily answered 302, the login page, "
                         "right after logging in: the login did not take; check DAILYPLAN_TOKEN, "
                         "site.cookie_name and site.login_method")
    assert [e.kind for e in team.log] == ["history"]  # the token was tried, not assumed


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ account.name }}\n", "'dict object' has no attribute 'name'"),
    ("{{ today.strftime() }}\n", "TypeError"),
    ("{% if false %}x{% endif %}\n", "renders an empty plan for account alice; give it text, or set the "
                                     "account's plan"),
])
def test_template_errors_that_only_rendering_finds_are_config_errors(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str, expected: str) -> None:
    (tmp_path / "mine.j2").write_text(template, encoding="utf-8")
    code, lines = check(tmp_path, capsys, toml(team, account='plan = "x"\ntemplate = "mine.j2"\n'))
    assert code == 2
    assert lines[-1].startswith(f"alice  alice            config: template {tmp_path / 'mine.j2'}")
    assert expected in lines[-1]


def test_the_template_is_rendered_even_when_the_login_fails(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.j2").write_text("{{ previous.upper().nope() }}\n", encoding="utf-8")
    code, lines = check(tmp_path, capsys, toml(team, account='plan = "x"\ntemplate = "mine.j2"\n'),
                        DAILYPLAN_PASSWORD="wrong")
    assert code == 2 and "config: template" in lines[-1]


def test_an_empty_plan_is_a_config_error(team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, toml(team, account='plan = ""\n'))
    assert code == 2
    assert lines[-1] == ("alice  alice            config: the account's plan is empty; write today's text "
                         "in its plan = \"…\" (in alice)")


def test_the_untouched_example_is_refused_before_any_request(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = (Path(__file__).resolve().parent.parent / "dailyplan.toml").read_text(encoding="utf-8")
    code, lines = check(tmp_path, capsys, example)
    assert code == 2
    assert lines == [f"error: {tmp_path / 'dailyplan.toml'} is still the example, so nothing was sent: edit "
                     "line 6 (site.base_url 'routine.example.com') and line 17 (the username of account 'me', "
                     "'your-login-name') to your own system's address and login name"]
    code, lines = check(tmp_path, capsys, example.replace("https://routine.example.com", team.url))
    assert code == 2 and "line 17 (the username of account 'me', 'your-login-name')" in lines[0]
    assert team.log == []


def test_the_workflow_time_zone_must_be_the_configs(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    workflow = tmp_path / ".github" / "workflows" / "daily-plan.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text('on:\n  schedule:\n    - cron: "17 9 * * *"\n      timezone: Asia/Shanghai\n')
    assert check(tmp_path, capsys, toml(team))[0] == 0
    code, lines = check(tmp_path, capsys, toml(team, extra='timezone = "Europe/Berlin"\n'))
    assert code == 2
    assert f"problem   {workflow} schedules in Asia/Shanghai but {tmp_path / 'dailyplan.toml'} says " \
           "timezone = 'Europe/Berlin'; make them the same (the workflow's timezone: lines, or the config's " \
           "timezone)" in lines


def test_a_real_token_is_ready_after_a_read(team: Sandbox, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, toml(team, site='auth = "bearer"\n'),
                        DAILYPLAN_TOKEN=team.issue_token("alice") + "\n")  # pasted with its newline
    assert code == 0 and lines[-1].startswith("alice  alice            ready (logged in with DAILYPLAN_TOKEN; ")
    assert [e.kind for e in team.log] == ["history", "history", "history"]  # range, newest day, after it
