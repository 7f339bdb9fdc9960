"""Every environment value: listed once, each bad one a line naming it and what is allowed, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.cli import main
from runner.errors import UsageError
from runner.inputs import VARIABLES, Inputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("name", "value", "line"), [
    ("DAILYPLAN_LOCK_WAIT", "5x", "DAILYPLAN_LOCK_WAIT is '5x'; use a number of seconds such as 300, or 5m"),
    ("DAILYPLAN_LOCK_WAIT", "nan", "DAILYPLAN_LOCK_WAIT is 'nan'; use a number of seconds such as 300, or 5m"),
    ("DAILYPLAN_DRY_RUN", "maybe", "DAILYPLAN_DRY_RUN is 'maybe'; use true or false (also 1/0, yes/no, on/off)"),
    ("DAILYPLAN_FORCE", "2", "DAILYPLAN_FORCE is '2'; use true or false (also 1/0, yes/no, on/off)"),
    ("DAILYPLAN_DATE", "2026-11-31", "DAILYPLAN_DATE is '2026-11-31'; use a date as YYYY-MM-DD, e.g. 2026-11-20"),
    ("REQUESTS_CA_BUNDLE", "/no/such.pem",
     "REQUESTS_CA_BUNDLE is '/no/such.pem'; point it at an existing file (PEM certificates) or unset it"),
])
def test_a_bad_value_is_one_line_and_exit_2(name: str, value: str, line: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError) as err:
        Inputs.read({name: value}, "run")
    assert str(err.value) == line
    assert main(["run"], {name: value}) == 2
    assert capsys.readouterr().err == f"error: {line}\n"


@pytest.mark.parametrize(("name", "value", "line"), [
    ("DAILYPLAN_RUN_OUTCOME", "exploded",
     "DAILYPLAN_RUN_OUTCOME is 'exploded'; use one of success, failure, cancelled, skipped (the run job's result)"),
    ("GITHUB_REPOSITORY", "not a repo", "GITHUB_REPOSITORY is 'not a repo'; use owner/name, as Actions sets it"),
    ("GITHUB_API_URL", "api.github.com", "GITHUB_API_URL is 'api.github.com'; use an http(s) URL such as "
                                         "https://api.github.com"),
    ("GITHUB_RUN_ID", "12a", "GITHUB_RUN_ID is '12a'; use the number Actions sets"),
    ("DAILYPLAN_ISSUE_LABEL", "a,b", "DAILYPLAN_ISSUE_LABEL is 'a,b'; use a GitHub label name of at most 50 "
                                     "characters, without commas"),
])
def test_notify_validates_its_own_values(name: str, value: str, line: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "me/plans", name: value}
    assert main(["notify"], env) == 2
    assert capsys.readouterr().err == f"error: {line}\n"


def test_each_command_reads_only_its_own_values() -> None:
    """A value meant for run never stops the notify step that has to report on it."""
    assert Inputs.read({"DAILYPLAN_LOCK_WAIT": "soon", "GITHUB_REPOSITORY": "me/plans"},
                       "notify").repository == "me/plans"
    assert Inputs.read({"GITHUB_RUN_ID": "x"}, "run").run_id == ""


def test_what_people_paste_is_accepted() -> None:
    inputs = Inputs.read({
        "DAILYPLAN_SECRETS": ("\ufeff# the team's passwords\n"
                              "export DAILYPLAN_PASSWORD_ALICE='a b c'\n\n"
                              '  DAILYPLAN_PASSWORD_BOB = "bob=pw"  \n'
                              "DAILYPLAN_TOKEN_CAROL=tok\r\n"),
        "DAILYPLAN_TOKEN_DAVE": "tok-dave\n",
        "DAILYPLAN_CONFIG": "\ufefftimezone = 'UTC'",
        "DAILYPLAN_LOCK_WAIT": "5m", "DAILYPLAN_DRY_RUN": "True", "DAILYPLAN_FORCE": "",
        "DAILYPLAN_ACCOUNT": "alice, bob alice", "DAILYPLAN_PASSWORD": "",
    }, "run")
    assert inputs.secrets == {"DAILYPLAN_PASSWORD_ALICE": "a b c", "DAILYPLAN_PASSWORD_BOB": "bob=pw",
                              "DAILYPLAN_TOKEN_CAROL": "tok", "DAILYPLAN_TOKEN_DAVE": "tok-dave"}
    assert inputs.config_text == "timezone = 'UTC'"
    assert (inputs.lock_wait, inputs.dry_run, inputs.force) == (300.0, True, False)
    assert inputs.accounts == ("alice", "bob")


@pytest.mark.parametrize(("bundle", "line"), [
    ("DAILYPLAN_PASSWORD_ALICE hunter2", "DAILYPLAN_SECRETS line 1 has no '='; write NAME=value lines "
                                         "such as DAILYPLAN_PASSWORD_ALICE=…"),
    ("ok=1\nPASSWORD_BOB=x", "DAILYPLAN_SECRETS line 1 sets 'ok'; write NAME=value lines such as "
                             "DAILYPLAN_PASSWORD_ALICE=…"),
    ("DAILYPLAN_DRY_RUN=true", "DAILYPLAN_SECRETS line 1 sets DAILYPLAN_DRY_RUN, which is not a secret; "
                               "set it as a variable of its own"),
])
def test_a_bad_secrets_line_is_named_by_number_never_quoted(bundle: str, line: str) -> None:
    with pytest.raises(UsageError) as err:
        Inputs.read({"DAILYPLAN_SECRETS": bundle}, "check")
    assert str(err.value) == line
    assert "hunter2" not in str(err.value)


def test_a_public_repository_is_proven_private_or_treated_as_public(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"repository": {"private": True}}))
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": str(event)}
    assert Inputs.read(actions, "run").public_logs is False
    event.write_text(json.dumps({"repository": {"private": False}}))
    assert Inputs.read(actions, "run").public_logs is True
    assert Inputs.read({**actions, "GITHUB_EVENT_PATH": str(tmp_path / "none")}, "run").public_logs is True
    assert Inputs.read({"GITHUB_EVENT_PATH": str(event)}, "run").public_logs is False  # not Actions


def test_every_variable_the_code_reads_is_listed() -> None:
    """Nothing reads the environment past inputs.py: grep the product for names it does not list."""
    import re

    listed = {v.name for v in VARIABLES} | {"DAILYPLAN_PASSWORD", "DAILYPLAN_TOKEN", "DAILYPLAN_COOKIE"}
    for path in (ROOT / "runner").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "inputs.py":
            continue
        assert "os.environ" not in text or path.name == "cli.py", path
        for name in re.findall(r"\benv(?:\.get\(|\[)\"([A-Z_]+)\"", text):
            assert name in listed, (path, name)


def test_a_near_miss_of_a_plain_variable_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"], {"DAILYPLAN_DRYRUN": "true"}) == 2
    assert capsys.readouterr().err == ("error: DAILYPLAN_DRYRUN is not a variable dailyplan reads; did you "
                                       "mean DAILYPLAN_DRY_RUN?\n")
    assert Inputs.read({"DAILYPLAN_RUNS_ON": "self-hosted"}, "run").secrets == {}  # the workflow's own
    assert "DAILYPLAN_PASSWRD" in Inputs.read({"DAILYPLAN_PASSWRD": "pw"}, "run").secrets  # still redacted


def test_a_config_file_saved_with_a_bom_loads(tmp_path: Path) -> None:
    from runner.config import load

    path = tmp_path / "dailyplan.toml"
    path.write_bytes('\ufeff[site]\r\nbase_url = "https://plans.corp.test"\r\n[[accounts]]\r\nid = "a"\r\n'
                     'username = "a"\r\n'.encode())
    assert load(str(path), {}).accounts[0].id == "a"


def test_an_unknown_account_names_where_it_came_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = '[site]\nbase_url = "https://plans.corp.test"\n[[accounts]]\nid = "alice"\nusername = "a"\nplan = "x"\n'
    assert main(["run"], {"DAILYPLAN_CONFIG": config, "DAILYPLAN_ACCOUNT": "zed"}) == 2
    assert capsys.readouterr().err == "error: DAILYPLAN_ACCOUNT zed is not in DAILYPLAN_CONFIG; accounts: alice\n"


def test_a_lower_case_plain_variable_is_named_too() -> None:
    with pytest.raises(UsageError, match="dailyplan_dry_run is not a variable dailyplan reads; did you mean "
                                         "DAILYPLAN_DRY_RUN"):
        Inputs.read({"dailyplan_dry_run": "true"}, "run")


def test_a_path_too_long_for_the_system_is_a_line_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    long = "x" * 300
    assert main(["check"], {"REQUESTS_CA_BUNDLE": long}) == 2
    assert capsys.readouterr().err == (f"error: REQUESTS_CA_BUNDLE is '{long}'; point it at an existing file "
                                       "(PEM certificates) or unset it\n")
    assert main(["check", "--config", long], {}) == 2
    assert capsys.readouterr().err == f"error: config file {long} not found; check --config / DAILYPLAN_CONFIG_FILE\n"
    assert main(["run", "--result", long + "/r.json"], {}) == 2
    assert capsys.readouterr().err.startswith(f"error: --result {long}/r.json is not a usable path (")
