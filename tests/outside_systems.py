"""Three small team systems the bundled profiles do not play, for the outside check of #13/#15.

Each is written from what real systems look like, not from the runner's code: a Java OA with a
POST-form login (``pwd``, ``JSESSIONID`` on ``/sso/login.do``), a history paged 10 rows a page
newest first with ``2026/11/20 09:30`` dates, and a JSON submit by PUT answered
``{"code": 200, "msg": "ok"}`` that needs a fixed ``formId``; an old ASP system in GBK whose plans
are plain text in ``<td>``s; a JSON API whose history items sit at ``result.rows`` with
``20261120`` dates. Each keeps a log of (kind, method, path) and its plans per user.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, str], bytes]
CHINA = timezone(timedelta(hours=8))


@dataclass
class System:
    """Users, their plans (user → day → text) and sessions; ``respond`` is each system's own."""

    users: dict[str, str]
    plans: dict[str, dict[date, str]] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    log: list[tuple[str, str, str]] = field(default_factory=list)
    url: str = ""
    echo: str = ""  # a failure path: text to put into every error page (e.g. the private host)
    busy_single_day: bool = False  # a read of one day alone answers an error page without the table
    crash_submit: bool = False  # the submit answers 500 with a Java stack trace quoting ``echo``
    end_exclusive: bool = False  # history compares a datetime with the end date: the end day is left out
    oldest_first: bool = False  # the history pages oldest first (page 1 holds the oldest 10)

    def respond(self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes) -> Answer:
        raise NotImplementedError

    def session_user(self, headers: Any, cookie: str) -> str | None:
        match = re.search(rf"(?:^|;\s*){cookie}=([^;]+)", headers.get("Cookie") or "")
        return self.sessions.get(match.group(1)) if match else None

    def new_session(self, user: str) -> str:
        sid = secrets.token_hex(8)
        self.sessions[sid] = user
        return sid


def _parse_day(text: str, fmt: str) -> date:
    return datetime.strptime(text, fmt).date()


class JavaOA(System):
    """POST form login ``uid``/``pwd`` at /sso/login.do → JSESSIONID; history paged newest first."""

    PAGE = 10

    def respond(self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes) -> Answer:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()} if body else {}
        if path == "/sso/login.do":
            self.log.append(("login", method, path))
            if method == "POST" and self.users.get(form.get("uid", "")) == form.get("pwd"):
                sid = self.new_session(form["uid"])
                return 302, {"Location": "/oa/index.do", "Set-Cookie": f"JSESSIONID={sid}; Path=/; HttpOnly"}, b""
            # the login page again, echoing what was typed (a real failure path)
            typed = {k: escape(form.get(k, ""), quote=True) for k in ("uid", "pwd")}
            page = (f'<html><head><title>统一身份认证</title></head><body><p>用户名或密码错误 {self.echo}</p>'
                    f'<form method="post"><input name="uid" value="{typed["uid"]}">'
                    f'<input type="password" name="pwd" value="{typed["pwd"]}"></form></body></html>')
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()
        user = self.session_user(headers, "JSESSIONID")
        if user is None:
            self.log.append(("anonymous", method, path))
            return 302, {"Location": "/sso/login.do?service=%2Foa%2Fplan.do"}, b""
        mine = self.plans.setdefault(user, {})
        if path == "/oa/index.do":
            self.log.append(("index", method, path))
            return 200, {"Content-Type": "text/html; charset=utf-8"}, "<html><title>首页</title></html>".encode()
        if path == "/oa/plan.do" and query.get("method") == "list" and method == "GET":
            self.log.append(("history", method, path))
            start, end = _parse_day(query["from"], "%Y/%m/%d"), _parse_day(query["to"], "%Y/%m/%d")
            if self.busy_single_day and start == end:
                return 200, {"Content-Type": "text/html; charset=utf-8"}, \
                    "<html><title>我的计划</title><p>系统繁忙，请稍后再试</p></html>".encode()
            days = sorted((d for d in mine if start <= d <= end and not (self.end_exclusive and d == end)),
                          reverse=not self.oldest_first)
            page = int(query.get("page", "1"))
            rows = "".join(f'<tr class="row"><td class="when">{d:%Y/%m/%d} 09:30</td>'
                           f'<td class="text"><textarea readonly>{mine[d]}</textarea></td></tr>'
                           for d in days[(page - 1) * self.PAGE: page * self.PAGE])
            html = (f"<html><head><title>我的计划</title></head><body><table id='plans'>"
                    f"<tr><th>时间</th><th>内容</th></tr>{rows}</table>"
                    f"<div class='pager'>第 {page} 页 共 {max(1, -(-len(days) // self.PAGE))} 页</div></body></html>")
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
        if path == "/oa/plan.do" and query.get("method") == "save" and method == "PUT":
            self.log.append(("submit", method, path))
            sent = json.loads(body)
            if self.crash_submit:
                trace = (f"<html><head><title>HTTP Status 500 – Internal Server Error</title></head><body>"
                         f"<h1>HTTP Status 500</h1><pre>java.lang.IllegalStateException: {self.echo}\n"
                         f"\tat com.oa.PlanAction.save(PlanAction.java:88)</pre></body></html>")
                return 500, {"Content-Type": "text/html;charset=UTF-8"}, trace.encode()
            if sent.get("formId") != 7:
                return 200, {"Content-Type": "application/json"}, json.dumps(
                    {"code": 500, "msg": f"formId required {self.echo}"}).encode()
            mine[_parse_day(sent["day"], "%Y/%m/%d")] = sent["text"]
            return 200, {"Content-Type": "application/json"}, b'{"code": 200, "msg": "ok"}'
        self.log.append(("other", method, path))
        return 404, {"Content-Type": "text/html"}, b"<html><title>404</title></html>"


class GbkAsp(System):
    """GET login (``user``/``pass``) → ASPSESSIONID; pages in GBK declared only in a <meta>."""

    year_less = False  # the list writes 11月20日, no year, as many OA lists do

    def day_cell(self, d: date) -> str:
        return f"{d.month}月{d.day}日" if self.year_less else f"{d.year}年{d.month}月{d.day}日"

    def respond(self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes) -> Answer:
        if path == "/login.asp":
            self.log.append(("login", method, path))
            if self.users.get(query.get("user", "")) == query.get("pass"):
                sid = self.new_session(query["user"])
                return 200, {"Content-Type": "text/html", "Set-Cookie": f"ASPSESSIONID={sid}; path=/"}, \
                    '<html><meta charset="gbk"><p>欢迎</p></html>'.encode("gbk")
            return 200, {"Content-Type": "text/html"}, \
                '<html><meta charset="gbk"><p>密码错误</p><input type="password" name="pass"></html>'.encode("gbk")
        user = self.session_user(headers, "ASPSESSIONID")
        if user is None:
            self.log.append(("anonymous", method, path))
            return 302, {"Location": "/login.asp"}, b""
        mine = self.plans.setdefault(user, {})
        if path == "/plan/list.asp":
            self.log.append(("history", method, path))
            start, end = _parse_day(query["start"], "%Y-%m-%d"), _parse_day(query["end"], "%Y-%m-%d")
            rows = "".join(f'<tr><td class="day">{self.day_cell(d)}</td>'
                           f'<td class="txt">{mine[d].replace(chr(10), "<br>")}</td></tr>'
                           for d in sorted(mine, reverse=True) if start <= d <= end)
            html = (f'<html><head><meta charset="gbk"><title>工作计划</title></head><body>'
                    f'<table id="list"><tr><th>日期</th><th>计划</th></tr>{rows}</table></body></html>')
            return 200, {"Content-Type": "text/html"}, html.encode("gbk")
        if path == "/plan/save.asp" and method == "POST":
            self.log.append(("submit", method, path))
            form = {k: v[0] for k, v in parse_qs(body.decode("ascii"), encoding="gbk").items()}
            mine[_parse_day(form["rq"], "%Y-%m-%d")] = form["nr"]
            return 200, {"Content-Type": "text/html"}, '<script>alert("保存成功")</script>'.encode("gbk")
        self.log.append(("other", method, path))
        return 404, {"Content-Type": "text/html"}, b""


class JsonRows(System):
    """JSON login at /api/v2/auth → ``result.accessToken``; history at ``result.rows``, 20261120 dates.

    ``dates`` picks how the history writes a day: ``compact`` (20261120), ``jackson`` (Spring's
    default for a java.util.Date at midnight in China: ``2026-11-19T16:00:00.000+00:00``) or
    ``epoch-ms`` (fastjson's default: ``1795104000000``).
    """

    dates = "compact"

    def written(self, day: date) -> Any:
        midnight = datetime(day.year, day.month, day.day, tzinfo=CHINA)
        if self.dates == "jackson":
            return midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
        if self.dates == "epoch-ms":
            return int(midnight.timestamp() * 1000)
        return f"{day:%Y%m%d}"

    def respond(self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes) -> Answer:
        if path == "/api/v2/auth" and method == "POST":
            self.log.append(("login", method, path))
            sent = json.loads(body or b"{}")
            if self.users.get(sent.get("account", "")) == sent.get("secret"):
                token = self.new_session(sent["account"])
                return 200, {"Content-Type": "application/json"}, json.dumps(
                    {"success": True, "result": {"accessToken": token}}).encode()
            return 200, {"Content-Type": "application/json"}, json.dumps(
                {"success": False, "message": f"bad credentials {self.echo}"}).encode()
        auth = headers.get("Authorization") or ""
        user = self.sessions.get(auth.removeprefix("Bearer "))
        if user is None:
            self.log.append(("anonymous", method, path))
            return 401, {"Content-Type": "application/json"}, b'{"success": false, "message": "login"}'
        mine = self.plans.setdefault(user, {})
        if path == "/api/v2/plans" and method == "GET":
            self.log.append(("history", method, path))
            start, end = _parse_day(query["begin"], "%Y%m%d"), _parse_day(query["end"], "%Y%m%d")
            rows = [{"workDate": self.written(d), "detail": {"text": mine[d]}}
                    for d in sorted(mine, reverse=True) if start <= d <= end]
            return 200, {"Content-Type": "application/json"}, json.dumps(
                {"success": True, "result": {"total": len(rows), "rows": rows}}, ensure_ascii=False).encode()
        if path == "/api/v2/plans" and method == "POST":
            self.log.append(("submit", method, path))
            sent = json.loads(body)
            mine[_parse_day(sent["workDate"], "%Y%m%d")] = sent["content"]
            return 200, {"Content-Type": "application/json"}, b'{"success": true}'
        self.log.append(("other", method, path))
        return 404, {"Content-Type": "application/json"}, b"{}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.server.lock:
            status, headers, payload = self.server.system.respond(self.command, parts.path, query,
                                                                  self.headers, body)
        self.send_response(status)
        headers.setdefault("Content-Type", "text/html")
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _handle

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def serve(system: System) -> Callable[[], None]:
    """Start ``system`` on a free loopback port; returns the function that stops it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.system = system  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    system.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()  # quick shutdown

    def stop() -> None:
        server.shutdown()
        server.server_close()
    return stop


# Each system configured from the README's [site] table alone.
SITES: dict[str, tuple[type[System], str]] = {
    "java-oa": (JavaOA, '''auth = "cookie"
login_method = "post-form"
login_path = "/sso/login.do"
username_param = "uid"
password_param = "pwd"
cookie_name = "JSESSIONID"
history_path = "/oa/plan.do?method=list"
submit_path = "/oa/plan.do?method=save"
start_param = "from"
end_param = "to"
date_format = "%Y/%m/%d"
submit_method = "PUT"
submit_format = "json"
date_param = "day"
content_param = "text"
success_field = "code"
success_value = 200
content_encoding = "plain"
row_selector = "tr.row"
row_date_selector = "td.when"
row_content_selector = "textarea"
[site.submit_fields]
formId = 7
'''),
    "gbk-asp": (GbkAsp, '''login_path = "/login.asp"
username_param = "user"
password_param = "pass"
cookie_name = "ASPSESSIONID"
history_path = "/plan/list.asp"
submit_path = "/plan/save.asp"
start_param = "start"
end_param = "end"
date_param = "rq"
content_param = "nr"
form_charset = "gbk"
success_text = "保存成功"
content_encoding = "plain"
row_selector = "table#list tr"
row_date_selector = "td.day"
row_content_selector = "td.txt"
'''),
    "json-rows": (JsonRows, '''auth = "bearer"
api_login_path = "/api/v2/auth"
username_param = "account"
password_param = "secret"
token_field = "result.accessToken"
plan_path = "/api/v2/plans"
start_param = "begin"
end_param = "end"
date_format = "%Y%m%d"
submit_format = "json"
date_param = "workDate"
content_param = "content"
success_field = "success"
success_value = true
history_format = "json"
history_items = "result.rows"
history_date_field = "workDate"
history_content_field = "detail.text"
'''),
}
