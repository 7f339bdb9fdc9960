"""Shapes no example covers: sandbox profiles mixed at random, each configured from `[site]` keys alone.

The five named profiles are the shapes we thought of; outside checks will bring combinations we did
not. Each mix here draws every dimension independently (login method and CSRF, cookie or token,
how an ended session looks, three paths with fixed queries, date format, HTML table or JSON pages,
form or JSON submit, charset, fixed fields, the success answer) and must pass the same day.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from runner.cli import main
from runner.sandbox import Sandbox
from runner.sandbox.profiles import Profile

DAY = "2026-11-20"
PASSWORD = "pw-mix-CANARY"
PREVIOUS = "2026.11.19\n修复登录 bug & <b>\n\n2026.11.18\n更早"
EXPECTED = "2026.11.20\n继续重构支付接口\n\n2026.11.19\n修复登录 bug & <b>"


def mix(seed: int) -> Profile:
    r = random.Random(seed)
    sso = r.random() < 0.2  # no login the runner can do: the cookie is copied from the browser
    token = not sso and r.random() < 0.35
    method = r.choice(["get", "post-form", "post-json"])
    json_pages = r.random() < 0.4
    # a CSRF token rotated on login must be on a page the runner reads: HTML pages here
    csrf = not token and not json_pages and method != "get" and r.random() < 0.6
    posted_elsewhere = csrf and r.random() < 0.5  # /login.jsp shows the form, /j_security_check takes it
    fmt = r.choice(["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"])
    return Profile(
        f"mix-{seed}", "a random mix",
        login_path=None if sso else "/j_security_check" if posted_elsewhere else r.choice(
            ["/login", "/auth/signin.do", "/api/session"]),
        login_page="/login.jsp" if posted_elsewhere else None,
        login_method=method, username_param=r.choice(["username", "user", "loginName"]),
        password_param=r.choice(["password", "pwd", "passWord"]), csrf_field="_token" if csrf else "",
        cookie_name="" if token else r.choice(["session", "JSESSIONID", "SID"]),
        token_field=r.choice(["token", "data.token", "result.accessToken"]) if token else "",
        unauth=r.choice(["redirect", "login-page", "401", "code-401"]),
        unauth_location=r.choice(["/login", "https://sso.corp.example/cas/login"]),
        history_path=r.choice(["/plan/list", "/oa/main.do?method=dailyList", "/api/plans?type=daily"]),
        submit_path=r.choice(["/plan/save", "/oa/main.do?method=saveDaily"]),
        team_path=r.choice(["/team/list", "/oa/main.do?method=teamList"]),
        submit_method=r.choice(["POST", "PUT"]), start_param=r.choice(["start", "beginDate"]),
        end_param=r.choice(["end", "endDate"]), date_param=r.choice(["date", "planDate"]),
        content_param=r.choice(["content", "planContent"]), team_date_param="day", date_format=fmt,
        page_format="json" if json_pages else "html", layout=r.choice(["routine", "table"]),
        submit_format=r.choice(["form", "json"]), charset=r.choice(["utf-8", "gbk"]),
        header_charset=json_pages or r.random() < 0.5,
        required_fields=(("formId", "7"),) if r.random() < 0.5 else (),
        answer=r.choice(["json-string", "text", "code", "success"]), saved=r.choice(["修改成功", "保存成功"]),
    )


def config(p: Profile, url: str) -> str:
    """The dailyplan.toml a user would write for this system, from the README's [site] keys."""
    auth = "cookie-secret" if p.login_path is None else "bearer" if p.token_field else "cookie"
    site: dict[str, object] = {
        "base_url": url, "auth": auth, "login_method": p.login_method,
        "username_param": p.username_param, "password_param": p.password_param,
        "history_path": p.history_path, "submit_path": p.submit_path, "team_path": p.team_path,
        "team_mode_param": "", "team_date_param": p.team_date_param, "start_param": p.start_param,
        "end_param": p.end_param, "date_param": p.date_param, "content_param": p.content_param,
        "date_format": p.date_format, "submit_method": p.submit_method, "submit_format": p.submit_format,
        "form_charset": p.charset, "history_format": p.page_format,
    }
    if p.token_field:
        site |= {"api_login_path": p.login_path, "token_field": p.token_field}
    elif p.login_path is None:
        site |= {"cookie_name": p.cookie_name}
    else:
        site |= {"login_path": p.login_path, "cookie_name": p.cookie_name, "csrf_field": p.csrf_field}
        if p.login_page:
            site["login_page_path"] = p.login_page
    if p.page_format == "json":
        site |= {"history_items": "data.list", "history_date_field": "planDate",
                 "history_content_field": "content", "team_items": "data", "team_content_field": "content"}
    elif p.layout == "table":
        site |= {"content_encoding": "plain", "row_selector": "table#plans tr", "row_date_selector": "td.day",
                 "row_content_selector": "td.text", "team_content_selector": "#team td.plan"}
    if p.answer in ("code", "success"):
        site |= {"success_field": p.answer, "success_value": 0 if p.answer == "code" else True}
    else:
        site["success_text"] = p.saved
    lines = ["[site]", *(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in site.items())]
    if p.required_fields:
        lines += ["[site.submit_fields]", *(f"{k} = {v}" for k, v in p.required_fields)]
    lines += ["[workday]", 'calendar = "weekdays"', "quorum = 1",
              "[[accounts]]", 'id = "me"', 'username = "me"', 'plan = "继续重构支付接口"']
    return "\n".join(lines) + "\n"


@pytest.fixture(params=range(24), ids=lambda seed: f"mix-{seed}")
def system(request: pytest.FixtureRequest) -> Sandbox:
    profile = mix(request.param)
    with Sandbox(profile=profile) as sb:
        sb.add_account("me", PASSWORD, plans={"2026-11-19": PREVIOUS})
        sb.add_account("mate", "pw-mate", plans={DAY: "2026.11.20\n整理本周的发布说明与回归清单"})
        yield sb


def secrets(sb: Sandbox, password: str = PASSWORD) -> dict[str, str]:
    if sb.profile.login_path is None:
        cookie = sb.issue_cookie("me") if password == PASSWORD else "stale-CANARY"
        return {"DAILYPLAN_COOKIE_ME": f"{sb.profile.cookie_name}={cookie}; lang=zh"}
    return {"DAILYPLAN_PASSWORD_ME": password}


def run(sb: Sandbox, tmp_path: Path, password: str = PASSWORD) -> dict[str, object]:
    out = tmp_path / "result.json"
    env = {"DAILYPLAN_CONFIG": config(sb.profile, sb.url), **secrets(sb, password)}
    main(["run", "--date", DAY, "--result", str(out)], env)
    [account] = json.loads(out.read_text())["accounts"]
    return account


def test_a_mixed_system_files_skips_and_refuses_a_wrong_password(system: Sandbox, tmp_path: Path) -> None:
    first = run(system, tmp_path)
    assert (first["status"], first["message"]) == ("submitted", "submitted and read back"), (system.profile, first)
    assert system.plans["me"][DAY] == EXPECTED
    assert run(system, tmp_path)["reason"] == "already-submitted"
    system.clear_log()
    wrong = run(system, tmp_path, "wrong-CANARY")
    assert (wrong["status"], wrong["reason"]) == ("failed", "auth"), (system.profile, wrong)
    assert len(system.requests_by(kind="login")) == (0 if system.profile.login_path is None else 1)
    assert not system.requests_by(kind="submit")


def test_a_mixed_system_survives_a_session_ending_mid_run(system: Sandbox, tmp_path: Path) -> None:
    system.faults.session_ttl = 3 if system.profile.csrf_field else 2
    account = run(system, tmp_path)
    if system.profile.login_path is None:  # a copied cookie cannot be renewed: auth, asking for one
        assert (account["status"], account["reason"]) == ("failed", "auth"), (system.profile, account)
        assert "copy a fresh cookie" in account["message"]
        return
    assert account["status"] == "submitted", (system.profile, account)
    assert len(system.requests_by(kind="login")) >= 2


def test_check_calls_each_mixed_system_ready(system: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    env = {"DAILYPLAN_CONFIG": config(system.profile, system.url), **secrets(system)}
    code = main(["check"], env)
    out = capsys.readouterr().out
    assert code == 0, (system.profile, out)


def test_the_mixes_cover_every_dimension() -> None:
    mixes = [mix(seed) for seed in range(24)]
    for name, values in {"login_method": {"get", "post-form", "post-json"}, "unauth": {"redirect", "login-page", "401", "code-401"},
                         "page_format": {"html", "json"}, "submit_format": {"form", "json"},
                         "charset": {"utf-8", "gbk"}, "answer": {"json-string", "text", "code", "success"},
                         "submit_method": {"POST", "PUT"}}.items():
        assert {getattr(m, name) for m in mixes} == values, name
    assert any(m.csrf_field for m in mixes) and any(m.token_field for m in mixes)
    assert any(m.login_path is None for m in mixes) and any(m.login_page for m in mixes)
    assert any(m.layout == "table" and m.page_format == "html" for m in mixes)
    assert replace(mixes[0], name="x").name == "x"
