"""Bad input: one line naming what to fix, exit 2, no traceback; and where config comes from."""

import tomllib
from pathlib import Path

import pytest

from runner.cli import main
from runner.config import env_suffix, load, parse
from runner.credentials import find as find_secret
from runner.errors import UsageError
from runner.inputs import Inputs

GOOD = """
[site]
base_url = "https://plans.corp.test"
[[accounts]]
id = "alice"
username = "alice"
plan = "继续重构"
"""
ENV = {"DAILYPLAN_PASSWORD_ALICE": "pw"}


def run_with(tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str | None,
             *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    if toml is not None:
        (tmp_path / "dailyplan.toml").write_text(toml, encoding="utf-8")
    code = main(["run", "--config", str(tmp_path / "dailyplan.toml"), "--dry-run", *args],
                ENV if env is None else env)
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize(("toml", "line"), [
    ("[site\n", "not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 6)"),
    (GOOD + "\n[workday]\ncalender = 'cn'\n", "unknown key workday.calender (did you mean 'calendar'?)"),
    (GOOD.replace("[site]", "[site]\nbase_ulr = 'x'"), "unknown key site.base_ulr (did you mean 'base_url'?)"),
    (GOOD + "\n[workday]\nquorum = 'two'\n", "workday.quorum must be a whole number ≥ 0, got 'two'"),
    (GOOD + "\n[workday]\nquorum = -1\n", "workday.quorum must be a whole number ≥ 0, got -1"),
    (GOOD + "\n[workday]\naudit_days = -1\n", "workday.audit_days must be a whole number ≥ 0, got -1"),
    (GOOD + "\n[workday]\naudit_days = '7d'\n", "workday.audit_days must be a whole number ≥ 0, got '7d'"),
    (GOOD + "\n[workday]\naudit_days = 40\n",
     "workday.audit_days (40) is more than site.lookback_days (31); lower it or raise site.lookback_days"),
    ("[site]\nbase_url = 'https://x.example'\n",
     "no [[accounts]]; add one with id, username and plan (see README)"),
    (GOOD + GOOD.split("[site]\nbase_url = \"https://plans.corp.test\"")[1],
     "accounts[1].id 'alice' is used twice (ids name the secrets, DAILYPLAN_PASSWORD_ALICE); make each id unique"),
    (GOOD + "\n[workday]\nholidays = ['2026-02-30']\n",
     "workday.holidays: '2026-02-30' is not a date or range; use YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"),
    (GOOD + "\n[workday]\nworkdays = ['2026-12-28..2026-12-24']\n",
     "workday.workdays: range '2026-12-28..2026-12-24' ends before it starts; write the earlier date first"),
    (GOOD + "leave = '2026-12-24'\n",
     "accounts[0] (alice).leave must be a list such as [\"2026-12-31\", \"2026-12-24..2026-12-28\"], got '2026-12-24'"),
    ("timezone = 'Asia/Shangai'\n" + GOOD,
     "timezone 'Asia/Shangai' is not known; use an IANA name such as 'Asia/Shanghai'"),
    (GOOD.replace("https://plans.corp.test", "routine.example.com"),
     "site.base_url 'routine.example.com' is not an http(s) URL; use e.g. 'https://routine.example.com'"),
    (GOOD.replace("[site]", "[site]\nauth = 'oauth'"), "site.auth 'oauth' is not known; use 'cookie', 'bearer' or 'cookie-secret'"),
    (GOOD + "\n[workday]\ncalendar = 'cnn'\n",
     "workday.calendar 'cnn' is not known (did you mean 'cn'?); use 'cn' or 'weekdays'"),
    (GOOD + "template = 'mine.j2'\n", "accounts[0] (alice).template 'mine.j2' not found (looked in {tmp}); "
                                      "fix the path or drop the key to use the shipped template"),
    (GOOD + "password = 'hunter2'\n", "accounts[0].password: secrets do not belong in the config; remove it and "
                                      "set DAILYPLAN_PASSWORD_ALICE instead (repository → Settings → Secrets "
                                      "and variables → Actions, or export it)"),
    (GOOD.replace("[site]", "[site]\ntoken = 'abc'"), "site.token: secrets do not belong in the config; remove it "
                                                       "and set DAILYPLAN_TOKEN instead (repository → Settings → "
                                                       "Secrets and variables → Actions, or export it)"),
    (GOOD.replace('username = "alice"', 'username = 7'), "accounts[0] (alice).username must be a string in quotes, got 7"),
    (GOOD.replace('username = "alice"\n', ''), "accounts[0] (alice).username is missing"),
    ("parallel = 0\n" + GOOD, "parallel must be a whole number ≥ 1, got 0"),
])
def test_bad_config_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           toml: str, line: str) -> None:
    code, err = run_with(tmp_path, capsys, toml)
    assert code == 2
    assert err == f"error: {tmp_path / 'dailyplan.toml'}: {line.format(tmp=tmp_path)}\n"


def test_template_with_undefined_name_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.j2").write_text("{{ today }}\n{{ yesterday }}\n")
    code, err = run_with(tmp_path, capsys, GOOD + "template = 'mine.j2'\n")
    assert code == 2
    assert err == (f"error: template {tmp_path / 'mine.j2'}, line 2: 'yesterday' is undefined; use one of "
                   "account, plan, previous, previous_date, previous_full, today\n")


def test_missing_file_names_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_with(tmp_path, capsys, None)
    assert (code, err) == (2, f"error: config file {tmp_path / 'dailyplan.toml'} not found; "
                              "check --config / DAILYPLAN_CONFIG_FILE\n")


def test_missing_secret_names_the_exact_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_with(tmp_path, capsys, GOOD, env={})
    assert code == 2
    assert err == ("error: missing secret for account alice: set DAILYPLAN_PASSWORD_ALICE "
                   "(or DAILYPLAN_PASSWORD, as it is the only account) "
                   "(repository → Settings → Secrets and variables → Actions, or export it)\n")


def test_bad_date_and_unknown_account(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_with(tmp_path, capsys, GOOD, "--date", "2026-11-31") == (
        2, "error: --date '2026-11-31' is not a date; use YYYY-MM-DD, e.g. 2026-11-20\n")
    assert run_with(tmp_path, capsys, GOOD, "--account", "bob") == (
        2, f"error: --account bob is not in {tmp_path / 'dailyplan.toml'}; accounts: alice\n")


def test_usage_errors_from_argparse_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--dry-rn"], {})
    assert exc.value.code == 2
    assert "unrecognized arguments: --dry-rn" in capsys.readouterr().err


def test_config_sources_first_match_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dailyplan.toml").write_text(GOOD.replace("alice", "cwd"))
    (tmp_path / "other.toml").write_text(GOOD.replace("alice", "file"))
    text_env = {"DAILYPLAN_CONFIG": GOOD.replace("alice", "text")}
    assert load(None, {}).accounts[0].id == "cwd"
    assert load(None, text_env).accounts[0].id == "text"
    assert load(None, {**text_env, "DAILYPLAN_CONFIG_FILE": "other.toml"}).accounts[0].id == "file"
    assert load(str(tmp_path / "dailyplan.toml"), {"DAILYPLAN_CONFIG_FILE": "other.toml"}).accounts[0].id == "cwd"


def test_base_url_env_overrides_and_is_never_echoed(tmp_path: Path) -> None:
    env = {"DAILYPLAN_CONFIG": GOOD, "DAILYPLAN_BASE_URL": "https://intranet.corp/"}
    assert load(None, env).site.base_url == "https://intranet.corp"
    with pytest.raises(Exception) as err:
        load(None, {**env, "DAILYPLAN_BASE_URL": "intranet-secret-host"})
    assert "intranet-secret-host" not in str(err.value)
    assert str(err.value).endswith("DAILYPLAN_BASE_URL (hidden) is not an http(s) URL; "
                                   "use e.g. 'https://routine.example.com'")


def test_secret_names_and_the_multi_line_secret() -> None:
    config = load(None, {"DAILYPLAN_CONFIG": GOOD.replace('id = "alice"', 'id = "li.lei-2"')})
    account = config.accounts[0]
    assert env_suffix(account.id) == "LI_LEI_2"
    env = Inputs.read({"DAILYPLAN_SECRETS": "DAILYPLAN_PASSWORD_LI_LEI_2=from-bundle\n\n# note\n"},
                      "run").secrets
    assert find_secret(config, account, env).variable == "DAILYPLAN_PASSWORD_LI_LEI_2"
    assert find_secret(config, account, env).value == "from-bundle"
    env = Inputs.read({"DAILYPLAN_SECRETS": "DAILYPLAN_PASSWORD_LI_LEI_2=bundle",
                       "DAILYPLAN_PASSWORD_LI_LEI_2": "own"}, "run").secrets
    assert find_secret(config, account, env).value == "own"
    # one account: the short names work too
    assert find_secret(config, account, {"DAILYPLAN_PASSWORD": "short"}).variable == "DAILYPLAN_PASSWORD"


def test_bearer_prefers_a_ready_token() -> None:
    config = load(None, {"DAILYPLAN_CONFIG": GOOD.replace("[site]", "[site]\nauth = 'bearer'")})
    env = {"DAILYPLAN_PASSWORD_ALICE": "pw", "DAILYPLAN_TOKEN_ALICE": "tok"}
    assert find_secret(config, config.accounts[0], env).kind == "token"
    assert find_secret(config, config.accounts[0], {"DAILYPLAN_PASSWORD_ALICE": "pw"}).kind == "password"


@pytest.mark.parametrize("key", ["password_param", "token_field", "cookie_name"])
def test_keys_that_name_a_field_are_not_taken_for_secrets(key: str, tmp_path: Path) -> None:
    config = parse(tomllib.loads(GOOD.replace("[site]", f"[site]\n{key} = 'pwd'")), source="t.toml",
                   base=tmp_path)
    assert getattr(config.site, key) == "pwd"


@pytest.mark.parametrize(("snippet", "line"), [
    ("[site]\npasswd = 'x'", "site.passwd: secrets do not belong in the config; remove it and set DAILYPLAN_PASSWORD instead"),
    ("[site]\nCookie = 'x'", "site.Cookie: secrets do not belong in the config; remove it and set DAILYPLAN_COOKIE instead"),
    ("[site]\npasword = 'x'", "site.pasword: secrets do not belong in the config; remove it and set DAILYPLAN_PASSWORD instead"),
])
def test_keys_that_would_hold_a_secret_are_refused_in_any_table(snippet: str, line: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        parse(tomllib.loads(GOOD.replace("[site]", snippet)), source="t.toml", base=tmp_path)
    assert str(caught.value).startswith(f"t.toml: {line} ")
