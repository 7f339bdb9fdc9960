"""The pipeline end to end across every sandbox profile, each configured by its examples/ file alone.

Each shape must pass the same day: submit (previous plan quoted), skip as already submitted,
a session that ends mid-run, a read-back that catches a lost write, and a wrong password failing
as auth with exactly one login request.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox
from runner.sandbox.profiles import PROFILES

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAY = "2026-11-20"
PREVIOUS = "2026.11.19\n修复登录 bug：“返回”按钮 & <b>\n\n2026.11.18\n更早的工作"
TEAM = "2026.11.20\n整理本周的发布说明与回归清单"
EXPECTED = "2026.11.20\n继续重构支付接口\n\n2026.11.19\n修复登录 bug：“返回”按钮 & <b>"


@pytest.fixture(params=sorted(PROFILES))
def site(request: pytest.FixtureRequest) -> Sandbox:
    with Sandbox(profile=request.param) as sb:
        sb.add_account("demo", "pw-demo-CANARY", plans={"2026-11-19": PREVIOUS})
        sb.add_account("mate", "pw-mate", plans={DAY: TEAM})
        yield sb


def secrets(sb: Sandbox, password: str = "pw-demo-CANARY") -> dict[str, str]:
    if sb.profile.login_path is None:  # SSO: the cookie is copied from the browser
        return {"DAILYPLAN_COOKIE_DEMO": f"{sb.profile.cookie_name}={sb.issue_cookie('demo')}; theme=dark"}
    return {"DAILYPLAN_PASSWORD_DEMO": password}


def run(sb: Sandbox, tmp_path: Path, env: dict[str, str] | None = None, *args: str) -> dict[str, object]:
    out = tmp_path / "result.json"
    config = EXAMPLES / f"{sb.profile.name}.toml"
    env = {"DAILYPLAN_BASE_URL": sb.url, **(secrets(sb) if env is None else env)}
    code = main(["run", "--config", str(config), "--date", DAY, "--result", str(out), *args], env)
    [account] = json.loads(out.read_text())["accounts"]
    assert code == (1 if account["status"] == "failed" else 0)
    return account


def logins(sb: Sandbox) -> int:
    return len(sb.requests_by(kind="login"))


def test_submits_quoting_the_previous_plan_and_reads_back(site: Sandbox, tmp_path: Path) -> None:
    account = run(site, tmp_path)
    assert (account["status"], account["message"]) == ("submitted", "submitted and read back")
    assert site.plans["demo"][DAY] == EXPECTED
    assert account["previous_date"] == "2026-11-19"
    assert logins(site) == (0 if site.profile.login_path is None else 1)
    assert account["requests"] <= (5 if site.profile.name == "reference" else 6)


def test_a_plan_already_there_is_left_alone(site: Sandbox, tmp_path: Path) -> None:
    site.plans["demo"][DAY] = "2026.11.20\n我手写的计划"
    account = run(site, tmp_path)
    assert (account["status"], account["reason"]) == ("skipped", "already-submitted")
    assert site.plans["demo"][DAY] == "2026.11.20\n我手写的计划"
    assert site.requests_by(kind="submit") == []


def test_the_dry_run_previews_what_would_be_filed(site: Sandbox, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    account = run(site, tmp_path, None, "--dry-run")
    assert account["status"] == "previewed"
    shown = [line.removeprefix("    │ ").strip() for line in capsys.readouterr().out.splitlines()]
    assert "\n".join(shown[-5:]) == EXPECTED
    assert DAY not in site.plans["demo"]


def test_a_session_ending_mid_run(site: Sandbox, tmp_path: Path) -> None:
    # the two history reads use the session up and the submit meets its end; with a CSRF form the new
    # session's token is read from a page first, so its session lasts one request longer
    site.faults.session_ttl = 3 if site.profile.csrf_field else 2
    account = run(site, tmp_path)
    if site.profile.login_path is None:  # a copied cookie cannot be renewed by the runner
        assert (account["status"], account["reason"]) == ("failed", "auth")
        assert account["message"] == ("the site ended the session in DAILYPLAN_COOKIE_DEMO; copy a fresh "
                                      "cookie from the browser (after logging in) and update the secret")
        assert logins(site) == 0
    else:
        assert account["status"] == "submitted"
        assert site.plans["demo"][DAY] == EXPECTED
        assert logins(site) >= 2


def test_a_lost_write_is_caught_by_the_read_back(site: Sandbox, tmp_path: Path) -> None:
    site.faults.lost_writes = 2
    account = run(site, tmp_path)
    assert (account["status"], account["reason"]) == ("failed", "verify")
    assert DAY not in site.plans["demo"]


def test_a_wrong_password_is_auth_after_exactly_one_login(site: Sandbox, tmp_path: Path) -> None:
    if site.profile.login_path is None:
        env = {"DAILYPLAN_COOKIE_DEMO": "stale-cookie-CANARY"}
    else:
        env = {"DAILYPLAN_PASSWORD_DEMO": "wrong-CANARY"}
    account = run(site, tmp_path, env)
    assert (account["status"], account["reason"]) == ("failed", "auth")
    assert logins(site) == (0 if site.profile.login_path is None else 1)
    assert "CANARY" not in json.dumps(account)
    assert site.requests_by(kind="submit") == []


def test_the_sandbox_command_serves_a_profile(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Sandbox] = []

    def ctrl_c(sb: Sandbox) -> None:
        served.append(sb)
        sb.stop()
        raise KeyboardInterrupt

    monkeypatch.setattr(Sandbox, "serve_forever", ctrl_c)
    assert main(["sandbox", "--port", "0", "--profile", "sso-cookie"], {}) == 0
    out = capsys.readouterr().out
    assert served[0].profile.name == "sso-cookie"
    assert "profile: sso-cookie: behind SSO" in out and "config:  examples/sso-cookie.toml" in out
    assert "  DAILYPLAN_COOKIE_DEMO='SSO_SESSION=" in out


def test_an_unknown_profile_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--port", "0", "--profile", "jsonapi"], {}) == 2
    assert capsys.readouterr().err == ("error: --profile 'jsonapi' is not known (did you mean 'json-api'?); use one of reference, "
                                       "form-csrf, json-api, gbk, sso-cookie\n")


def test_every_profile_has_an_example_and_every_example_a_profile() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.toml")) == sorted(PROFILES)


@pytest.mark.parametrize("name", sorted(n for n, p in PROFILES.items() if p.login_path is not None))
def test_a_password_in_chinese_logs_in_in_the_sites_charset(name: str, tmp_path: Path) -> None:
    """A browser sends a form (GET or POST) in the page's charset; the runner does as form_charset says."""
    with Sandbox(profile=name) as sb:
        sb.add_account("demo", "密码-CANARY", plans={"2026-11-19": PREVIOUS})
        account = run(sb, tmp_path, {"DAILYPLAN_PASSWORD_DEMO": "密码-CANARY"})
        assert account["status"] == "submitted", account["message"]
        assert logins(sb) == 1
