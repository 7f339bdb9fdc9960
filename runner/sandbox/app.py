"""A local stand-in for the team's daily-plan system, with knobs that make it misbehave.

It answers exactly as reference-system.md describes the real one (same paths, same
JSON-escaped texts, same 200-for-a-wrong-password), so the demo, the cassettes and the tests meet
the answers production gives. The ``Faults`` knobs replay the bad days on demand (gateway errors,
resets, expiring sessions, lost writes, a redesigned page) instead of waiting for them to happen.
Standard library only, so ``python -m runner sandbox`` runs anywhere the runner does.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import Message
from http.client import responses
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from runner.output import atomic_write
from runner.sandbox.profiles import PROFILES, Profile
from runner.sandbox.profiles import kind as profile_kind
from runner.sandbox.server import _Server

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DRAFT = "草稿（未提交）2026-01-05\n周会要点：先别提交"
_KINDS = {("GET", "/login"): "login", ("POST", "/api/login"): "api-login"}
_Query = dict[str, list[str]]


@dataclass
class Faults:
    """Misbehaviour to inject; tests flip these while the sandbox runs (read under its lock)."""

    latency_ms: int = 0  # sleep before answering every request
    submit_errors: list[int] = field(default_factory=list)  # gateway statuses, one per submit
    resets: int = 0  # the next N requests get their connection reset instead of an answer
    reset_kind: str | None = None  # only requests of this kind (e.g. "submit") count for resets
    session_ttl: int | None = None  # a session or token works for K authenticated requests
    lost_writes: int = 0  # the next N good submits say "修改成功" and store nothing
    layout_changed: bool = False  # the history page drops its `.routine` rows for a table
    login_broken: bool = False  # every login fails, even with the right password
    history_page: int | None = None  # the history lists only the first N rows of the range
    history_oldest_first: bool = False  # the history lists the oldest day first
    history_ignores_dates: bool = False  # the history ignores start/end and lists every plan
    login_refusal: str | None = None  # the words of a wrong-password answer, not 用户名或密码错误
    login_echo: bool = False  # a wrong password gets the login form back, the password refilled
    # in its <input type="password" value="…"> (old Java web apps do this)
    submit_refusal: str | None = None  # every submit is answered with these words, nothing stored
    success_body: bytes | None = None  # a stored plan is answered with these bytes, not "修改成功"
    # (a BOM before it, a JSON object, broken JSON: successes the runner must not call refusals)
    success_redirect: str | None = None  # a stored plan is answered 303 to this path instead
    stored_then_status: int | None = None  # a stored plan is answered with this status (e.g. 500):
    # the app saved it, then failed on the way out (a notification, a log write)
    # (post/redirect/get, as many web apps answer a saved form)
    team_page: str | None = None  # the team page answered with this HTML instead (a login form,
    # a permission page, a redesign without the entries)
    cookie_always: bool = False  # every answer sets a fresh session cookie, logged in or not
    # (so a wrong password still "gets a cookie", and a runner must not trust that alone)
    drip_ms: int = 0  # every answer's body goes out one byte every N ms (a stuck proxy)
    gzip_answers: bool = False  # answers are sent gzip-compressed (Content-Encoding: gzip)
    gzip_bomb: str | None = None  # answers to this kind are a small gzip inflating to 64 MB
    rate_limits: list[int | None] = field(default_factory=list)  # 429s, one per request;
    # each the Retry-After seconds it carries (None: no header)


@dataclass(frozen=True)
class LogEntry:
    """One request as the sandbox saw it; never a password, token or cookie, so it can be shown."""

    method: str
    path: str  # without the query string, which may carry a password
    user: str | None
    status: int  # 0 when the connection was reset
    kind: str  # login, api-login, submit, history, team or other


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    drip_ms: int = 0  # the glue writes the body a byte at a time, this far apart


_BOMB_BYTES = 64 * 1024 * 1024
_BOMB: bytes | None = None


def _gzip(answer: _Answer) -> _Answer:
    """The same answer, gzip-compressed as a web server would send it."""
    return _Answer(answer.status, gzip.compress(answer.body), answer.content_type,
                   {**answer.headers, "Content-Encoding": "gzip"}, answer.drip_ms)


def _bomb() -> bytes:
    """64 MB of zeros in about 64 KB of gzip: built once, in pieces, never 64 MB at a time."""
    global _BOMB
    if _BOMB is None:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        piece = b"\0" * (1024 * 1024)
        _BOMB = b"".join(packer.compress(piece) for _ in range(_BOMB_BYTES // len(piece)))
        _BOMB += packer.flush()
    return _BOMB


def _json(value: object, status: int = 200, headers: dict[str, str] | None = None) -> _Answer:
    """The system's JSON answers: ASCII-only JSON (`\\uXXXX`) and a trailing newline."""
    body = (json.dumps(value) + "\n").encode()
    return _Answer(status, body, "application/json; charset=utf-8", headers or {})


def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> _Answer:
    return _Answer(status, text.encode(), "text/html; charset=utf-8", headers or {})


def escape_plan(text: str) -> str:
    """How the system writes a plan into a textarea: JSON string escapes, inside HTML escapes."""
    return html.escape(json.dumps(text)[1:-1], quote=False)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>每日计划</title></head>\n'
        f'<body>\n<header><h1>{html.escape(title)}</h1><a href="/routine/daily">我的计划</a>'
        f"</header>\n{body}</body></html>\n"
    )


def _echoing_login_form(username: str, password: str) -> str:
    """The login form after a wrong password, both fields refilled: a page never to be quoted."""
    return ('<!DOCTYPE html>\n<html><head><title>用户登录</title></head><body>\n'
            '<p class="error">用户名或密码错误</p><form action="/login">\n'
            f'<input name="username" value="{html.escape(username)}">\n'
            f'<input type="password" name="password" value="{html.escape(password)}">\n'
            "</form></body></html>\n")


def _routine_rows(rows: list[tuple[str, str]]) -> str:
    """The documented layout; with nothing in range, one row with an empty date and textarea."""
    return "".join(
        f'<div class="routine"><span class="date">{day}</span>\n'
        f'  <textarea name="content" readonly>{escape_plan(text)}</textarea></div>\n'
        for day, text in rows or [("", "")]
    )


def _redesigned_rows(rows: list[tuple[str, str]]) -> str:
    """The page after a redesign: same data, no `.routine` rows, so parsers must notice."""
    cells = "".join(
        f'<tr class="plan-row"><td class="day">{day}</td>'
        f"<td><pre>{escape_plan(text)}</pre></td></tr>\n"
        for day, text in rows
    )
    return f'<table class="plans">\n{cells}</table>\n'


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _parse_date(value: str | None) -> date | None:
    """Strict YYYY-MM-DD: `date.fromisoformat` alone would also take 20261120 or 2026-W47."""
    if value is None or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _kind(method: str, path: str, query: _Query) -> str:
    if path == "/routine/daily" and method == "POST":
        return "submit"
    if path == "/routine/daily" and method == "GET":
        return "team" if query.get("mode") == ["1"] else "history"
    return _KINDS.get((method, path), "other")


class Sandbox:
    """The reference system in one process: accounts, plans, sessions, JWTs and a request log."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, state_file: Path | None = None,
        profile: str | Profile = "reference",
    ) -> None:
        self.host, self.port, self.state_file = host, port, state_file
        if isinstance(profile, str) and profile not in PROFILES:
            raise ValueError(f"profile {profile!r} is not known; use one of {', '.join(PROFILES)}")
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self.url = ""
        self.faults = Faults()
        self.accounts: dict[str, str] = {}
        self.plans: dict[str, dict[str, str]] = {}
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)  # per sandbox, so tokens never outlive it
        self._sessions: dict[str, str] = {}  # session id -> username
        self._uses: dict[str, int] = {}  # session id or token -> authenticated requests so far
        self._csrf: dict[str, str] = {}  # session id (logged in or not) -> its CSRF token
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        if state_file is not None and state_file.exists():
            saved = json.loads(state_file.read_text(encoding="utf-8"))
            self.accounts = dict(saved.get("accounts", {}))
            self.plans = {user: dict(days) for user, days in saved.get("plans", {}).items()}

    # --- the public side: seeding, tokens, the log ---------------------------------------------
    def add_account(
        self, username: str, password: str, plans: dict[str, str] | None = None
    ) -> None:
        with self._lock:
            self.accounts[username] = password
            self.plans.setdefault(username, {}).update(plans or {})
            self._save()

    def issue_token(self, username: str, exp: datetime | int | None = None, *, fresh: bool = False,
                    ) -> str:
        """A JWT like the one a user copies from the browser; `exp` in unix seconds by default.

        ``fresh`` adds a ``jti``, so two logins in one second get two tokens (two sessions).
        """
        if exp is None:
            exp = datetime.now() + timedelta(days=30)
        seconds = int(exp.timestamp()) if isinstance(exp, datetime) else int(exp)
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload: dict[str, object] = {"sub": username, "exp": seconds}
        if fresh:
            payload["jti"] = secrets.token_hex(8)
        claims = _b64(json.dumps(payload).encode())
        return f"{header}.{claims}.{_b64(self._sign(f'{header}.{claims}'))}"

    def requests_by(self, user: str | None = None, kind: str | None = None) -> list[LogEntry]:
        """Log entries matching both filters; None matches anything."""
        with self._lock:
            return [e for e in self.log if user in (None, e.user) and kind in (None, e.kind)]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # --- serving -------------------------------------------------------------------------------
    def _bind(self) -> _Server:
        if self._server is None:
            self._server = _Server((self.host, self.port), self)
            host, port = self._server.server_address[:2]
            self.url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        return self._server

    def start(self) -> Sandbox:
        server = self._bind()
        # A short poll keeps stop() fast: shutdown() waits for the loop to look up.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self._server = None

    def serve_forever(self) -> None:
        server = self._bind()
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- one request ---------------------------------------------------------------------------
    def _respond(self, method: str, target: str, headers: Message, body: bytes) -> _Answer | None:
        """Answer and log one request; None means reset the connection instead.

        The log entry and any stored plan land before the client gets its answer, so a test that
        reads `log` or `plans` right after a response never races the handler thread.
        """
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True,
                                                 encoding=self.profile.charset)  # as a browser sends a form
        reference = self.profile.name == "reference"
        kind = _kind(method, path, query) if reference else profile_kind(self.profile, method, path, query)
        with self._lock:
            latency = self.faults.latency_ms
            reset = self.faults.resets > 0 and self.faults.reset_kind in (None, kind)
            if reset:
                self.faults.resets -= 1
        if latency > 0:
            time.sleep(latency / 1000)
        with self._lock:
            if reset:
                answer, user = None, self._authenticate(headers, consume=False)
            elif self.faults.rate_limits:  # the gateway's rate limiter, before the app
                wait = self.faults.rate_limits.pop(0)
                answer = _json("请求过于频繁", 429, {} if wait is None else {"Retry-After": str(wait)})
                user = self._authenticate(headers, consume=False)
            else:
                answer, user = self._dispatch(kind, path, query, headers, body)
            self.log.append(LogEntry(method, path, user, answer.status if answer else 0, kind))
            return self._deliver(answer, kind)

    def _deliver(self, answer: _Answer | None, kind: str) -> _Answer | None:
        """The transport-level knobs, applied to whatever the application answered."""
        if answer is None:
            return None
        if self.faults.cookie_always and "Set-Cookie" not in answer.headers:
            answer.headers["Set-Cookie"] = f"session=anon-{secrets.token_hex(8)}; HttpOnly; Path=/"
        if self.faults.gzip_bomb == kind:
            answer = _Answer(answer.status, _bomb(), answer.content_type,
                             {**answer.headers, "Content-Encoding": "gzip"})
        elif self.faults.gzip_answers:
            answer = _gzip(answer)
        answer.drip_ms = self.faults.drip_ms
        return answer

    def _dispatch(
        self, kind: str, path: str, query: _Query, headers: Message, body: bytes
    ) -> tuple[_Answer, str | None]:
        if kind == "submit" and self.faults.submit_errors:  # the gateway, before the app
            status = self.faults.submit_errors.pop(0)
            page = f"<html><body><h1>{status} {responses.get(status, 'Error')}</h1></body></html>\n"
            return _html(page, status), self._authenticate(headers, consume=False)
        if self.profile.name != "reference":
            return self._shaped(kind, query, headers, body)
        if kind == "login":
            return self._login(query)
        if kind == "api-login":
            return self._api_login(body)
        if not path.startswith("/routine/"):
            return _html("<h1>404 Not Found</h1>\n", 404), self._authenticate(headers, False)
        user = self._authenticate(headers, consume=True)
        if user is None:
            return _html('<a href="/login">/login</a>\n', 302, {"Location": "/login"}), None
        if kind == "submit":
            return self._submit(user, headers, body), user
        if kind == "history":
            return self._history(user, query), user
        if kind == "team":
            return self._team(query), user
        return _html("<h1>404 Not Found</h1>\n", 404), user

    def _password_ok(self, username: object, password: object) -> bool:
        if not isinstance(username, str) or not isinstance(password, str):
            return False
        known = self.accounts.get(username)
        ok = known is not None and hmac.compare_digest(known.encode(), password.encode())
        return ok and not self.faults.login_broken

    def _login(self, query: _Query) -> tuple[_Answer, str | None]:
        username, password = _first(query, "username"), _first(query, "password")
        if not self._password_ok(username, password):
            if self.faults.login_echo:
                return _html(_echoing_login_form(username or "", password or "")), None
            return _json(self.faults.login_refusal or "用户名或密码错误"), None  # 200, no cookie
        sid = secrets.token_hex(16)
        self._sessions[sid] = str(username)
        cookie = {"Set-Cookie": f"session={sid}; HttpOnly; Path=/"}
        return _json("登录成功", headers=cookie), username

    def _api_login(self, body: bytes) -> tuple[_Answer, str | None]:
        try:
            creds = json.loads(body.decode("utf-8"))
            username, password = creds["username"], creds["password"]
        except (ValueError, KeyError, TypeError):
            username = password = None
        if not self._password_ok(username, password):
            return _json({"error": "invalid credentials"}, 401), None
        return _json({"token": self.issue_token(str(username))}), str(username)

    def _authenticate(self, headers: Message, consume: bool) -> str | None:
        """Who sent this: a live session cookie or a valid bearer JWT, within `session_ttl` uses."""
        grants: list[tuple[str, str]] = []
        with contextlib.suppress(CookieError):
            morsel = SimpleCookie(headers.get("Cookie", "")).get(self.profile.cookie_name or "session")
            if morsel is not None and morsel.value in self._sessions:
                grants.append((morsel.value, self._sessions[morsel.value]))
        scheme, _, token = headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and (user := self._token_user(token.strip())):
            grants.append((token.strip(), user))
        ttl = self.faults.session_ttl
        for key, user in grants:
            uses = self._uses.get(key, 0)
            if ttl is not None and uses >= ttl:
                continue
            if consume:
                self._uses[key] = uses + 1
            return user
        return None

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()

    def _token_user(self, token: str) -> str | None:
        """The account a JWT names, if its signature is ours and its `exp` is in the future."""
        try:
            header, claims, signature = token.split(".")
            if not hmac.compare_digest(_unb64(signature), self._sign(f"{header}.{claims}")):
                return None
            algorithm = json.loads(_unb64(header)).get("alg")
            payload = json.loads(_unb64(claims))
        except (ValueError, AttributeError):  # also base64, JSON and UTF-8 errors
            return None
        if algorithm != "HS256" or not isinstance(payload, dict):
            return None
        sub, exp = payload.get("sub"), payload.get("exp")
        if not isinstance(exp, int | float) or exp <= time.time():
            return None
        return sub if isinstance(sub, str) and sub in self.accounts else None

    def _submit(self, user: str, headers: Message, body: bytes) -> _Answer:
        if headers.get_content_type() != "application/x-www-form-urlencoded":
            return _json("参数错误")
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            return _json("参数错误")
        day = _parse_date(_first(form, "date"))
        if day is None:
            return _json("日期格式错误")
        content = _first(form, "content") or ""
        if not content.strip():
            return _json("内容不能为空")
        if self.faults.submit_refusal is not None:
            return _json(self.faults.submit_refusal)
        self._store(user, day, content)
        if self.faults.stored_then_status is not None:
            status = self.faults.stored_then_status
            return _html(f"<html><body><h1>{status} {responses.get(status, 'Error')}</h1></body></html>\n",
                         status)
        if self.faults.success_body is not None:
            return _Answer(200, self.faults.success_body, "application/json; charset=utf-8")
        if self.faults.success_redirect is not None:
            return _html("", 303, {"Location": self.faults.success_redirect})
        return _json("修改成功")

    def _store(self, user: str, day: date, content: str) -> None:
        if self.faults.lost_writes > 0:
            self.faults.lost_writes -= 1
        else:
            self.plans.setdefault(user, {})[day.isoformat()] = content  # overwrites, silently
            self._save()

    def _history(self, user: str, query: _Query) -> _Answer:
        start = _parse_date(_first(query, "start_date"))
        end = _parse_date(_first(query, "end_date"))
        if start is None or end is None:
            return _json("日期格式错误")
        mine = self.plans.get(user, {})
        wanted = (lambda d: True) if self.faults.history_ignores_dates else (
            lambda d: start.isoformat() <= d <= end.isoformat())
        days = sorted((d for d in mine if wanted(d)), reverse=not self.faults.history_oldest_first)
        rows = [(day, mine[day]) for day in days][: self.faults.history_page]
        listing = _redesigned_rows(rows) if self.faults.layout_changed else _routine_rows(rows)
        # The hidden draft box after the rows: a trap for `soup.select("textarea")[0]`.
        draft = f'<textarea name="draft" style="display:none">{escape_plan(_DRAFT)}</textarea>\n'
        return _html(_page(f"{user} 的每日计划", listing + draft))

    def _team(self, query: _Query) -> _Answer:
        day = _parse_date(_first(query, "date"))
        if day is None:
            return _json("日期格式错误")
        if self.faults.team_page is not None:
            return _html(self.faults.team_page)
        rows = []
        for member in sorted(self.accounts):
            text = self.plans.get(member, {}).get(day.isoformat())
            cell = escape_plan(text) if text else "未填写"
            rows.append(
                f'<tr><td class="member">{html.escape(member)}</td>'
                f"<td><textarea readonly>{cell}</textarea></td></tr>\n"
            )
        return _html(_page(f"{day} 团队计划", f'<table class="team">\n{"".join(rows)}</table>\n'))

    # --- the other profiles (profiles.py): same accounts, plans, sessions and faults -----------
    def issue_cookie(self, username: str) -> str:
        """A logged-in session id, as SSO would hand the browser one (the ``sso-cookie`` profile)."""
        with self._lock:
            sid = secrets.token_hex(16)
            self._sessions[sid] = username
            return sid

    def _shaped(self, kind: str, query: _Query, headers: Message, body: bytes,
                ) -> tuple[_Answer, str | None]:
        if kind == "login-page":
            return self._login_page(headers), None
        if kind == "login":
            return self._shaped_login(query, headers, body)
        if kind == "other":
            return self._encoded("<h1>404 Not Found</h1>\n", "text/html", 404), None
        user = self._authenticate(headers, consume=True)
        if user is None:
            return self._unauthenticated(headers), None
        if kind == "submit":
            return self._shaped_submit(user, headers, body), user
        if kind == "history":
            return self._shaped_history(user, query, headers), user
        return self._shaped_team(query), user

    def _encoded(self, text: str, content_type: str, status: int = 200,
                 headers: dict[str, str] | None = None, declare: bool | None = None) -> _Answer:
        """Text in the profile's charset; pages may declare it only in their ``<meta charset>``."""
        p = self.profile
        declare = p.header_charset or content_type != "text/html" if declare is None else declare
        declared = f"{content_type}; charset={p.charset}" if declare else content_type
        return _Answer(status, text.encode(p.charset, errors="xmlcharrefreplace"), declared, headers or {})

    def _shaped_json(self, value: object, status: int = 200, headers: dict[str, str] | None = None,
                     ) -> _Answer:
        return self._encoded(json.dumps(value, ensure_ascii=False), "application/json", status, headers)

    def _shaped_page(self, title: str, body: str, headers: dict[str, str] | None = None) -> _Answer:
        page = (f'<!DOCTYPE html>\n<html><head><meta charset="{self.profile.charset}">'
                f"<title>{html.escape(title)}</title></head>\n<body>\n{body}</body></html>\n")
        return self._encoded(page, "text/html", 200, headers)

    def _session_id(self, headers: Message) -> str | None:
        with contextlib.suppress(CookieError):
            morsel = SimpleCookie(headers.get("Cookie", "")).get(self.profile.cookie_name)
            return morsel.value if morsel is not None else None
        return None

    def _login_page(self, headers: Message, error: str = "") -> _Answer:
        """The login form, with a CSRF field and a fresh (not logged-in) session cookie if none."""
        p = self.profile
        sid = self._session_id(headers) if p.cookie_name else None
        set_cookie: dict[str, str] = {}
        if p.cookie_name and (sid is None or (sid not in self._sessions and sid not in self._csrf)):
            sid = secrets.token_hex(16)
            set_cookie = {"Set-Cookie": f"{p.cookie_name}={sid}; Path=/; HttpOnly"}
        csrf = ""
        if p.csrf_field and sid is not None:
            token = self._csrf.setdefault(sid, secrets.token_hex(8))
            csrf = f'<input type="hidden" name="{p.csrf_field}" value="{token}">'
        warn = f'<p class="error">{html.escape(error)}</p>' if error else ""
        form = (f'{warn}<form method="post" action="{p.login_path}">{csrf}'
                f'<input name="{p.username_param}"><input type="password" name="{p.password_param}">'
                '<button>登录</button></form>\n')
        return self._shaped_page("登录", form, set_cookie)

    def _unauthenticated(self, headers: Message) -> _Answer:
        p = self.profile
        if p.unauth in ("401", "code-401"):  # the status, or a 200 whose body says it
            return self._shaped_json({"code": 401, "msg": "未登录或登录已过期"},
                                     401 if p.unauth == "401" else 200)
        if p.unauth == "login-page":
            return self._login_page(headers)
        return self._encoded(f'<a href="{p.unauth_location}">login</a>\n', "text/html", 302,
                             {"Location": p.unauth_location})

    def _fields(self, query: _Query, headers: Message, body: bytes, json_body: bool,
                ) -> dict[str, object] | None:
        """A request's fields: the query, a form in the profile's charset, or a JSON object."""
        if json_body:
            try:
                value = json.loads(body.decode("utf-8"))
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
        if body or headers.get_content_type() == "application/x-www-form-urlencoded":
            if headers.get_content_type() != "application/x-www-form-urlencoded":
                return None
            try:
                form = parse_qs(body.decode("ascii"), keep_blank_values=True, errors="strict",
                                encoding=self.profile.charset)
            except (UnicodeDecodeError, UnicodeEncodeError):
                return None
            return {k: v[0] for k, v in form.items()}
        return {k: v[0] for k, v in query.items()}

    def _shaped_login(self, query: _Query, headers: Message, body: bytes,
                      ) -> tuple[_Answer, str | None]:
        p = self.profile
        creds = self._fields(query, headers, body, p.login_method == "post-json") or {}
        username, password = creds.get(p.username_param), creds.get(p.password_param)
        sid = self._session_id(headers) if p.cookie_name else None
        if p.csrf_field and (sid is None or creds.get(p.csrf_field) != self._csrf.get(sid)):
            return self._encoded("<h1>403 Forbidden: CSRF token invalid</h1>\n", "text/html", 403), None
        if not self._password_ok(username, password):
            if p.token_field:
                return self._shaped_json({"code": 1001, "msg": "账号或密码错误"}), None
            if p.csrf_field:  # the login page again, keeping its session cookie (as Java apps do)
                return self._login_page(headers, "用户名或密码错误"), None
            return self._shaped_json("用户名或密码错误"), None
        user = str(username)
        if p.token_field:
            answer: object = self.issue_token(user, fresh=True)
            for part in reversed(p.token_field.split(".")):
                answer = {part: answer}
            return self._shaped_json({"code": 0, **answer}), user  # type: ignore[dict-item]
        if p.csrf_field and sid is not None:  # a new session id and a new token, as Java apps do
            self._csrf.pop(sid, None)
            sid = secrets.token_hex(16)
            self._sessions[sid] = user
            self._csrf[sid] = secrets.token_hex(8)
            moved = {"Location": "/oa/main.do?method=index",
                     "Set-Cookie": f"{p.cookie_name}={sid}; Path=/; HttpOnly"}
            return self._encoded("", "text/html", 302, moved), user
        sid = secrets.token_hex(16)
        self._sessions[sid] = user
        cookie = {"Set-Cookie": f"{p.cookie_name}={sid}; HttpOnly; Path=/"}
        return self._encoded("登录成功", "text/plain", headers=cookie), user

    def _day(self, value: object) -> date | None:
        if not isinstance(value, str):
            return None
        try:
            return datetime.strptime(value, self.profile.date_format).date()
        except ValueError:
            return None

    def _shaped_history(self, user: str, query: _Query, headers: Message) -> _Answer:
        p = self.profile
        start, end = self._day(_first(query, p.start_param)), self._day(_first(query, p.end_param))
        if start is None or end is None:
            return self._shaped_answer(False, "日期格式错误")
        mine = self.plans.get(user, {})
        days = sorted((d for d in mine if start.isoformat() <= d <= end.isoformat()), reverse=True)
        if p.page_format == "json":
            items = [{"planDate": f"{d} 00:00:00", "content": mine[d]} for d in days]
            return self._shaped_json({"code": 0, "data": {"total": len(items), "list": items}})
        if p.layout == "routine":
            listing = _routine_rows([(d, mine[d]) for d in days])
        else:
            listing = '<table id="plans">\n<tr><th>日期</th><th>内容</th></tr>\n' + "".join(
                f'<tr class="plan"><td class="day">{date.fromisoformat(d).strftime(p.date_format)}</td>'
                f'<td class="text">{html.escape(mine[d]).replace(chr(10), "<br>")}</td></tr>\n'
                for d in days) + "</table>\n"
        sid = self._session_id(headers)
        if p.csrf_field and sid in self._csrf:
            listing += (f'<form id="search"><input type="hidden" name="{p.csrf_field}" '
                        f'value="{self._csrf[sid]}"></form>\n')
        return self._shaped_page(f"{user} 的每日计划", listing)

    def _shaped_team(self, query: _Query) -> _Answer:
        p = self.profile
        day = self._day(_first(query, p.team_date_param))
        if day is None:
            return self._shaped_answer(False, "日期格式错误")
        texts = [(m, self.plans.get(m, {}).get(day.isoformat(), "")) for m in sorted(self.accounts)]
        if p.page_format == "json":
            return self._shaped_json({"code": 0, "data": [{"name": m, "content": t} for m, t in texts]})
        cells = "".join(
            f'<tr><td class="member">{html.escape(m)}</td><td class="plan">'
            + (f"<textarea readonly>{escape_plan(t) if t else '未填写'}</textarea>" if p.layout == "routine"
               else html.escape(t or "未填写").replace("\n", "<br>"))
            + "</td></tr>\n" for m, t in texts)
        return self._shaped_page(f"{day} 团队计划", f'<table id="team">\n{cells}</table>\n')

    def _shaped_answer(self, ok: bool, message: str) -> _Answer:
        """Each profile's submit answer: a code, a success flag, a plain text or a JSON string."""
        style = self.profile.answer
        if style == "code":
            return self._shaped_json({"code": 0 if ok else 1, "msg": message})
        if style == "success":
            return self._shaped_json({"success": ok, "msg": message})
        if style == "text":
            return self._encoded(message, "text/plain")
        return _json(message)

    def _shaped_submit(self, user: str, headers: Message, body: bytes) -> _Answer:
        p = self.profile
        if p.submit_format == "json" and headers.get_content_type() != "application/json":
            return self._shaped_answer(False, "参数错误")
        fields = self._fields({}, headers, body, p.submit_format == "json")
        if fields is None:
            return self._shaped_answer(False, "参数错误")
        sid = self._session_id(headers)
        if p.csrf_field and (sid is None or fields.get(p.csrf_field) != self._csrf.get(sid)):
            return self._encoded("<h1>403 Forbidden: CSRF token invalid</h1>\n", "text/html", 403)
        if any(str(fields.get(k)) != v for k, v in p.required_fields):
            return self._shaped_answer(False, "表单不存在")
        day = self._day(fields.get(p.date_param))
        if day is None:
            return self._shaped_answer(False, "日期格式错误")
        content = fields.get(p.content_param)
        if not isinstance(content, str) or not content.strip():
            return self._shaped_answer(False, "内容不能为空")
        self._store(user, day, content)
        return self._shaped_answer(True, p.saved)

    def _save(self) -> None:
        """Write accounts and plans atomically (lock held): a crash leaves old or new, not half."""
        if self.state_file is None:
            return
        data = {"accounts": self.accounts, "plans": self.plans}
        atomic_write(self.state_file, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
