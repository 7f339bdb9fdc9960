"""``run`` as the sinks see it: outputs checked before the work, the result first, cron stamps,
public logs without work data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox


@pytest.fixture
def team(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", "pw-alice", plans={"2026-11-19": "2026.11.19\n修复登录 bug"})
    return sandbox


def env(sb: Sandbox, **more: str) -> dict[str, str]:
    config = f'[site]\nbase_url = "{sb.url}"\n[[accounts]]\nid = "alice"\nusername = "alice"\nplan = "秘密计划"\n'
    return {"DAILYPLAN_CONFIG": config, "DAILYPLAN_PASSWORD_ALICE": "pw-alice", **more}


def test_an_unwritable_result_path_is_exit_2_before_any_request(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "result.json"
    assert main(["run", "--date", "2026-11-20", "--result", str(target)], env(team)) == 2
    assert capsys.readouterr().err == (f"error: --result {target} is inside {tmp_path / 'file'}, which is "
                                       "not a folder; choose a writable path\n")
    assert team.log == [] and "2026-11-20" not in team.plans["alice"]


def test_the_result_file_never_depends_on_the_summary(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = tmp_path / "result.json"
    summary = tmp_path / "summary-is-a-folder"
    summary.mkdir()
    e = env(team, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert main(["run", "--date", "2026-11-20", "--result", str(result)], e) == 0
    assert json.loads(result.read_text())["accounts"][0]["status"] == "submitted"
    err = capsys.readouterr().err
    assert (f"warning: the step summary {summary} could not be written (IsADirectoryError); the result "
            "file and the log have it all\n") in err
    assert "::warning title=dailyplan::the step summary" in err


def test_outside_actions_and_a_terminal_each_line_starts_with_a_timestamp(
        team: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("runner.output.STAMP_WHEN_PIPED", True)  # captured output is a pipe, as cron's is
    assert main(["run", "--date", "2026-11-20"], env(team)) == 0
    lines = capsys.readouterr().out.splitlines()
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} ")
    assert lines and all(stamp.match(line) for line in lines), lines
    assert main(["run", "--date", "2026-11-21"], env(team, GITHUB_ACTIONS="true")) == 0
    assert not any(stamp.match(line) for line in capsys.readouterr().out.splitlines())  # Actions stamps itself


@pytest.mark.parametrize("private", [False, None])
def test_a_public_repository_dry_run_shows_no_plan_text(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], private: bool | None) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"repository": {"private": private}} if private is not None else {}))
    summary = tmp_path / "summary.md"
    e = env(team, GITHUB_ACTIONS="true", GITHUB_EVENT_PATH=str(event), GITHUB_STEP_SUMMARY=str(summary))
    assert main(["run", "--date", "2026-11-20", "--dry-run"], e) == 0
    out = capsys.readouterr().out
    assert "秘密计划" not in out + summary.read_text() and "修复登录" not in out + summary.read_text()
    assert ("::notice title=dailyplan::this repository is public, so its logs are too: the plan text is "
            "not shown here. To preview it privately, run `dailyplan run --dry-run` on your own machine.") in out
    event.write_text(json.dumps({"repository": {"private": True}}))
    assert main(["run", "--date", "2026-11-20", "--dry-run"], e) == 0
    assert "秘密计划" in capsys.readouterr().out  # a private repository's log may show it


def test_a_dry_run_on_a_weekend_previews_the_next_workday(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = tmp_path / "result.json"
    assert main(["run", "--date", "2026-11-22", "--dry-run", "--result", str(result)], env(team)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == ("alice  skipped (weekend)            today 2026-11-22 is a Sunday, a weekend (China's statutory "
                      "calendar): skipped; preview for the next workday, 2026-11-23: dry run: would submit for 2026-11-23; nothing was sent  "
                      f"[{json.loads(result.read_text())['accounts'][0]['requests']} req, "
                      f"{out[1].rsplit(', ', 1)[1]}")
    assert out[2:4] == ["    │ 2026.11.23", "    │ 秘密计划"]
    assert "2026-11-23" not in team.plans["alice"]  # a preview, nothing sent


def test_a_dry_run_on_a_holiday_names_it_and_a_failing_preview_fails(
        team: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--date", "2026-10-01", "--dry-run"], env(team)) == 0
    assert ("today 2026-10-01 is a public holiday (China's statutory calendar, National Day): skipped; "
            "preview for the next workday, 2026-10-08: dry run: would submit") in capsys.readouterr().out
    assert main(["run", "--date", "2026-11-22", "--dry-run"], env(team, DAILYPLAN_PASSWORD_ALICE="wrong")) == 1
    assert ("alice  failed (auth)                today 2026-11-22 is a Sunday, a weekend (China's statutory "
            "calendar): skipped; preview for the next workday, 2026-11-23 failed: login refused") in capsys.readouterr().out


def test_a_result_file_lost_at_the_end_is_said_and_fails_the_run(
        team: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    def disk_full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("runner.result.atomic_write", disk_full)
    result = tmp_path / "result.json"
    assert main(["run", "--date", "2026-11-20", "--result", str(result)], env(team)) == 1
    out = capsys.readouterr()
    assert out.err == (f"error: the result file {result} could not be written (OSError: No space left on "
                       "device); the notify step will report the run as failed without it\n")
    assert "alice  submitted" in out.out  # the report still went out
