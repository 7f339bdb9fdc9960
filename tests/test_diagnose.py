"""`check` diagnoses: at the first step that does not fit, what the site did and which key to change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox
from runner.sandbox.profiles import PROFILES

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PASSWORD = "pw-demo-CANARY"


def variant(profile: str, tmp_path: Path, **changes: str) -> Path:
    """The profile's example with some [site] keys replaced (values are TOML)."""
    lines = (EXAMPLES / f"{profile}.toml").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.split(" = ")[0] not in changes]
    at = kept.index("[site]") + 1
    kept[at:at] = [f"{key} = {value}" for key, value in changes.items()]
    path = tmp_path / f"{profile}.toml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def check(profile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], **changes: str,
          ) -> tuple[int, str, Sandbox]:
    with Sandbox(profile=profile) as sb:
        sb.add_account("demo", PASSWORD, plans={"2026-11-19": "2026.11.19\n旧计划", "2026-11-18": "x"})
        env = {"DAILYPLAN_BASE_URL": sb.url}
        if PROFILES[profile].login_path is None:
            env["DAILYPLAN_COOKIE_DEMO"] = sb.issue_cookie("demo")
        else:
            env["DAILYPLAN_PASSWORD_DEMO"] = PASSWORD
        code = main(["check", "--config", str(variant(profile, tmp_path, **changes))], env)
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if line.startswith("demo ")]
    assert PASSWORD not in out
    assert not sb.requests_by(kind="submit")  # nothing is ever submitted
    return code, re.sub(r"^demo\s+demo\s+", "", line), sb


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_example_is_ready(profile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, line, _ = check(profile, tmp_path, capsys)
    assert line.startswith("ready (logged in with DAILYPLAN_")
    assert code == 0


@pytest.mark.parametrize(("profile", "changes", "line"), [
    ("reference", {"login_path": "'/signin'"}, "login: GET /signin answered 404: set site.login_path"),
    ("form-csrf", {"login_path": "'/signin.do'"}, "login: GET /signin.do answered 404: set site.login_path"),
    ("json-api", {"api_login_path": "'/api/v1/login'"},
     "login: POST /api/v1/login answered 404: set site.api_login_path"),
    ("form-csrf", {"cookie_name": "'session'"},
     'login: POST /login.do answered 302 and set no cookie "session" (cookies set: JSESSIONID): set site.cookie_name'),
    ("form-csrf", {"csrf_field": "'csrf_token'"},
     "login: GET /login.do answered 200 with no field or cookie \"csrf_token\" (hidden inputs: _csrf): set site.csrf_field"),
    ("reference", {"row_selector": "'.plan'"},
     "history: 200, 0 rows match row_selector \".plan\"; the page has 2 \"div.routine\" "
     "element(s) holding a date: set site.row_selector"),
    ("form-csrf", {"row_selector": "'.routine'"},
     "history: 200, 0 rows match row_selector \".routine\"; the page has a table with 3 rows "
     "(table#plans tr): set site.row_selector"),
    ("reference", {"row_date_selector": "'.day'"},
     "history: 200, 2 rows match row_selector \".routine\" but none has "
     "row_date_selector \".day\" (first row: '2026-11-19 2026.11.19\\\\n\\\\u65e7\\\\u8ba1\\\\u521'): set site.row_date_selector"),
    ("json-api", {"history_items": "'data.rows'"},
     "history: 200, no list at history_items \"data.rows\" (lists in the answer: "
     "\"data.list\"): set site.history_items"),
    ("json-api", {"history_date_field": "'date'"},
     "history: 200, the items have no readable date in history_date_field \"date\" "
     "(fields: planDate, content): set site.history_date_field"),
    ("json-api", {"token_field": "'data.accessToken'"},
     "login: POST /api/v1/auth/login answered 200 with no token at token_field \"data.accessToken\" (it holds: "
     "code, data, data.token): set site.token_field, or check DAILYPLAN_PASSWORD_DEMO"),
    ("json-api", {"history_format": "'html'"},
     "history: 200, the answer is JSON, not an HTML page: set site.history_format = 'json'"),
    ("sso-cookie", {"cookie_name": "'JSESSIONID'"},
     "history: GET /daily/list answered 302, the login page: the cookie in DAILYPLAN_COOKIE_DEMO is not a live "
     "session; copy a fresh one (and check site.cookie_name)"),
    ("json-api", {"history_path": "'/api/v1/plan'"}, "history: GET /api/v1/plan answered 404: set site.history_path"),
])
def test_a_misfit_names_what_it_saw_and_the_key(profile: str, changes: dict[str, str], line: str,
                                                tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, said, _ = check(profile, tmp_path, capsys, **changes)
    assert said == line
    assert code == 1


@pytest.mark.parametrize(("changes", "hint"), [
    ({"success_field": "'status'"},
     'the site\'s JSON answers have no "status" for success_field "status" (they hold: code, data): if the submit '
     "answers like them, set site.success_field"),
    ({"success_field": "''"},
     'the site answers JSON objects (code, data) and success is checked by success_text "修改成功": if the submit '
     "answers like them, set site.success_field and site.success_value"),
])
def test_a_doubtful_success_check_is_named_beside_ready(changes: dict[str, str], hint: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, said, _ = check("json-api", tmp_path, capsys, **changes)
    assert said.startswith("ready (logged in with DAILYPLAN_PASSWORD_DEMO; history read: 2 plan(s), 0 on ")
    assert said.endswith(f"); but {hint}")
    assert code == 0  # nothing was submitted, so the submit's own answer is not known: a hint


def test_a_wrong_password_is_diagnosed_with_one_login(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox(profile="form-csrf") as sb:
        sb.add_account("demo", PASSWORD)
        env = {"DAILYPLAN_BASE_URL": sb.url, "DAILYPLAN_PASSWORD_DEMO": "wrong-CANARY"}
        assert main(["check", "--config", str(EXAMPLES / "form-csrf.toml")], env) == 1
    out = capsys.readouterr().out
    assert ("login: POST /login.do answered 200 with the login page again: check DAILYPLAN_PASSWORD_DEMO, "
            "site.username_param and site.password_param") in out
    assert "CANARY" not in out and len(sb.requests_by(kind="login")) == 1
