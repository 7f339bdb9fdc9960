"""Learn every sandbox profile from a person's recorded session, then let the runner file the
next workday with the learned file: no edit from a full recording, at most the one edit
``dailyplan check`` names from a sanitized one, and no secret from the recording anywhere.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from har_recorder import assert_no_secret, sanitize
from learn_person import record

from runner import cli
from runner.config import parse
from runner.sandbox import Sandbox
from runner.sandbox.profiles import PROFILES, Profile

PASSWORD = 'Tr0ub4dor&3 "密码"+/='
# For a GBK system the person's browser sent the login's query in UTF-8 (what the sandbox reads),
# while the runner sends it in form_charset: a non-ASCII password does not log in there (reported,
# not learn's to fix), so those systems get a password of ASCII punctuation.
ASCII_PASSWORD = 'Tr0ub4dor&3 "pw"+/='


def _password(profile: Profile) -> str:
    return PASSWORD if profile.charset.lower() in ("utf-8", "utf8") else ASCII_PASSWORD
DAY, NEXT = date(2026, 11, 19), date(2026, 11, 20)  # Thursday by hand, Friday by the runner
TYPED = '1. 修复登录超时\n2. 评审 "PR #42" & 合并'
PREVIOUS = "2026.11.18\n整理需求文档"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# keys whose value is the same whoever writes the config (selectors may be spelled differently)
SAME = ("auth", "login_method", "username_param", "password_param", "csrf_field", "token_field",
        "api_login_path", "history_path", "submit_path", "team_path", "start_param", "end_param",
        "date_param", "content_param", "team_date_param", "date_format", "history_format",
        "history_items", "history_date_field", "history_content_field", "team_items",
        "team_content_field", "submit_method", "submit_format", "form_charset", "success_text",
        "success_field", "success_value", "content_encoding", "team_mode_param")


def _secrets(sb: Sandbox, har: dict[str, Any]) -> set[str]:
    """The password, every session and CSRF value the sandbox handed out, every token sent."""
    found = {_password(sb.profile), *sb._sessions, *sb._csrf, *sb._csrf.values()}
    for item in har["log"]["entries"]:
        for h in item["request"]["headers"]:
            if h["name"].lower() == "authorization":
                found.add(h["value"].partition(" ")[2])
    return {s for s in found if len(s) >= 6}


def _session(profile: Profile | str, *, sanitized: bool, tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> tuple[Sandbox, dict[str, Any], str, dict[str, str]]:
    """A sandbox of the profile, the person's recording, `learn` on it, and the secret to set."""
    sb = Sandbox(profile=profile).start()
    p = sb.profile
    password = _password(p)
    sb.add_account("alice", password, {"2026-11-18": f"{PREVIOUS}\n\n2026.11.17\n写周报",
                                       "2026-11-17": "2026.11.17\n写周报"})
    sb.add_account("bob", "bob-password", {"2026-11-19": "2026.11.19\n压测订单接口，整理慢查询"})
    cookie = sb.issue_cookie("alice") if p.login_path is None else None
    text = f"{DAY:%Y.%m.%d}\n{TYPED}\n\n{PREVIOUS}"
    har = record(p, sb.url, username="alice", password=password, day=DAY, text=text, sso_cookie=cookie)
    assert sb.plans["alice"]["2026-11-19"] == text  # the person's own submit went through
    (tmp_path / "rec.har").write_text(json.dumps(sanitize(har) if sanitized else har, ensure_ascii=False),
                                      encoding="utf-8")
    code = cli.main(["learn", str(tmp_path / "rec.har"), "--id", "alice",
                     "--out", str(tmp_path / "dailyplan.toml")])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    if cookie is None:
        env = {"DAILYPLAN_PASSWORD_ALICE": password}
    else:  # what the printed line asks for: the cookie's value, or the whole Cookie header
        asked = re.search(r"set DAILYPLAN_COOKIE_ALICE to the (value of your session cookie|Cookie header)",
                          out)
        assert asked, out
        env = {"DAILYPLAN_COOKIE_ALICE": cookie if asked.group(1).startswith("value")
               else f"{p.cookie_name}={cookie}; _ga=GA1.2.3"}
    return sb, har, out + err, env


def _run(tmp_path: Path, env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["run", "--config", str(tmp_path / "dailyplan.toml"), "--date", NEXT.isoformat()],
                    env=env)
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
@pytest.mark.parametrize("name", list(PROFILES))
def test_learn_then_run_files_the_next_workday(name: str, sanitized: bool, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    sb, har, learned, env = _session(name, sanitized=sanitized, tmp_path=tmp_path, capsys=capsys)
    try:
        text = (tmp_path / "dailyplan.toml").read_text(encoding="utf-8")
        config = parse(tomllib.loads(text), source="learned", base=tmp_path)
        example = parse(tomllib.loads((EXAMPLES / f"{name}.toml").read_text(encoding="utf-8")),
                        source="example", base=EXAMPLES)
        differs = {k: (getattr(config.site, k), getattr(example.site, k)) for k in SAME
                   if getattr(config.site, k) != getattr(example.site, k)}
        assert differs == {}, "learned (left) and examples/ (right) disagree"
        assert {k: str(v) for k, v in config.site.submit_fields} == \
            {k: str(v) for k, v in example.site.submit_fields}
        assert config.accounts[0].plan == TYPED
        # what learn says to run next: check logs in, reads today, and says ready
        assert cli.main(["check", "--config", str(tmp_path / "dailyplan.toml")], env=env) == 0
        checked = capsys.readouterr().out
        assert re.search(r"^alice +alice +ready \(.*history read: \d+ plan", checked, re.M), checked
        code, said = _run(tmp_path, env, capsys)
        assert code == 0, said
        assert sb.plans["alice"]["2026-11-20"] == f"2026.11.20\n{TYPED}\n\n{DAY:%Y.%m.%d}\n{TYPED}"
        assert_no_secret(text + learned + checked + said, _secrets(sb, har))
    finally:
        sb.stop()


_R = dataclasses.replace
# Systems of the same shapes with other names, formats, layouts and charsets: a profile is data, so
# each variant is a system this code has never seen (it will be checked against such systems).
VARIANTS: dict[str, Profile] = {p.name: p for p in (
    _R(PROFILES["gbk"], name="jsp-get", login_path="/auth/signin", username_param="loginName",
       password_param="passwd", cookie_name="SID", unauth_location="/auth/signin",
       history_path="/daily/history.jsp?act=list", submit_path="/daily/submit.jsp",
       team_path="/daily/team.jsp", start_param="sdate", end_param="edate", date_param="rq",
       content_param="nr", team_date_param="rq", date_format="%Y%m%d", charset="utf-8",
       header_charset=True),
    _R(PROFILES["gbk"], name="table-utf8", layout="table", charset="utf-8"),
    _R(PROFILES["gbk"], name="gb-table", layout="table", date_format="%Y/%m/%d"),
    _R(PROFILES["json-api"], name="rest-put", token_field="result.accessToken", username_param="email",
       password_param="password", submit_method="PUT", date_format="%Y/%m/%d",
       login_path="/rest/session", history_path="/rest/daily?scope=me", submit_path="/rest/daily",
       team_path="/rest/team"),
    _R(PROFILES["form-csrf"], name="rails-csrf", csrf_field="authenticity_token",
       cookie_name="_app_session", username_param="user[login]", password_param="user[password]",
       login_path="/session", date_format="%Y-%m-%d", required_fields=(("deptId", "12"),),
       history_path="/plans?view=mine", submit_path="/plans", team_path="/plans/team",
       start_param="q[from]", end_param="q[to]", date_param="plan[day]", content_param="plan[body]"),
    _R(PROFILES["sso-cookie"], name="sso-routine", layout="routine", cookie_name="CASTGC_APP"),
)}


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_systems_of_these_shapes_with_other_names(name: str, sanitized: bool, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """No edit from a full recording; from a sanitized one at most the edit check names."""
    sb, har, learned, env = _session(VARIANTS[name], sanitized=sanitized, tmp_path=tmp_path, capsys=capsys)
    try:
        file = tmp_path / "dailyplan.toml"
        text = file.read_text(encoding="utf-8")
        code, said = _run(tmp_path, env, capsys)
        edits = 0
        if code != 0 and sanitized:  # the one edit: the value check names
            cli.main(["check", "--config", str(file)], env=env)
            named = re.search(r"\(cookies set: (\w+)\): set site\.cookie_name", capsys.readouterr().out)
            assert named, said
            file.write_text(text.replace('cookie_name = "session"', f'cookie_name = "{named.group(1)}"'),
                            encoding="utf-8")
            edits += 1
            code, said = _run(tmp_path, env, capsys)
        assert code == 0, said
        assert edits <= (1 if sanitized else 0)
        assert sb.plans["alice"]["2026-11-20"] == f"2026.11.20\n{TYPED}\n\n{DAY:%Y.%m.%d}\n{TYPED}"
        assert_no_secret(file.read_text(encoding="utf-8") + learned + said, _secrets(sb, har))
    finally:
        sb.stop()


def test_a_sanitized_recording_needs_at_most_the_edit_check_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cookie no clue in the recording can name: check names it, one edit, then it files."""
    odd = dataclasses.replace(PROFILES["gbk"], name="odd-cookie", cookie_name="PLANSID",
                              login_path="/signin", unauth_location="/signin")
    sb, har, learned, env = _session(odd, sanitized=True, tmp_path=tmp_path, capsys=capsys)
    try:
        file = tmp_path / "dailyplan.toml"
        assert cli.main(["check", "--config", str(file)], env=env) == 1
        said = capsys.readouterr().out
        named = re.search(r"\(cookies set: (\w+)\): set site\.cookie_name", said)
        assert named and named.group(1) == "PLANSID", said
        text = file.read_text(encoding="utf-8")
        edited = text.replace('cookie_name = "session"', f'cookie_name = "{named.group(1)}"')
        assert sum(a != b for a, b in zip(text.splitlines(), edited.splitlines(), strict=True)) == 1
        file.write_text(edited, encoding="utf-8")
        code, said = _run(tmp_path, env, capsys)
        assert code == 0, said
        assert sb.plans["alice"]["2026-11-20"].startswith("2026.11.20\n")
        assert_no_secret(edited + learned + said, _secrets(sb, har))
    finally:
        sb.stop()
