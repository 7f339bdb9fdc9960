"""``learn`` on systems drawn at random: the sandbox's profile mixes (tests/test_profile_mix.py's
``mix``, every dimension drawn on its own: login method, CSRF, cookie or token, paths with fixed
queries, date format, HTML or JSON pages, form or JSON submit, charset, fixed fields, the answer).

For each, a person's recorded session is learned and the runner files the next workday: with no
edit from a full recording, with at most the one edit ``check`` names from a sanitized one.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from har_recorder import assert_no_secret, sanitize
from learn_person import record
from test_profile_mix import mix

from runner import cli
from runner.sandbox import Sandbox

PASSWORD = "pw-Mix-secret-1"  # ASCII: see test_learn_profiles.ASCII_PASSWORD
DAY = date(2026, 11, 19)
TYPED = "1. 修复登录超时\n2. 评审 PR & 合并"
PREVIOUS = "2026.11.18\n整理需求文档"


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
@pytest.mark.parametrize("seed", range(24))
def test_learn_a_random_system(seed: int, sanitized: bool, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    profile = mix(seed)
    with Sandbox(profile=profile) as sb:
        sb.add_account("alice", PASSWORD, {"2026-11-18": f"{PREVIOUS}\n\n2026.11.17\n写周报"})
        sb.add_account("bob", "bob-password", {"2026-11-19": "2026.11.19\n压测订单接口，整理慢查询"})
        cookie = sb.issue_cookie("alice") if profile.login_path is None else None
        har = record(profile, sb.url, username="alice", password=PASSWORD, day=DAY,
                     text=f"{DAY:%Y.%m.%d}\n{TYPED}\n\n{PREVIOUS}", sso_cookie=cookie)
        assert "2026-11-19" in sb.plans["alice"], "the person's own submit did not go through"
        (tmp_path / "rec.har").write_text(json.dumps(sanitize(har) if sanitized else har,
                                                     ensure_ascii=False), encoding="utf-8")
        file = tmp_path / "dailyplan.toml"
        assert cli.main(["learn", str(tmp_path / "rec.har"), "--id", "alice", "--out", str(file)]) == 0
        learned = capsys.readouterr().out
        site = tomllib.loads(file.read_text(encoding="utf-8"))["site"]
        if profile.login_page and profile.login_path:  # the form on one path, posted to another
            assert (site["login_page_path"], site["login_path"]) == (profile.login_page, profile.login_path)
        env = ({"DAILYPLAN_COOKIE_ALICE": f"{profile.cookie_name}={cookie}"} if cookie
               else {"DAILYPLAN_PASSWORD_ALICE": PASSWORD})
        run = ["run", "--config", str(file), "--date", "2026-11-20"]
        code, edits = cli.main(run, env=env), 0
        said = capsys.readouterr().out
        if code != 0 and sanitized:  # the one edit check names: the cookie the recording hid
            cli.main(["check", "--config", str(file)], env=env)
            named = re.search(r"\(cookies set: (\w+)\): set site\.cookie_name", capsys.readouterr().out)
            assert named, said
            text = file.read_text(encoding="utf-8")
            file.write_text(re.sub(r'cookie_name = "[^"]*"', f'cookie_name = "{named.group(1)}"', text),
                            encoding="utf-8")
            code, edits = cli.main(run, env=env), 1
            said = capsys.readouterr().out
        assert code == 0, said
        assert edits <= (1 if sanitized else 0)
        assert sb.plans["alice"]["2026-11-20"] == f"2026.11.20\n{TYPED}\n\n{DAY:%Y.%m.%d}\n{TYPED}"
        tokens = {h["value"].partition(" ")[2] for item in har["log"]["entries"]
                  for h in item["request"]["headers"] if h["name"].lower() == "authorization"}
        secrets = {PASSWORD, *sb._sessions, *sb._csrf.values(), *tokens, *(x for x in [cookie] if x)}
        assert_no_secret(file.read_text(encoding="utf-8") + learned + said, secrets)
