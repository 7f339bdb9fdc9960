"""``learn`` on recordings of systems no sandbox profile plays: a JSON API with a bearer token,
a Java app with a CSRF form and a table, an old GBK system, one behind single sign-on.

Each recording is hand-made the way Chrome writes it (tests/har_recorder.py ``entry``), with the
page's noise around the moments. Every learned config must load, and the runner's own parser
must read the recorded history page with the learned keys; no secret may reach the output.
"""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from har_recorder import assert_no_secret, entry, har_of, sanitize

from runner import cli
from runner.config import parse
from runner.site.pages import parse_history

HOST = "https://plan.corp.example"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJsaS5sZWkiLCJleHAiOjE4OTM0NTYwMDB9."
       "c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0xMjM0NTY3ODkw")
SESSION = "9F8E7D6C5B4A39281706F5E4D3C2B1A0"
CSRF = "c5f1e0a2-77b4-4d1e-9a0f-3b2c1d0e9f8a"
PASSWORD = "S3cret!pw 密码"
PREVIOUS = "2026.11.18\n联调支付回调"
TEXT = "2026.11.19\n1. 压测订单接口\n2. 整理慢查询\n\n2026.11.18\n联调支付回调"


def noise() -> list[dict[str, Any]]:
    return [entry("GET", f"{HOST}/static/app.css", mime="text/css", text="body{}", kind="stylesheet"),
            entry("GET", f"{HOST}/static/vendor.js?v=3", mime="application/javascript",
                  text="var x=1;", kind="script"),
            entry("POST", "https://www.google-analytics.com/g/collect?v=2&tid=G-1", status=204,
                  body='{"en":"page_view","date":"2026-11-19","label":"每日计划页面"}',
                  body_mime="text/plain", kind="ping"),
            entry("GET", f"{HOST}/api/notice/unread?_=1732412345678", mime="application/json",
                  text='{"code":0,"data":{"count":2}}')]


def learn(tmp_path: Path, har: dict[str, Any], capsys: pytest.CaptureFixture[str], *args: str,
          secrets: tuple[str, ...] = (PASSWORD, JWT, SESSION, CSRF)) -> tuple[int, dict[str, Any], str]:
    (tmp_path / "rec.har").write_text(json.dumps(har, ensure_ascii=False), encoding="utf-8")
    out_file = tmp_path / "dailyplan.toml"
    code = cli.main(["learn", str(tmp_path / "rec.har"), "--out", str(out_file), "--force", *args])
    out, err = capsys.readouterr()
    text = out_file.read_text(encoding="utf-8") if out_file.exists() else ""
    assert_no_secret(text + out + err, set(secrets))
    return code, tomllib.loads(text) if text else {}, out + err


def loads(tmp_path: Path):
    """The learned file through the runner's own loader: every key known, every value valid."""
    return parse(tomllib.loads((tmp_path / "dailyplan.toml").read_text(encoding="utf-8")),
                 source="dailyplan.toml", base=tmp_path)


# ---------------------------------------------------------------------------- a JSON API


def json_api() -> dict[str, Any]:
    bearer = {"Authorization": f"Bearer {JWT}", "X-Requested-With": "XMLHttpRequest",
              "Referer": f"{HOST}/#/daily"}
    plans = {"code": 0, "data": {"total": 2, "list": [
        {"id": 31, "planDate": "2026-11-18 00:00:00", "content": f"{PREVIOUS}\n\n2026.11.17\n写迁移脚本",
         "author": {"name": "li.lei"}},
        {"id": 30, "planDate": "2026-11-17 00:00:00", "content": "2026.11.17\n写迁移脚本",
         "author": {"name": "li.lei"}}]}}
    return har_of(
        *noise(),
        entry("GET", f"{HOST}/", mime="text/html", kind="document",
              text='<div id="app"></div><script src="/static/vendor.js?v=3"></script>'),
        entry("POST", f"{HOST}/api/v1/auth/login", mime="application/json",
              body=json.dumps({"account": "li.lei", "pwd": PASSWORD, "tenantId": 3}),
              body_mime="application/json;charset=UTF-8",
              text=json.dumps({"code": 0, "msg": "ok", "data": {"token": JWT, "expires": 7200}})),
        *noise(),
        entry("GET", f"{HOST}/api/v1/plans?from=2026-10-20&to=2026-11-19&_=1732412345999",
              mime="application/json", headers=bearer, text=json.dumps(plans)),
        entry("PUT", f"{HOST}/api/v1/plans", mime="application/json", headers=bearer,
              body=json.dumps({"planDate": "2026-11-19", "content": TEXT, "deptId": 12}),
              body_mime="application/json", text='{"code":0,"msg":"保存成功","data":null}'),
        entry("GET", f"{HOST}/api/v1/team/plans?date=2026-11-19", mime="application/json",
              headers=bearer, text=json.dumps({"code": 0, "data": [
                  {"member": "li.lei", "text": TEXT}, {"member": "han", "text": "未填写"}]})),
        *noise())


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
def test_a_json_api_with_a_bearer_token(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        sanitized: bool) -> None:
    har = json_api()
    code, config, said = learn(tmp_path, sanitize(har) if sanitized else har, capsys)
    assert code == 0, said
    site = config["site"]
    assert {k: site.get(k) for k in (
        "base_url", "auth", "login_method", "api_login_path", "token_field", "username_param",
        "password_param", "history_path", "start_param", "end_param", "history_format",
        "history_items", "history_date_field", "history_content_field", "submit_path",
        "submit_method", "submit_format", "date_param", "content_param", "date_format",
        "success_field", "success_value", "team_path", "team_date_param", "team_items",
        "team_content_field")} == {
        "base_url": HOST, "auth": "bearer", "login_method": "post-json",
        "api_login_path": "/api/v1/auth/login", "token_field": "data.token",
        "username_param": "account", "password_param": "pwd", "history_path": "/api/v1/plans",
        "start_param": "from", "end_param": "to", "history_format": "json",
        "history_items": "data.list", "history_date_field": "planDate",
        "history_content_field": "content", "submit_path": "/api/v1/plans", "submit_method": "PUT",
        "submit_format": "json", "date_param": "planDate", "content_param": "content",
        "date_format": "%Y-%m-%d", "success_field": "code", "success_value": 0,
        "team_path": "/api/v1/team/plans", "team_date_param": "date", "team_items": "data",
        "team_content_field": "text"}
    assert site["submit_fields"] == {"deptId": 12}
    # what a plain client would not send: jQuery's marker, and the page as Referer (no #fragment)
    assert site["headers"] == {"X-Requested-With": "XMLHttpRequest", "Referer": f"{HOST}/"}
    assert "success_text" not in site and "content_encoding" not in site
    assert config["accounts"] == [{"id": "li.lei", "username": "li.lei", "plan": "1. 压测订单接口\n2. 整理慢查询"}]
    assert "set DAILYPLAN_PASSWORD_LI_LEI to your password" in said
    assert "note: login: entry 6: POST /api/v1/auth/login also sends tenantId;" in said
    config_obj = loads(tmp_path)
    rows = parse_history(har["log"]["entries"][10]["response"]["content"]["text"], config_obj.site)
    assert [r.day.isoformat() for r in rows] == ["2026-11-18", "2026-11-17"]


# ---------------------------------------------------------------------------- a Java app with a form


LOGIN_PAGE = f"""<html><head><title>登录</title></head><body>
<form method="post" action="/login.do"><input type="hidden" name="_csrf" value="{CSRF}">
<input type="text" name="j_username"><input type="password" name="j_password">
<input type="checkbox" name="remember-me" value="on"><button>登录</button></form></body></html>"""


def java_list(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td>{day}</td><td>{text.replace(chr(10), '<br>')}</td><td>已提交</td></tr>\n"
                    for day, text in rows)
    return (f'<html><body><div class="nav"><a href="/oa/main.do?method=index">首页</a></div>'
            f'<input type="hidden" name="_csrf" value="{CSRF}">'
            f'<table class="grid"><tr><th>日期</th><th>内容</th><th>状态</th></tr>\n{cells}</table>'
            '<textarea id="draft" style="display:none">草稿 2026-01-05 先别提交</textarea></body></html>')


def java_app() -> dict[str, Any]:
    cookie = {"Cookie": f"JSESSIONID={SESSION}; theme=blue", "Referer": f"{HOST}/oa/main.do?method=index"}
    listing = java_list([("2026/11/18", f"{PREVIOUS}\n\n2026.11.17\n写迁移脚本"),
                         ("2026/11/17", "2026.11.17\n写迁移脚本")])
    form = urlencode([("planDate", "2026/11/19"), ("planContent", TEXT), ("formId", "7"),
                      ("type", "daily"), ("_csrf", CSRF)])
    return har_of(
        entry("GET", f"{HOST}/login.do", mime="text/html;charset=UTF-8", text=LOGIN_PAGE, kind="document",
              response_headers=[("Set-Cookie", "JSESSIONID=0000PRELOGIN0000; Path=/; HttpOnly")]),
        *noise(),
        entry("POST", f"{HOST}/login.do", status=302, kind="document",
              body=urlencode([("_csrf", CSRF), ("j_username", "wangfang"), ("j_password", PASSWORD),
                              ("remember-me", "on")]),
              body_mime="application/x-www-form-urlencoded",
              headers={"Cookie": "JSESSIONID=0000PRELOGIN0000", "Origin": HOST},
              response_headers=[("Location", f"{HOST}/oa/main.do?method=index"),
                                ("Set-Cookie", f"JSESSIONID={SESSION}; Path=/; HttpOnly"),
                                ("Server", "Apache-Coyote/1.1")]),
        entry("GET", f"{HOST}/oa/main.do?method=index", mime="text/html", text="<h1>首页</h1>",
              headers=cookie, kind="document"),
        entry("GET", f"{HOST}/oa/main.do?method=dailyList&beginDate=2026/10/20&endDate=2026/11/19",
              mime="text/html;charset=UTF-8", headers=cookie, text=listing, kind="document"),
        *noise(),
        entry("POST", f"{HOST}/oa/daily/save.do", mime="text/plain;charset=UTF-8", text="保存成功",
              body=form, body_mime="application/x-www-form-urlencoded",
              headers={**cookie, "X-Requested-With": "XMLHttpRequest",
                       "X-CSRF-TOKEN": CSRF}),
        entry("GET", f"{HOST}/oa/team/list.do?day=2026/11/19", mime="text/html", headers=cookie,
              kind="document", text="<table><tr><td>wangfang</td><td>" + TEXT.replace("\n", "<br>")
              + "</td></tr><tr><td>lilei</td><td>未填写</td></tr></table>"),
        *noise())


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
def test_a_java_app_with_a_csrf_form_and_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 sanitized: bool) -> None:
    har = java_app()
    code, config, said = learn(tmp_path, sanitize(har) if sanitized else har, capsys)
    assert code == 0, said
    site = config["site"]
    assert {k: site.get(k) for k in (
        "auth", "login_method", "login_path", "username_param", "password_param", "csrf_field",
        "cookie_name", "history_path", "start_param", "end_param", "history_format", "date_format",
        "content_encoding", "submit_path", "date_param", "content_param", "success_text",
        "team_path", "team_date_param", "team_mode_param", "team_content_selector")} == {
        "auth": "cookie", "login_method": "post-form", "login_path": "/login.do",
        "username_param": "j_username", "password_param": "j_password", "csrf_field": "_csrf",
        "cookie_name": "JSESSIONID", "history_path": "/oa/main.do?method=dailyList",
        "start_param": "beginDate", "end_param": "endDate", "history_format": "html",
        "date_format": "%Y/%m/%d", "content_encoding": "plain", "submit_path": "/oa/daily/save.do",
        "date_param": "planDate", "content_param": "planContent", "success_text": "保存成功",
        "team_path": "/oa/team/list.do", "team_date_param": "day", "team_mode_param": "",
        "team_content_selector": "td:nth-of-type(2)"}
    assert site["submit_fields"] == {"formId": "7", "type": "daily"}
    assert site["headers"]["X-Requested-With"] == "XMLHttpRequest" and "X-CSRF-TOKEN" not in site["headers"]
    assert "note: headers: entry 13: POST /oa/daily/save.do sends X-CSRF-TOKEN with a per-session value; not copied" in said
    if sanitized:
        assert ('note: cookie_name: the recording was sanitized (no cookies), so "JSESSIONID" is guessed '
                "from the server's make;") in said
    page = har["log"]["entries"][7]["response"]["content"]["text"]
    rows = parse_history(page, loads(tmp_path).site)
    assert [(r.day.isoformat(), r.text) for r in rows] == [
        ("2026-11-18", f"{PREVIOUS}\n\n2026.11.17\n写迁移脚本"), ("2026-11-17", "2026.11.17\n写迁移脚本")]
    assert config["accounts"][0]["plan"] == "1. 压测订单接口\n2. 整理慢查询"


# ---------------------------------------------------------------------------- GBK, SSO, a template


def gbk_app(text: str = TEXT) -> dict[str, Any]:
    cookie = {"Cookie": f"ASPSESSIONIDQQ={SESSION}"}
    rows = "".join(f'<li class="item"><b class="d">{d}</b><pre>{t}</pre></li>' for d, t in (
        ("2026.11.18", f"{PREVIOUS}\n\n2026.11.17\n写迁移脚本"), ("2026.11.17", "2026.11.17\n写迁移脚本")))
    return har_of(
        entry("GET", f"{HOST}/login.asp?username=zhangwei&password={quote(PASSWORD.encode('gbk'))}",
              mime="text/html", text='"登录成功"', response_headers=[
                  ("Set-Cookie", f"ASPSESSIONIDQQ={SESSION}; path=/")]),
        *noise(),
        entry("GET", f"{HOST}/plan/list.asp?start_date=2026.10.20&end_date=2026.11.19", mime="text/html",
              headers=cookie, kind="document",
              text=f'<html><head><meta charset="gbk"></head><body><ul>{rows}</ul></body></html>'),
        entry("POST", f"{HOST}/plan/save.asp", mime="text/html", text="修改成功", headers=cookie,
              body=urlencode([("date", "2026.11.19"), ("content", text)], encoding="gbk"),
              body_mime="application/x-www-form-urlencoded", kind="document"))


def test_an_old_gbk_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, config, said = learn(tmp_path, gbk_app(), capsys)
    assert code == 0, said
    site = config["site"]
    assert {k: site[k] for k in ("login_method", "login_path", "cookie_name", "form_charset",
                                 "date_format", "row_selector", "row_date_selector",
                                 "row_content_selector", "content_encoding", "success_text")} == {
        "login_method": "get", "login_path": "/login.asp", "cookie_name": "ASPSESSIONIDQQ",
        "form_charset": "gbk", "date_format": "%Y.%m.%d", "row_selector": ".item",
        "row_date_selector": ".d", "row_content_selector": "pre", "content_encoding": "plain",
        "success_text": "修改成功"}
    assert config["accounts"][0]["plan"] == "1. 压测订单接口\n2. 整理慢查询"
    loads(tmp_path)


def sso_app() -> dict[str, Any]:
    cookie = {"Cookie": f"SSO_SESSION={SESSION}; _ga=GA1.2.12345"}
    return har_of(
        entry("GET", "https://sso.corp.example/cas/login?service=https%3A%2F%2Fplan.corp.example%2F",
              mime="text/html", kind="document",
              text='<form><input name="username"><input type="password" name="password"></form>'),
        entry("POST", "https://sso.corp.example/cas/login", status=302, kind="document",
              body=urlencode([("username", "zhaoliu"), ("password", PASSWORD), ("lt", CSRF)]),
              body_mime="application/x-www-form-urlencoded",
              response_headers=[("Location", f"{HOST}/daily/list?ticket=ST-1")]),
        *noise(),
        entry("GET", f"{HOST}/daily/list?start_date=2026-10-20&end_date=2026-11-19", mime="text/html",
              headers=cookie, kind="document", text=java_list([("2026-11-18", PREVIOUS)])),
        entry("POST", f"{HOST}/daily/save", mime="application/json", text='"修改成功"\n', headers=cookie,
              body=urlencode([("date", "2026-11-19"), ("content", TEXT)]),
              body_mime="application/x-www-form-urlencoded; charset=UTF-8"))


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
def test_a_system_behind_single_sign_on(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        sanitized: bool) -> None:
    har = sso_app()
    code, config, said = learn(tmp_path, sanitize(har) if sanitized else har, capsys, "--id", "zl")
    assert code == 0, said
    site = config["site"]
    assert site["auth"] == "cookie-secret" and site["base_url"] == HOST
    assert site["cookie_name"] == ("session" if sanitized else "SSO_SESSION")
    assert site["login_path"] == "/cas/login" and "password_param" not in site  # where a session ends
    assert config["accounts"][0]["username"] == "zl"
    if sanitized:  # no cookie name to go by: the whole header works whatever the name
        assert ("set DAILYPLAN_COOKIE_ZL to the Cookie header your browser sends to plan.corp.example "
                "(DevTools → Network → a request → Request Headers → Cookie: name=value; …), and again "
                "when the session ends") in said
    else:
        assert ('set DAILYPLAN_COOKIE_ZL to the value of your session cookie "SSO_SESSION" (browser '
                "DevTools → Application/Storage → Cookies), and again when the session ends") in said
    loads(tmp_path)


def test_a_text_in_another_shape_gets_a_template_that_reproduces_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "【今日计划 11/19】\n1. 压测订单接口\n\n【昨日完成】\n2026.11.18\n联调支付回调"
    code, config, said = learn(tmp_path, gbk_app(text), capsys)
    assert code == 0, said
    account = config["accounts"][0]
    assert account == {"id": "zhangwei", "username": "zhangwei", "plan": "1. 压测订单接口",
                       "template": "templates/zhangwei.txt.j2"}
    template = (tmp_path / "templates" / "zhangwei.txt.j2").read_text(encoding="utf-8")
    assert template.splitlines()[1:] == ['【今日计划 {{ today.strftime("%m/%d") }}】', "{{ plan }}{% if previous %}",
                                         "", "【昨日完成】", "{{ previous }}{% endif %}"]
    assert "wrote " + str(tmp_path / "templates" / "zhangwei.txt.j2") in said
    from datetime import date

    from runner.plan import PlanContext, render

    context = PlanContext(date(2026, 11, 19), account["plan"], PREVIOUS, date(2026, 11, 18), {})
    assert render(loads(tmp_path).accounts[0].template, context) == text
    first = PlanContext(date(2026, 11, 19), account["plan"], "", None, {})  # no previous plan: no heading
    assert render(loads(tmp_path).accounts[0].template, first) == "【今日计划 11/19】\n1. 压测订单接口"


# ---------------------------------------------------------------------------- what is missing


def test_says_which_moment_is_missing_and_strict_refuses(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    har = json_api()
    har["log"]["entries"] = [e for e in har["log"]["entries"] if e["request"]["method"] != "PUT"]
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0
    assert ("note: submit: no request sends a date with a plan text (saw 1 other POST/PUT: /api/v1/auth/login); "
            "the submit keys keep their defaults; record again with Preserve log on: log in, open your "
            "plans, submit one by hand, export") in said.splitlines()
    assert "submit_path" not in config["site"] and config["site"]["history_items"] == "data.list"
    code, _, said = learn(tmp_path, har, capsys, "--strict")
    assert code == 2
    assert said.splitlines()[-1] == (
        "error: rec.har: no submit recorded (--strict); record again with Preserve log on: log in, "
        "open your plans, submit one by hand, export")


def test_a_recording_saved_without_content_says_so(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    har = json_api()
    for item in har["log"]["entries"]:
        item["response"]["content"].pop("text", None)
    code, _, said = learn(tmp_path, har, capsys)
    assert code == 0
    assert ("note: history: no answer shows your plans (6 of 6 answers were saved without content: "
            "export with content); the history keys keep their defaults; record again with Preserve "
            "log on: log in, open your plans, submit one by hand, export, and open the page that lists "
            "your plans") in said.splitlines()


# ---------------------------------------------------------------------------- awkward real systems


def test_a_login_with_a_captcha_uses_the_browser_cookie(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    har = java_app()
    login = har["log"]["entries"][5]["request"]
    login["postData"]["text"] += "&captchaCode=x7k2"
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0
    assert config["site"]["auth"] == "cookie-secret" and config["site"]["cookie_name"] == "JSESSIONID"
    assert ('note: login: entry 6: POST /login.do sends a captcha (captchaCode), which no program can '
            'type; using auth = "cookie-secret": copy the session cookie from your browser') in said
    assert "set DAILYPLAN_COOKIE_WANGFANG to the value of your session cookie \"JSESSIONID\"" in said
    loads(tmp_path)


def test_multipart_submit_post_search_weekday_cells_and_an_error_reporter(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cookie = {"Cookie": f"PHPSESSID={SESSION}"}
    rows = "".join(f"<tr><td>{d}</td><td>{t}</td></tr>" for d, t in (
        ("2026-11-18 星期三", PREVIOUS), ("2026-11-17 星期二", "2026.11.17\n写迁移脚本")))
    boundary = "----WebKitFormBoundaryq1w2e3"
    multipart = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                        for k, v in (("riqi", "2026-11-19"), ("neirong", TEXT), ("cat", "3"))) + f"--{boundary}--\r\n"
    har = har_of(
        entry("POST", f"{HOST}/index.php?r=site/login", status=302, kind="document",
              body=urlencode([("LoginForm[username]", "zhao"), ("LoginForm[password]", PASSWORD)]),
              body_mime="application/x-www-form-urlencoded",
              response_headers=[("Location", "/index.php?r=plan/index"),
                                ("Set-Cookie", f"PHPSESSID={SESSION}; path=/")]),
        entry("POST", f"{HOST}/index.php?r=plan/search", mime="text/html", headers=cookie,
              body=urlencode([("from", "2026-10-20"), ("to", "2026-11-19"), ("scope", "mine")]),
              body_mime="application/x-www-form-urlencoded", kind="document",
              text=f"<table><tr><th>日期</th><th>计划</th></tr>{rows}</table>"),
        entry("POST", f"{HOST}/index.php?r=plan/save", mime="application/json", headers=cookie,
              body=multipart, body_mime=f"multipart/form-data; boundary={boundary}",
              text='{"status":"ok"}'),
        entry("POST", "https://o123.ingest.sentry.io/api/42/envelope/", mime="application/json",
              body=json.dumps({"timestamp": "2026-11-19T01:31:00Z",
                               "message": "TypeError: cannot read properties of undefined (reading 'x')"}),
              body_mime="text/plain;charset=UTF-8", text="{}"))
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    site = config["site"]
    assert {k: site[k] for k in ("login_method", "login_path", "username_param", "password_param",
                                 "cookie_name", "history_path", "start_param", "end_param",
                                 "submit_path", "date_param", "content_param", "success_field",
                                 "success_value")} == {
        "login_method": "post-form", "login_path": "/index.php?r=site/login",
        "username_param": "LoginForm[username]", "password_param": "LoginForm[password]",
        "cookie_name": "PHPSESSID", "history_path": "/index.php?r=plan/search&scope=mine",
        "start_param": "from", "end_param": "to", "submit_path": "/index.php?r=plan/save",
        "date_param": "riqi", "content_param": "neirong", "success_field": "status",
        "success_value": "ok"}
    assert site["submit_fields"] == {"cat": "3"}
    assert ("note: history: your plans came from entry 2: POST /index.php, a search form sent by POST; "
            "dailyplan reads them with GET and the same fields in the query, which most systems take "
            "alike: if check says the history page is wrong, this is why") in said
    assert "note: submit: entry 3: POST /index.php was sent as multipart/form-data;" in said
    page = har["log"]["entries"][1]["response"]["content"]["text"]
    assert [r.day.isoformat() for r in parse_history(page, loads(tmp_path).site)] == ["2026-11-18", "2026-11-17"]


def test_a_cookie_login_whose_answer_holds_a_token_like_value(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A full recording shows every header: no request carries the token, so the session is a cookie."""
    har = gbk_app()
    login = har["log"]["entries"][0]
    login["response"]["content"]["text"] = json.dumps({"ok": True, "token": JWT})
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    assert config["site"]["auth"] == "cookie" and config["site"]["cookie_name"] == "ASPSESSIONIDQQ"


def test_a_notice_list_with_dates_is_not_the_history_and_a_session_in_the_url_is_not_copied(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    har = java_app()
    entries = har["log"]["entries"]
    entries[6]["response"]["content"]["text"] = (  # the home page: notices by date, after the login
        '<ul class="news">' + "".join(f'<li><span class="d">2026-11-{d}</span><a>关于第{d}期年终考核安排的通知</a></li>'
                                      for d in (18, 17, 16)) + "</ul>")
    entries[7]["request"]["url"] = f"{HOST}/oa/main.do;jsessionid={SESSION}?method=dailyList"
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    assert config["site"]["history_path"] == "/oa/main.do?method=dailyList"
    assert config["site"]["row_selector"] == ".grid > tr"
    assert ("note: history: other answers also list texts by date (entry 7: /oa/main.do?method=index); "
            "used entry 8: /oa/main.do?method=dailyList: if that is not the page of your own plans, set "
            "site.history_path") in said
    assert ("note: history: entry 8: GET /oa/main.do asks for no date range; start_param/end_param keep "
            "their defaults (a system that does not know them shows its default list)") in said


def test_to_standard_output_the_template_comes_as_a_comment_and_a_dated_answer_is_noted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    har = gbk_app("今天 2026.11.19：\n1. 压测订单接口")
    har["log"]["entries"][-1]["response"]["content"]["text"] = "2026.11.19 的计划已保存"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rec.har").write_text(json.dumps(har, ensure_ascii=False), encoding="utf-8")
    assert cli.main(["learn", "rec.har", "--out", "-"]) == 0
    out, err = capsys.readouterr()
    assert not list(tmp_path.glob("templates/*")) and not (tmp_path / "dailyplan.toml").exists()
    assert out.endswith('# save this as templates/zhangwei.txt.j2, next to the config:\n'
                        '#   {#- Written by `dailyplan learn` to reproduce the plan you submitted by hand. -#}\n'
                        '#   今天 {{ today.strftime("%Y.%m.%d") }}：\n#   {{ plan }}\n')
    assert tomllib.loads(out)["accounts"][0]["template"] == "templates/zhangwei.txt.j2"
    assert ("note: success: entry 7: POST /plan/save.asp answered '2026.11.19 的计划已保存', which names "
            "the day; success_text must be the same every day: set it to the part that is") in err.splitlines()
    assert_no_secret(out + err, {PASSWORD, SESSION})


@pytest.mark.parametrize("sanitized", [False, True], ids=["full", "sanitized"])
def test_a_token_in_a_header_of_its_own_and_midnight_dates(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          sanitized: bool) -> None:
    har = json_api()
    for item in har["log"]["entries"]:
        for h in item["request"]["headers"]:
            if h["name"] == "Authorization":
                h["name"], h["value"] = "X-Token", JWT  # the Vue admin templates' habit
        post = item["request"].get("postData", {})
        if item["request"]["method"] == "PUT":
            post["text"] = post["text"].replace('"2026-11-19"', '"2026-11-19T00:00:00.000Z"')
    code, config, said = learn(tmp_path, sanitize(har) if sanitized else har, capsys)
    assert code == 0, said
    site = config["site"]
    assert (site["auth"], site["token_field"]) == ("bearer", "data.token")
    assert site["date_format"] == "%Y-%m-%dT00:00:00.000Z" and "X-Token" not in site["headers"]
    assert ("note: token: later requests send the login's token in the X-Token header, not as "
            "Authorization: Bearer; dailyplan sends Authorization: Bearer <token>, so if check's read "
            "is refused, your system needs a header dailyplan cannot send yet") in said.splitlines()


def test_a_submit_answered_with_a_redirect_is_noted(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    har = gbk_app()
    submit = har["log"]["entries"][-1]["response"]
    submit.update(status=302, redirectURL="/plan/list.asp?msg=ok")
    submit["headers"].append({"name": "Location", "value": "/plan/list.asp?msg=ok"})
    submit["content"]["text"] = ""
    code, _, said = learn(tmp_path, har, capsys)
    assert code == 0
    assert ("note: submit: entry 7: POST /plan/save.asp answered with a redirect (to /plan/list.asp); "
            "dailyplan expects the answer itself, so the run will say the site refused the plan: the "
            "read-back shows whether it was saved") in said.splitlines()


def test_fixed_fields_are_copied_and_per_session_ones_are_not(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    har = java_app()
    submit = har["log"]["entries"][12]["request"]["postData"]
    submit["text"] += "&tpl=daily_plan_form_v2&nonce=8f3a&Zhang.Wei2024abcd=1"
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    assert config["site"]["submit_fields"] == {"formId": "7", "type": "daily", "tpl": "daily_plan_form_v2",
                                               "Zhang.Wei2024abcd": "1"}
    assert ("note: submit: entry 13: POST /oa/daily/save.do also sends nonce with a per-session value; it "
            "is not copied: if the submit needs it, set site.csrf_field") in said.splitlines()


def test_a_login_name_that_looks_random_is_still_written(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    har = gbk_app()
    login = har["log"]["entries"][0]["request"]
    login["url"] = login["url"].replace("username=zhangwei", "username=Zhang.Wei2024abcd")
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    assert config["accounts"][0]["username"] == "Zhang.Wei2024abcd"
    assert config["accounts"][0]["id"] == "zhang.wei2024abcd"


def test_the_plans_date_and_text_fields_and_todays_submit_among_a_backfill(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Items carry a creation time before the plan's day and an HTML copy longer than the text;
    after today's plan the person also fills in a forgotten day: today's is the submit."""
    har = json_api()
    entries = har["log"]["entries"]
    listing = json.loads(entries[10]["response"]["content"]["text"])
    for item in listing["data"]["list"]:
        text = item.pop("content")
        item.update({"createTime": "2026-11-19 09:30:12", "planDate": item.pop("planDate"),
                     "contentHtml": "<p>" + text.replace("\n", "</p><p>") + "</p>", "content": text})
    entries[10]["response"]["content"]["text"] = json.dumps(listing, ensure_ascii=False)
    backfill = copy.deepcopy(entries[11])
    backfill["request"]["postData"]["text"] = json.dumps({"planDate": "2026-11-16", "content": "补：2026.11.16\n写方案"})
    entries.insert(12, backfill)
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    site = config["site"]
    assert (site["history_date_field"], site["history_content_field"]) == ("planDate", "content")
    assert config["accounts"][0]["plan"] == "1. 压测订单接口\n2. 整理慢查询"
    assert said.startswith(f"wrote {tmp_path / 'dailyplan.toml'} from rec.har: login entry 6, history "
                           "entry 11, submit entry 12,")


def test_headers_of_the_history_read_count_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    har = json_api()
    har["log"]["entries"][10]["request"]["headers"].append({"name": "X-Tenant", "value": "acme"})
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    assert config["site"]["headers"] == {"X-Requested-With": "XMLHttpRequest", "Referer": f"{HOST}/",
                                         "X-Tenant": "acme"}
    assert "# from entry 11: GET /api/v1/plans\nX-Tenant = \"acme\"" in (tmp_path / "dailyplan.toml").read_text()


def test_a_password_the_page_hashed_is_noted_and_never_copied(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib

    digest = hashlib.md5(PASSWORD.encode()).hexdigest()
    har = java_app()
    login = har["log"]["entries"][5]["request"]["postData"]
    login["text"] = login["text"].replace(quote_plus(PASSWORD), digest)
    code, _, said = learn(tmp_path, har, capsys, secrets=(PASSWORD, digest, SESSION, CSRF))
    assert code == 0, said
    assert ('note: login: entry 6: POST /login.do sends j_password hashed or encrypted by the page (not '
            'as typed); dailyplan sends the password as typed: if check says the login was refused, use '
            'auth = "cookie-secret"') in said.splitlines()


def test_a_short_chinese_plan_is_a_submit_and_a_dated_search_is_not(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    har = gbk_app("开会")
    har["log"]["entries"].append(entry(
        "POST", f"{HOST}/plan/search.asp", mime="text/html", text="<p>无结果</p>", kind="document",
        body=urlencode([("beginDate", "2026.11.19"), ("endDate", "2026.11.19"), ("keyword", "周报")]),
        body_mime="application/x-www-form-urlencoded"))
    code, config, said = learn(tmp_path, har, capsys)
    assert code == 0, said
    assert config["site"]["submit_path"] == "/plan/save.asp" and config["accounts"][0]["plan"] == "开会"
