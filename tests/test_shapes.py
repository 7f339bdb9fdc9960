"""Request and answer shapes from the [site] keys: pure, no server."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from runner.config import Site
from runner.site.shapes import login_request, session_cookies, submit_request, succeeded, with_query

SITE = Site(base_url="http://x")
DAY = date(2026, 11, 20)


def test_a_fixed_query_is_merged_with_the_runners_parameters() -> None:
    assert with_query("/oa/main.do?method=dailyList&x=1", {"start": "a", "x": "2"}) == (
        "/oa/main.do", [("method", "dailyList"), ("start", "a"), ("x", "2")])
    assert with_query("/routine/daily", {"mode": "1", "": "dropped"}) == ("/routine/daily", [("mode", "1")])


def test_login_by_method() -> None:
    assert login_request(SITE, "u", "p", None).kwargs == {"params": [("username", "u"), ("password", "p")]}
    form = login_request(replace(SITE, login_method="post-form", csrf_field="_csrf", login_path="/a?x=1"),
                         "u", "p", "tok")
    assert (form.method, form.path, form.kwargs) == (
        "POST", "/a", {"params": [("x", "1")], "data": {"username": "u", "password": "p", "_csrf": "tok"}})
    bearer = login_request(Site(base_url="http://x", auth="bearer"), "u", "p", None)
    assert (bearer.method, bearer.path, bearer.kwargs["json"]) == ("POST", "/api/login", {"username": "u", "password": "p"})


def test_submit_shapes() -> None:
    assert submit_request(SITE, DAY, "t", None).kwargs == {"data": {"date": "2026-11-20", "content": "t"}}
    site = replace(SITE, submit_path="/save.do?m=1", submit_fields=(("formId", 7), ("draft", False)),
                   date_format="%Y/%m/%d", form_charset="gbk", submit_method="PUT")
    req = submit_request(site, DAY, "计划", None)
    assert (req.method, req.path, req.kwargs["params"]) == ("PUT", "/save.do", [("m", "1")])
    assert req.kwargs["data"] == b"formId=7&draft=false&date=2026%2F11%2F20&content=%BC%C6%BB%AE"
    js = submit_request(replace(SITE, submit_format="json", submit_fields=(("formId", 7),)), DAY, "t", "c")
    assert js.kwargs == {"json": {"formId": 7, "date": "2026-11-20", "content": "t"}}
    with pytest.raises(UnicodeEncodeError):
        submit_request(replace(SITE, form_charset="gbk"), DAY, "🚀", None)


@pytest.mark.parametrize(("field", "value", "answer", "ok"), [
    ("", True, '"\\u4fee\\u6539\\u6210\\u529f"\n', True),
    ("", True, '"\\u53c2\\u6570\\u9519\\u8bef"\n', False),
    ("code", 0, '{"code": 0, "msg": "ok"}', True),
    ("code", 0, '{"code": "0"}', True),
    ("code", 0, '{"code": false}', False),
    ("code", 0, '{"code": 500}', False),
    ("data.ok", True, '{"data": {"ok": true}}', True),
    ("data.ok", True, '{"data": {"ok": 1}}', False),
    ("code", 0, "<html>", False),
    ("status", "success", '{"status": "success"}', True),
])
def test_success_by_text_or_field(field: str, value: object, answer: str, ok: bool) -> None:
    assert succeeded(replace(SITE, success_field=field, success_value=value), answer) is ok


def test_a_copied_cookie_in_either_form() -> None:
    assert session_cookies("abc123\n", "session") == [("session", "abc123")]
    assert session_cookies("Cookie: JSESSIONID=a1; route=r2", "session") == [("JSESSIONID", "a1"), ("route", "r2")]


def test_a_gbk_system_gets_its_login_in_gbk() -> None:
    site = replace(SITE, form_charset="gbk")
    assert login_request(site, "张三", "p", None).kwargs == {"params": "username=%D5%C5%C8%FD&password=p"}
    form = login_request(replace(site, login_method="post-form"), "张三", "🚀", None)
    assert form.kwargs["data"] == b"username=%E5%BC%A0%E4%B8%89&password=%F0%9F%9A%80"  # 🚀: no GBK form


def test_a_relative_redirect_to_the_login_page_ends_the_session() -> None:
    import requests

    from runner.site.auth import session_ended

    resp = requests.Response()
    resp.status_code, resp.url = 302, "https://oa.example.com/app/oa/main.do?method=dailyList"
    site = Site(base_url="https://oa.example.com/app", login_path="/login.do")
    for location in ("../login.do", "/app/login.do?expired=1", "https://sso.example.com/login.do", "login.do",
                     "/j_security_check", "https://passport.corp/cas/login?service=x", "/app/signin"):
        resp.headers["Location"] = location
        assert session_ended(site, resp) is (location != "/j_security_check"), location
    for elsewhere in ("/app/index.do", "home.do", "/app/oa/main.do?method=blog"):
        resp.headers["Location"] = elsewhere
        assert session_ended(site, resp) is False, elsewhere


def test_a_redirect_elsewhere_is_rejected_naming_where_and_the_setting() -> None:
    import io

    import requests

    from runner.config import Secret
    from runner.errors import Rejected
    from runner.site.client import SiteClient

    class Moved(requests.adapters.BaseAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
            resp = requests.Response()
            resp.status_code, resp.url, resp.request = 302, request.url, request
            resp.headers["Location"] = "/portal/index.do?from=x"
            resp.raw = io.BytesIO(b"")
            return resp

        def close(self) -> None:
            pass

    session = requests.Session()
    session.mount("https://", Moved())
    c = SiteClient(Site(base_url="https://oa.example.com"), "u", Secret("cookie", "c", "DAILYPLAN_COOKIE"),
                   session=session)
    c._logged_in = True
    with pytest.raises(Rejected) as err:
        c.history(DAY, DAY)
    assert str(err.value) == ("oa.example.com redirected GET /routine/daily to /portal/index.do; if that is "
                              "your system's login page, set site.login_path to it")


def test_a_cookie_set_for_two_paths_is_read_not_a_crash() -> None:
    import requests

    from runner.site.auth import cookie_value

    jar = requests.cookies.RequestsCookieJar()
    jar.set("JSESSIONID", "root", path="/")
    jar.set("JSESSIONID", "app", path="/oa")
    assert cookie_value(jar, "JSESSIONID") in ("root", "app")
    assert cookie_value(jar, "session") is None


@pytest.mark.parametrize(("body", "ended"), [
    ('{"code": 401, "msg": "未登录"}', True), ('{"status": "401"}', True), ('{"code": 0, "data": []}', False),
    ('{"code": 4010}', False), ("[]", False), ("not json", False)])
def test_a_json_api_that_answers_200_says_a_session_ended_in_its_code(body: str, ended: bool) -> None:
    import requests

    from runner.site.auth import session_ended

    resp = requests.Response()
    resp.status_code, resp._content = 200, body.encode()
    resp.headers["Content-Type"] = "application/json;charset=UTF-8"
    assert session_ended(SITE, resp) is ended
