"""The outside check of #11: a new user's first mistakes, each made once, as the README reads.

Every mistake must end in one line naming what to fix and an exit code; never a traceback, never
the secret. The mistakes are made in-process against the sandbox (the wheel install itself is
tests/test_install.py's business).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox

SECRET = "s3cr3t-Pw!"
ONE = 'plan = "今日计划"\n'


@pytest.fixture(autouse=True)
def no_calendar_heads_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """From December 1st a year without statutory data adds a warning line: not these tests' concern."""
    monkeypatch.setattr("runner.commands.calendar_notices", lambda *a, **k: [], raising=False)
    monkeypatch.setattr("runner.check.calendar_notices", lambda *a, **k: [], raising=False)


def config(tmp_path: Path, sb: Sandbox, accounts: str) -> str:
    path = tmp_path / "dailyplan.toml"
    path.write_text(f'[site]\nbase_url = "{sb.url}"\n{accounts}', encoding="utf-8")
    return str(path)


def account(name: str, username: str, extra: str = ONE) -> str:
    return f'[[accounts]]\nid = "{name}"\nusername = "{username}"\n{extra}'


def run(capsys: pytest.CaptureFixture[str], argv: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    code = main(argv, env)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    assert SECRET not in text
    return code, [line for line in text.splitlines() if not line.startswith("warning: ")]


@pytest.fixture
def alice(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice-login", SECRET, plans={"2026-11-19": "2026.11.19\n修复登录 bug"})
    return sandbox


def test_an_empty_plan_stops_run_before_any_account_runs_as_check_says(
        alice: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found from outside: `check` called `plan = ""` a config error, but `run` filed a plan of
    the date line and yesterday's plan, with no word of today in it (exit 0)."""
    path = config(tmp_path, alice, account("alice", "alice-login", 'plan = "  "\n'))
    code, lines = run(capsys, ["run", "--config", path, "--date", "2026-11-20"],
                      {"DAILYPLAN_PASSWORD": SECRET})
    assert (code, lines) == (2, ["error: the account's plan is empty; write today's text in its "
                                 "plan = \"…\" (in alice)"])
    assert alice.log == []  # nothing sent, not even the login
    code, lines = run(capsys, ["run", "--config", path, "--date", "2026-11-20", "--dry-run"],
                      {"DAILYPLAN_PASSWORD": SECRET})
    assert code == 2 and alice.log == []


@pytest.mark.parametrize(("env", "line"), [
    ({"DAILYPLAN_PASSWRD": SECRET}, "DAILYPLAN_PASSWRD is set: did you mean DAILYPLAN_PASSWORD?"),
    ({"DAILYPLAN_PASSWORD_ALICE_LOGIN": SECRET},
     "DAILYPLAN_PASSWORD_ALICE_LOGIN is set, but secret names use the account's id ('alice'), not its "
     "username; rename it DAILYPLAN_PASSWORD_ALICE"),
    ({"DAILYPLAN_TOKEN": SECRET}, "DAILYPLAN_TOKEN is set, but site.auth = 'cookie' does not use a token; "
     "set DAILYPLAN_PASSWORD_ALICE, or site.auth = 'bearer'"),
    ({"DAILYPLAN_SECRETS": f'export DAILYPLAN_PASSWRD_ALICE="{SECRET}"'},
     "DAILYPLAN_PASSWRD_ALICE is set: did you mean DAILYPLAN_PASSWORD_ALICE?"),
])
def test_each_near_miss_secret_name_is_one_line_naming_the_fix(
        alice: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], env: dict[str, str], line: str) -> None:
    path = config(tmp_path, alice, account("alice", "alice-login"))
    code, lines = run(capsys, ["run", "--config", path, "--date", "2026-11-20"], env)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: missing secret for account alice: set DAILYPLAN_PASSWORD_ALICE")
    assert lines[0].endswith(line)
    assert alice.log == []


def test_export_lines_with_quotes_in_the_secrets_block_are_read(
        alice: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alice.add_account("bob-login", "pw-bob", plans={})
    path = config(tmp_path, alice, account("alice", "alice-login") + account("bob", "bob-login"))
    block = f'# the team\r\nexport DAILYPLAN_PASSWORD_ALICE="{SECRET}"\r\n\r\nexport DAILYPLAN_PASSWORD_BOB=\'pw-bob\'\r\n'
    code, lines = run(capsys, ["run", "--config", path, "--date", "2026-11-20"], {"DAILYPLAN_SECRETS": block})
    assert code == 0
    assert [line.split()[:2] for line in lines if line.startswith(("alice ", "bob "))] == [
        ["alice", "submitted"], ["bob", "submitted"]]


@pytest.mark.parametrize(("name", "value", "line"), [
    ("DAILYPLAN_LOCK_WAIT", "5x", "error: DAILYPLAN_LOCK_WAIT is '5x'; use a number of seconds such as 300, or 5m"),
    ("DAILYPLAN_DRY_RUN", "maybe", "error: DAILYPLAN_DRY_RUN is 'maybe'; use true or false (also 1/0, yes/no, on/off)"),
    ("DAILYPLAN_DATE", "2026-13-01", "error: DAILYPLAN_DATE is '2026-13-01'; use a date as YYYY-MM-DD, e.g. 2026-11-20"),
])
def test_a_bad_environment_value_is_one_line_and_exit_2(
        alice: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, value: str, line: str) -> None:
    path = config(tmp_path, alice, account("alice", "alice-login"))
    code, lines = run(capsys, ["run", "--config", path], {"DAILYPLAN_PASSWORD": SECRET, name: value})
    assert (code, lines) == (2, [line])
    assert alice.log == []


def test_a_bom_in_the_config_file_is_dropped(
        alice: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(config(tmp_path, alice, account("alice", "alice-login")))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, lines = run(capsys, ["run", "--config", str(path), "--date", "2026-11-20", "--dry-run"],
                      {"DAILYPLAN_PASSWORD": SECRET})
    assert code == 0 and lines[1].startswith("alice  previewed")


def test_debug_keeps_the_exit_code_and_redacts_the_traceback(
        alice: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Found from outside: `run --debug` turned a usage error (exit 2) into an unredacted traceback
    and exit 1; an exception's text can hold the password (a GET login's URL in a requests error)."""
    path = config(tmp_path, alice, account("alice", "alice-login"))

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"GET /login?username=alice&password={SECRET} failed")

    code = main(["run", "--debug", "--config", str(tmp_path / "none.toml")], {})
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" in err
    assert err.splitlines()[-1].startswith("error: ") and "none.toml" in err.splitlines()[-1]
    monkeypatch.setattr("runner.commands.credentials.find_all", boom)
    code = main(["run", "--debug", "--config", path, "--date", "2026-11-20"], {"DAILYPLAN_PASSWORD": SECRET})
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" in err and SECRET not in err
    assert err.splitlines()[-1] == "error: unexpected RuntimeError; rerun with --debug and report it"


@pytest.mark.parametrize(("ids", "line"), [
    (["王芳"], "accounts[0].id '王芳' has no letter or digit to name its secret (DAILYPLAN_PASSWORD___); "
              "use ASCII letters and digits, such as 'wangfang'"),
    (["li.lei", "li-lei"], "accounts[1].id 'li-lei' names the same secret as 'li.lei' (ids name the "
                           "secrets, DAILYPLAN_PASSWORD_LI_LEI); make each id unique"),
])
def test_an_id_that_cannot_name_its_own_secret_is_refused(
        alice: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], ids: list[str], line: str) -> None:
    """Found from outside: an account id in Chinese made the secret DAILYPLAN_PASSWORD___ (and two
    such ids of one length collided as 'used twice'); 'li.lei' and 'li-lei' were 'used twice' too."""
    path = config(tmp_path, alice, "".join(account(i, "alice-login") for i in ids))
    code, lines = run(capsys, ["run", "--config", path, "--date", "2026-11-20"], {"DAILYPLAN_PASSWORD___": SECRET})
    assert (code, lines) == (2, [f"error: {path}: {line}"])
    assert alice.log == []
