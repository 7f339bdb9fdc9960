"""The shapes of team system the sandbox can play, one profile each.

``reference`` is the system ``reference-system.md`` describes, served by the original code path
unchanged. The others are the common shapes of real internal systems (a Java web app with a CSRF
form, a JSON API, a GBK page, a system behind SSO); ``examples/<name>.toml`` configures the runner
for each, and the end-to-end tests run the pipeline across all of them. A profile is data only;
``app.Sandbox`` does what it says, and the ``Faults`` knobs apply to every profile alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    # login: None for no login endpoint (the session cookie comes from SSO, out of band)
    login_path: str | None = "/login"
    login_method: str = "get"  # get | post-form | post-json
    username_param: str = "username"
    password_param: str = "password"
    csrf_field: str = ""  # a hidden input on GET login_path, rotated on login, needed on submit
    login_page: str | None = None  # where the form is shown when it posts elsewhere (login_path)
    cookie_name: str = "session"  # "" for a token answered by the login
    token_field: str = ""  # dotted path of the token in the login answer
    # what a request without a session gets: "redirect" (302 to unauth_location), "login-page"
    # (200 and the login form), "401", or "code-401" (200 and {"code": 401})
    unauth: str = "redirect"
    unauth_location: str = "/login"
    # pages, each a path with an optional fixed query the request must carry
    history_path: str = "/routine/daily"
    submit_path: str = "/routine/daily"
    team_path: str = "/routine/daily?mode=1"
    submit_method: str = "POST"
    start_param: str = "start_date"
    end_param: str = "end_date"
    date_param: str = "date"
    content_param: str = "content"
    team_date_param: str = "date"
    date_format: str = "%Y-%m-%d"
    page_format: str = "html"  # html | json
    layout: str = "routine"  # html: "routine" (div rows, JSON-escaped textarea) | "table" (plain text)
    submit_format: str = "form"  # form | json
    charset: str = "utf-8"  # pages, answers and the submitted form
    header_charset: bool = True  # False: the charset is only in <meta charset>
    required_fields: tuple[tuple[str, str], ...] = ()  # fixed hidden fields the submit must carry
    answer: str = "json-string"  # the submit's answer: "json-string" ("修改成功" as JSON), "text"
    # (plain text), "code" ({"code": 0}) or "success" ({"success": true})
    saved: str = "修改成功"  # what a saved submit says


def split(path: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(path)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("reference", "the reference system: GET login, session cookie, one path for every page"),
    Profile(
        "form-csrf",
        "a Java web app: POST form login with a CSRF field, JSESSIONID, three paths, 2026/11/20 dates",
        login_path="/login.do", login_method="post-form", username_param="j_username",
        password_param="j_password", csrf_field="_csrf", cookie_name="JSESSIONID",
        unauth="login-page", history_path="/oa/main.do?method=dailyList",
        submit_path="/oa/daily/save.do", team_path="/oa/team/list.do", start_param="beginDate",
        end_param="endDate", date_param="planDate", content_param="planContent",
        team_date_param="day", date_format="%Y/%m/%d", layout="table",
        required_fields=(("formId", "7"), ("type", "daily")), answer="success", saved="保存成功",
    ),
    Profile(
        "json-api",
        "a JSON API: POST JSON login answering data.token, JSON history and submit, {\"code\": 0}",
        login_path="/api/v1/auth/login", login_method="post-json", username_param="account",
        password_param="pwd", cookie_name="", token_field="data.token", unauth="401",
        history_path="/api/v1/plans", submit_path="/api/v1/plans", team_path="/api/v1/team/plans",
        start_param="from", end_param="to", date_param="planDate", team_date_param="date",
        page_format="json", submit_format="json", answer="code", saved="保存成功",
    ),
    Profile(
        "gbk",
        "an old system in GBK: pages declared by <meta charset>, the form posted in GBK",
        login_path="/login.asp", unauth_location="/login.asp", history_path="/plan/list.asp",
        submit_path="/plan/save.asp", team_path="/plan/team.asp", charset="gbk",
        header_charset=False, date_format="%Y.%m.%d", answer="text", saved="保存成功",
    ),
    Profile(
        "sso-cookie",
        "behind SSO: no login endpoint, a session cookie issued out of band, 302 to the SSO host",
        login_path=None, cookie_name="SSO_SESSION", unauth_location="https://sso.example.com/cas/login",
        history_path="/daily/list", submit_path="/daily/save", team_path="/daily/team",
        layout="table",
    ),
)}


def kind(profile: Profile, method: str, path: str, query: dict[str, list[str]]) -> str:
    """What a request is for, under this profile: login, login-page, history, submit, team, other."""

    def matches(configured: str) -> bool:
        bare, fixed = split(configured)
        return bare == path and all(query.get(k) == [v] for k, v in fixed.items())

    if profile.login_page and path == profile.login_page and method == "GET":
        return "login-page"
    if profile.login_path and path == profile.login_path:
        return "login" if method == ("GET" if profile.login_method == "get" else "POST") else "login-page"
    if method == profile.submit_method and matches(profile.submit_path):
        return "submit"
    if method == "GET" and matches(profile.team_path):
        return "team"
    if method == "GET" and matches(profile.history_path):
        return "history"
    return "other"
