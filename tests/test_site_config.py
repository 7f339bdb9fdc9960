"""The `[site]` schema: every shape key validated with one line, defaults that keep today's behaviour."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from runner.config import Site, parse
from runner.credentials import find as find_secret
from runner.credentials import wanted as wanted_secret
from runner.errors import UsageError

GOOD = """
[site]
base_url = "https://routine.example.com"
{site}
[[accounts]]
id = "alice"
username = "alice"
"""


def load_site(tmp_path: Path, site: str) -> Site:
    return parse(tomllib.loads(GOOD.format(site=site)), source="t.toml", base=tmp_path).site


def error(tmp_path: Path, site: str) -> str:
    with pytest.raises(UsageError) as caught:
        load_site(tmp_path, site)
    return str(caught.value).removeprefix("t.toml: ")


def test_defaults_are_the_reference_system(tmp_path: Path) -> None:
    site = load_site(tmp_path, "")
    assert site == Site(base_url="https://routine.example.com")
    assert (site.login_method, site.history_path, site.submit_path, site.team_path) == (
        "get", "/routine/daily", "/routine/daily", "/routine/daily")
    assert (site.submit_method, site.submit_format, site.history_format, site.form_charset) == (
        "POST", "form", "html", "utf-8")
    assert (site.headers, site.submit_fields, site.date_format) == ((), (), "%Y-%m-%d")


def test_login_method_follows_auth_unless_set(tmp_path: Path) -> None:
    assert load_site(tmp_path, "auth = 'bearer'").login_method == "post-json"
    assert load_site(tmp_path, "auth = 'cookie'\nlogin_method = 'post-form'").login_method == "post-form"
    assert load_site(tmp_path, "submit_method = 'put'").submit_method == "PUT"


def test_pages_default_to_plan_path(tmp_path: Path) -> None:
    site = load_site(tmp_path, "plan_path = '/p'\nsubmit_path = '/oa/main.do?method=save'")
    assert (site.history_path, site.submit_path, site.team_path) == ("/p", "/oa/main.do?method=save", "/p")


def test_tables_of_headers_and_fixed_fields(tmp_path: Path) -> None:
    site = load_site(tmp_path, "[site.headers]\nX-Requested-With = 'XMLHttpRequest'\n"
                               "[site.submit_fields]\nformId = 7\ntype = 'daily'\ndraft = false\n")
    assert site.headers == (("X-Requested-With", "XMLHttpRequest"),)
    assert site.submit_fields == (("formId", 7), ("type", "daily"), ("draft", False))


@pytest.mark.parametrize("value", ["0", "true", "'ok'", "1.5"])
def test_success_value_is_any_scalar(tmp_path: Path, value: str) -> None:
    assert load_site(tmp_path, f"success_field = 'code'\nsuccess_value = {value}").success_value == \
        tomllib.loads(f"v = {value}")["v"]


@pytest.mark.parametrize(("site", "line"), [
    ("auth = 'cookie_secret'", "site.auth 'cookie_secret' is not known (did you mean 'cookie-secret'?); "
                               "use 'cookie', 'bearer' or 'cookie-secret'"),
    ("login_method = 'post'", "site.login_method 'post' is not known (did you mean 'post-json'?); "
                              "use 'get', 'post-form' or 'post-json'"),
    ("submit_method = 'get'", "site.submit_method 'GET' is not known; use 'POST' or 'PUT'"),
    ("submit_format = 'jsn'", "site.submit_format 'jsn' is not known (did you mean 'json'?); use 'form' or 'json'"),
    ("history_format = 'xml'", "site.history_format 'xml' is not known; use 'html' or 'json'"),
    ("history_formt = 'json'", "unknown key site.history_formt (did you mean 'history_format'?)"),
    ("history_items = 3", "site.history_items must be a string in quotes, got 3"),
    ("form_charset = 'gbkk'", "site.form_charset 'gbkk' is not a known encoding; use e.g. 'utf-8' or 'gbk'"),
    ("date_format = 'YYYY-MM-DD'", "site.date_format 'YYYY-MM-DD' does not write a date; use strftime codes, "
                                   "e.g. '%Y-%m-%d' or '%Y/%m/%d'"),
    ("submit_path = 'save.do'", "site.submit_path 'save.do' must start with '/', e.g. '/routine/daily' "
                                "(a fixed query may follow: '/oa/main.do?method=dailyList')"),
    ("headers = 'X-A: b'", "site.headers must be a table: write it as [site.headers] with Name = \"value\" lines"),
    ("[site.headers]\nReferer = 3", "site.headers.Referer must be a one-line string in quotes, got 3"),
    ("[site.headers]\n'X A' = 'b'", "site.headers.X A is not a valid header name; use letters, digits and '-'"),
    ("[site.submit_fields]\ndate = '2026-11-20'",
     "site.submit_fields.date reuses the name of site.date_param ('date'), which the runner fills itself; "
     "rename or drop the fixed field"),
    ("content_param = 'body'\n[site.submit_fields]\nbody = 'x'",
     "site.submit_fields.body reuses the name of site.content_param ('body'), which the runner fills itself; "
     "rename or drop the fixed field"),
    ("[site.submit_fields]\nids = [1, 2]", "site.submit_fields.ids must be a string, number or true/false, got [1, 2]"),
    ("success_value = {a = 1}", "site.success_value must be a string, number or true/false, got {'a': 1}"),
])
def test_bad_shape_keys_are_one_line(tmp_path: Path, site: str, line: str) -> None:
    assert error(tmp_path, site) == line


def test_cookie_secret_reads_the_cookie_variable(tmp_path: Path) -> None:
    config = parse(tomllib.loads(GOOD.format(site="auth = 'cookie-secret'")), source="t", base=tmp_path)
    account = config.accounts[0]
    assert wanted_secret(config, account) == "DAILYPLAN_COOKIE_ALICE"
    assert find_secret(config, account, {"DAILYPLAN_PASSWORD_ALICE": "pw"}) is None
    secret = find_secret(config, account, {"DAILYPLAN_COOKIE_ALICE": "JSESSIONID=abc"})
    assert (secret.kind, secret.variable) == ("cookie", "DAILYPLAN_COOKIE_ALICE")
