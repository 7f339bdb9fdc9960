"""``dailyplan learn`` end to end: a person's recorded session in, a config that works out.

The recorder drives the sandbox as a browser would (tests/har_recorder.py) and saves what
Chrome's Export HAR saves, full or sanitized; ``learn`` must find the moments among the noise,
write a config, and never let a secret from the recording reach the file or the terminal.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from har_recorder import Browser, assert_no_secret, sanitize

from runner import cli
from runner.sandbox import Sandbox

PASSWORD = 'Tr0ub4dor&3 "密码"+/='
DAY = date(2026, 11, 19)  # a Thursday: the person files this day's plan by hand
TYPED = '1. 修复登录超时\n2. 评审 "PR #42" & 合并'
PREVIOUS = "2026.11.18\n整理需求文档"


def record_reference(sb: Sandbox, *, team: bool = True) -> dict[str, Any]:
    """Log in, look at one's plans, submit today's by hand, glance at the team page; and noise."""
    b = Browser(sb.url)
    b.noise()
    b.fetch("GET", "/login", params={"username": "alice", "password": PASSWORD})
    b.noise()
    b.open("/routine/daily", {"start_date": (DAY - timedelta(days=30)).isoformat(),
                              "end_date": DAY.isoformat()})
    b.noise()
    text = f"{DAY:%Y.%m.%d}\n{TYPED}\n\n{PREVIOUS}"
    assert b.post_form("/routine/daily", [("date", DAY.isoformat()), ("content", text)],
                       xhr=True).json() == "修改成功"
    b.open("/routine/daily", {"start_date": (DAY - timedelta(days=30)).isoformat(),
                              "end_date": DAY.isoformat()})
    if team:
        b.open("/routine/daily", {"mode": "1", "date": DAY.isoformat()})
    b.noise()
    return b.har()


@pytest.fixture
def reference() -> Sandbox:
    with Sandbox() as sb:
        sb.add_account("alice", PASSWORD, {"2026-11-18": f"{PREVIOUS}\n\n2026.11.17\n写周报",
                                           "2026-11-17": "2026.11.17\n写周报"})
        sb.add_account("bob", "bob-password", {"2026-11-19": "2026.11.19\n压测订单接口，整理慢查询"})
        yield sb


def _secrets(sb: Sandbox) -> set[str]:
    return {PASSWORD, *sb._sessions}


def learn(tmp_path: Path, har: dict[str, Any], capsys: pytest.CaptureFixture[str],
          *args: str) -> tuple[int, dict[str, Any], str, str]:
    (tmp_path / "rec.har").write_text(json.dumps(har, ensure_ascii=False), encoding="utf-8")
    code = cli.main(["learn", str(tmp_path / "rec.har"), "--out", str(tmp_path / "dailyplan.toml"), *args])
    out, err = capsys.readouterr()
    file = tmp_path / "dailyplan.toml"
    text = file.read_text(encoding="utf-8") if file.exists() else ""
    return code, (tomllib.loads(text) if text else {}), text + out + err, out


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
def test_learns_the_reference_system(tmp_path: Path, reference: Sandbox,
                                     capsys: pytest.CaptureFixture[str], sanitized: bool) -> None:
    har = record_reference(reference)
    code, config, everything, out = learn(tmp_path, sanitize(har) if sanitized else har, capsys)
    assert code == 0
    site = config["site"]
    assert site["base_url"] == reference.url
    assert {k: site[k] for k in ("auth", "login_method", "login_path", "username_param",
                                 "password_param", "cookie_name", "csrf_field")} == {
        "auth": "cookie", "login_method": "get", "login_path": "/login", "username_param": "username",
        "password_param": "password", "cookie_name": "session", "csrf_field": ""}
    assert {k: site[k] for k in ("history_path", "start_param", "end_param", "history_format",
                                 "row_selector", "row_date_selector", "row_content_selector",
                                 "content_encoding")} == {
        "history_path": "/routine/daily", "start_param": "start_date", "end_param": "end_date",
        "history_format": "html", "row_selector": ".routine", "row_date_selector": ".date",
        "row_content_selector": "textarea", "content_encoding": "json"}
    assert {k: site[k] for k in ("submit_path", "submit_method", "submit_format", "date_param",
                                 "content_param", "date_format", "form_charset", "success_text")} == {
        "submit_path": "/routine/daily", "submit_method": "POST", "submit_format": "form",
        "date_param": "date", "content_param": "content", "date_format": "%Y-%m-%d",
        "form_charset": "utf-8", "success_text": "修改成功"}
    assert {k: site[k] for k in ("team_path", "team_mode_param", "team_mode_value", "team_date_param",
                                 "team_content_selector")} == {
        "team_path": "/routine/daily", "team_mode_param": "mode", "team_mode_value": "1",
        "team_date_param": "date", "team_content_selector": "textarea"}
    assert "X-Requested-With" not in site.get("headers", {}) and "User-Agent" not in site.get("headers", {})
    assert config["accounts"] == [{"id": "alice", "username": "alice", "plan": TYPED}]
    assert "# from entry 6: GET /login\nlogin_method = \"get\"" in everything
    lines = out.splitlines()
    assert lines[0].startswith(f"wrote {tmp_path / 'dailyplan.toml'} from rec.har: login entry 6, "
                               "history entry 19, submit entry 18, team page entry 20 (")
    assert lines[-3:] == [
        "set DAILYPLAN_PASSWORD_ALICE to your password (repository → Settings → Secrets and variables → "
        "Actions, or export it)",
        f"next: dailyplan check --config {tmp_path / 'dailyplan.toml'}   "
        f"(then: dailyplan run --dry-run --config {tmp_path / 'dailyplan.toml'})",
        f"{tmp_path / 'rec.har'} holds your password and session: delete it now, and never commit it"]
    if sanitized:
        assert ("note: cookie_name: the recording was sanitized (no cookies), so \"session\" is the "
                "runner's default; if it is wrong, dailyplan check names the cookie the login set: put "
                "that in site.cookie_name") in lines
    assert_no_secret(everything, _secrets(reference))


def test_never_overwrites_without_force(tmp_path: Path, reference: Sandbox,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "dailyplan.toml").write_text("# mine\n")
    code, _, everything, _ = learn(tmp_path, record_reference(reference), capsys)
    assert code == 2 and everything.startswith("# mine\n")
    assert everything.endswith(f"error: {tmp_path / 'dailyplan.toml'} already exists; pass --force to "
                               "replace it, or --out another file\n")
    code, config, _, _ = learn(tmp_path, record_reference(reference), capsys, "--force")
    assert code == 0 and config["accounts"][0]["id"] == "alice"


def test_writes_to_standard_output_with_dash(tmp_path: Path, reference: Sandbox,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rec.har").write_text(json.dumps(record_reference(reference)), encoding="utf-8")
    assert cli.main(["learn", str(tmp_path / "rec.har"), "--out", "-", "--id", "me"]) == 0
    out, err = capsys.readouterr()
    assert tomllib.loads(out)["accounts"][0]["id"] == "me"
    assert "set DAILYPLAN_PASSWORD_ME to your password" in err and "next: dailyplan check " in err
    assert not (tmp_path / "dailyplan.toml").exists()
    assert_no_secret(out + err, _secrets(reference))
