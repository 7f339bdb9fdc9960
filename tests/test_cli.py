"""The command line as a new user meets it: help, version, demo, and the secret canary."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from runner import __version__
from runner.cli import main
from runner.lock import LockTimeout, run_lock
from runner.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"], {})
    assert exc.value.code == 0 and capsys.readouterr().out == f"dailyplan {__version__}\n"
    with pytest.raises(SystemExit):
        main(["--help"], {})
    out = capsys.readouterr().out
    for command in ("run", "check", "demo", "sandbox", "notify"):
        assert f"    {command}" in out
    assert ("exit codes: 0 no account failed, 1 an account failed, 2 usage/config/secret/environment error,\n"
            "  130 interrupted") in out


def test_help_imports_no_heavy_module() -> None:
    code = ("import sys; from runner.cli import main\n"
            "try: main(['--help'], {})\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('requests', 'bs4', 'jinja2', 'tenacity', 'chinese_calendar') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_python_dash_m_runner_works() -> None:
    out = subprocess.run([sys.executable, "-m", "runner", "--version"], capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (0, f"dailyplan {__version__}\n")


def test_demo_shows_a_verified_submission_a_skip_and_a_holiday(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"], {}) == 0
    out = capsys.readouterr().out
    assert "submitted and read back" in out
    assert "read back from the server: identical" in out
    assert "skipped (already-submitted)" in out
    assert "skipped (holiday)" in out and "requests seen by the server: 0" in out


# -- the secret canary ----------------------------------------------------------------------------

CANARY_PW = "pw-CANARY-7f3a9"
CANARY_TOKEN_USER = "carol"


def canary_env(sb: Sandbox, tmp_path: Path, token: str) -> dict[str, str]:
    config = (f'[site]\nbase_url = "{sb.url}"\n'
              + "".join(f'[[accounts]]\nid = "{a}"\nusername = "{a}"\nplan = "计划"\n'
                        for a in ("alice", "bob", "carol")))
    return {"DAILYPLAN_CONFIG": config, "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "DAILYPLAN_SECRETS": f"DAILYPLAN_PASSWORD_ALICE={CANARY_PW}\n"
                                 f"DAILYPLAN_PASSWORD_BOB=wrong-{CANARY_PW}",
            "DAILYPLAN_PASSWORD_CAROL": token}


@pytest.mark.catalogue("security", "secret canary: every command and failure path with distinctive secrets",
                        "no secret in stdout, stderr, the result file or the step summary")
def test_no_secret_reaches_any_output(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Every command and failure path, with distinctive secrets; none may show up anywhere.

    The only place a secret may appear is GitHub's own ``::add-mask::`` command, which exists to
    tell the log to hide it, and must come before anything else.
    """
    token = "tok-CANARY-" + "x" * 20
    secrets = (CANARY_PW, f"wrong-{CANARY_PW}", token)
    with Sandbox() as sb:
        sb.add_account("alice", CANARY_PW)
        sb.add_account("bob", "bob-real")
        sb.add_account("carol", token)
        env = canary_env(sb, tmp_path, token)
        result = tmp_path / "result.json"
        printed = ""
        for argv in (["run", "--date", "2026-11-20", "--result", str(result)],
                     ["run", "--date", "2026-11-20", "--dry-run", "--force"],
                     ["check"], ["run", "--date", "2026-11-31"], ["run", "--account", "zed"],
                     ["--debug", "run", "--date", "2026-11-23"]):
            sb.faults.login_broken = "--debug" in argv
            main(argv, env)
            out = capfd.readouterr()
            lines = out.out.splitlines()
            masks = [line for line in lines if line.startswith("::add-mask::")]
            assert lines[: len(masks)] == masks  # masks first
            assert sorted(masks) == sorted(f"::add-mask::{s}" for s in secrets)
            printed += "\n".join(lines[len(masks):]) + out.err
    written = result.read_text() + (tmp_path / "summary.md").read_text()
    reasons = [a["reason"] for a in json.loads(result.read_text())["accounts"]]
    assert reasons == [None, "auth", None]  # the failure paths really ran
    for secret in secrets:
        assert secret not in printed + written


# -- the run lock ---------------------------------------------------------------------------------


def test_a_second_run_waits_for_the_first(tmp_path: Path) -> None:
    env = str(tmp_path / "lock")
    order: list[str] = []
    with run_lock(env):
        waiter = threading.Thread(target=lambda: (run_lock(env, wait=5).__enter__(), order.append("second")))
        waiter.start()
        waiter.join(0.3)
        order.append("first done")
    waiter.join(5)
    assert order == ["first done", "second"]


def test_a_lock_held_too_long_gives_up_cleanly(tmp_path: Path) -> None:
    env = str(tmp_path / "lock")
    with run_lock(env), pytest.raises(LockTimeout, match="another dailyplan run has held"), run_lock(env, wait=0.2):
        pass


# -- the first hour -------------------------------------------------------------------------------


def test_dailyplan_alone_prints_help_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], {}) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: dailyplan") and "`dailyplan` alone prints this help and exits 0." in out


@pytest.mark.parametrize("argv", [["--debug", "run", "--dry-rn"], ["run", "--debug", "--dry-rn"]])
def test_global_flags_go_before_or_after_the_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):  # --debug accepted in both places: only the typo is refused
        main(argv, {})
    assert capsys.readouterr().err.endswith("unrecognized arguments: --dry-rn\n")


@pytest.mark.parametrize("argv", [["--config", "nowhere.toml", "check"], ["check", "--config", "nowhere.toml"]])
def test_config_before_or_after_the_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv, {}) == 2
    assert capsys.readouterr().err == "error: config file nowhere.toml not found; check --config / DAILYPLAN_CONFIG_FILE\n"


@pytest.mark.parametrize("command", ["run", "check", "history", "record", "demo", "sandbox", "notify"])
def test_each_command_help_has_a_description_an_example_its_variables_and_exit_codes(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    from runner.cli import COMMANDS
    from runner.inputs import variables_for

    with pytest.raises(SystemExit):
        main([command, "--help"], {})
    out = " ".join(capsys.readouterr().out.split())
    spec = next(c for c in COMMANDS if c.name == command)
    assert " ".join(spec.description.split()) in out
    assert f"example: {spec.example.split(chr(10))[0]}" in out
    assert f"exit codes: {spec.exits}" in out
    for variable in variables_for(command):
        assert variable.name in out
    if command in ("run", "check", "history", "record"):
        assert "DAILYPLAN_PASSWORD[_<ID>]" in out and "DAILYPLAN_SECRETS" in out


def test_a_missing_dependency_is_one_line_naming_the_install(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dailyplan.toml").write_text('[site]\nbase_url = "http://127.0.0.1:9"\n'
                                             '[[accounts]]\nid = "a"\nusername = "a"\nplan = "x"\n')
    monkeypatch.setitem(sys.modules, "jinja2", None)
    monkeypatch.setitem(sys.modules, "jinja2.meta", None)
    assert main(["check", "--config", str(tmp_path / "dailyplan.toml")], {}) == 2
    assert capsys.readouterr().err == (
        "error: the Python module 'jinja2' is missing; install dailyplan's dependencies: python -m pip "
        "install Jinja2 (or, in a clone, make test / .venv/bin/pip install -r requirements.lock)\n")


def test_the_demo_stops_at_the_first_failing_step(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from runner import demo
    from runner.result import AccountResult, RunResult
    from runner.status import Reason, Status

    def refused(config, accounts, secrets, opts):
        return RunResult(opts.day, config.timezone,
                         [AccountResult("demo", Status.FAILED, Reason.AUTH, "login refused for demo")])

    monkeypatch.setattr(demo, "run_all", refused)
    assert main(["demo"], {}) == 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith(
        "the demo stopped: the first run did not submit (got failed (auth): login refused for demo). Nothing "
        "after this step ran; rerun with --debug, or report it with the output above.")
    assert "read back from the server" not in out and "[3]" not in out and "Next" not in out


def test_the_demo_hints_name_commands_that_work_from_a_clone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"], {}) == 0
    out = capsys.readouterr().out
    assert "  .venv/bin/dailyplan check " in out and "  .venv/bin/dailyplan run --dry-run " in out
    assert "python -m runner" not in out
    assert (ROOT / ".venv" / "bin" / "dailyplan").exists()  # what make builds, so the hint works


def test_the_top_level_error_line_is_redacted_and_stamped_for_cron(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"DAILYPLAN_SECRETS": "DAILYPLAN_PASSWORD_ALICE=hunter2-CANARY"}
    assert main(["check", "--config", "hunter2-CANARY.toml"], env) == 2
    assert capsys.readouterr().err == "error: config file ***.toml not found; check --config / DAILYPLAN_CONFIG_FILE\n"
    monkeypatch.setattr("runner.output.STAMP_WHEN_PIPED", True)
    assert main(["check", "--config", "x.toml"], {}) == 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} error: config file x.toml not found; .*\n",
                        capsys.readouterr().err)
