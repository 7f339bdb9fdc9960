"""The login from a recording: how it is sent, where the session travels, what to set.

The login is the request that carries the password; the session is the cookie it sets or the
token its answer holds (the one later requests send back). A sanitized export hides cookies and
the Authorization header, so then the answer's body and the server's make decide, or the
runner's default stands with a note saying that ``dailyplan check`` names the value to set.
"""

from __future__ import annotations

import re
from typing import Any

from runner.learn import moments as mo
from runner.learn.har import Entry
from runner.learn.model import RECORD_AGAIN, Key, Learned
from runner.learn.values import json_body, looks_secret

_USER_NAME = re.compile(r"user|login|account|name|email|mail|uid|mobile|phone|工号|账号", re.IGNORECASE)
_HARMLESS = re.compile(r"remember|auto_?login|keep|stay|lang|locale|submit|button|redirect|return|next|"
                       r"service|from|target", re.IGNORECASE)
_CAPTCHA = re.compile(r"captcha|verify|vcode|yzm|checkcode|validcode|验证码|kaptcha", re.IGNORECASE)
_SESSIONISH = re.compile(r"sess|sid|token|auth|jwt", re.IGNORECASE)
_TOKEN_KEY = re.compile(r"token|jwt|access", re.IGNORECASE)
# A session cookie's usual name by the server's make, for a recording that lost its cookies.
_COOKIE_HINTS = (
    (re.compile(r"\.(do|jsp|action)\b|tomcat|coyote|jetty|servlet|java", re.I), "JSESSIONID"),
    (re.compile(r"\.php\b|php", re.I), "PHPSESSID"),
    (re.compile(r"\.aspx\b|asp\.net", re.I), "ASP.NET_SessionId"),  # classic .asp names vary
    (re.compile(r"express", re.I), "connect.sid"),
)


def learn_login(m: mo.Moments, entries: list[Entry], out: Learned) -> None:
    later = [e for e in entries if e.origin == m.origin and (m.login is None or e.index > m.login.index)]
    if m.login is None or m.login_fields is None or m.login.origin != m.origin:
        _no_login(m, later, out)
        return
    entry, fields = m.login, m.login_fields
    why = f"from {entry.where}"
    known = set()
    if m.login_page is not None:
        known = {str(b.get("name")) for b in mo.soup(m.login_page.text).find_all("input", type="password")}
    password = mo.password_field(fields, known) or "password"
    csrf = _csrf(m, fields)
    rest = [(k, v) for k, v in fields.items if k not in (password, csrf)]
    user = next((k for k, v in rest if isinstance(v, str) and _USER_NAME.search(k)), None) \
        or next((k for k, v in rest if isinstance(v, str) and v), "username")
    out.username, out.username_why = str(fields.get(user) or ""), why
    method = {"query": "get", "form": "post-form", "multipart": "post-form", "json": "post-json"}[fields.kind]
    captcha = next((k for k, _ in rest if _CAPTCHA.search(k)), None)
    if captcha:
        out.notes.append(f"login: {entry.where} sends a captcha ({captcha}), which no program can type; "
                         "using auth = \"cookie-secret\": copy the session cookie from your browser")
        _no_login(m, later, out)
        return
    sent = str(fields.get(password) or "")
    if re.fullmatch(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[A-Za-z0-9+/=]{100,}", sent):
        out.notes.append(f"login: {entry.where} sends {password} hashed or encrypted by the page (not "
                         "as typed); dailyplan sends the password as typed: if check says the login was "
                         "refused, use auth = \"cookie-secret\"")
    if fields.kind == "multipart":
        out.notes.append(f"login: {entry.where} was sent as multipart/form-data; dailyplan sends a plain "
                         "form (post-form), which most servers take alike")
    token_path, header = _token_path(entry, later, _shows_credentials(entries))
    if header and header.lower() != "authorization":
        out.notes.append(f"token: later requests send the login's token in the {header} header, not as "
                         "Authorization: Bearer; dailyplan sends Authorization: Bearer <token>, so if "
                         "check's read is refused, your system needs a header dailyplan cannot send yet")
    path = mo.fixed_path(entry, drop={k for k, _ in fields.items} if fields.kind == "query" else set())
    if token_path is not None and not entry.text:
        out.notes.append(f"token_field: {entry.where} was saved without its answer, so token_field keeps "
                         "its default \"token\"; if check says the login answered no token, set it to "
                         "the dotted path of the token in the login's answer")
    if token_path is not None:
        seen = f"later requests send it back in {header}" if header else "its answer holds a token"
        out.site += [Key("auth", "bearer", f"{why} ({seen})"),
                     Key("login_method", method, why), Key("api_login_path", path, why),
                     Key("token_field", token_path, why)]
    else:
        out.site += [Key("auth", "cookie", why), Key("login_method", method, why),
                     Key("login_path", path, why)]
        if m.login_page is not None and m.login_page.path != entry.path:  # /login.jsp → /j_security_check
            out.site.append(Key("login_page_path", mo.fixed_path(m.login_page, set()),
                                f"from {m.login_page.where} (the page showing the login form)"))
    out.site += [Key("username_param", user, why), Key("password_param", password, why)]
    page = f" of {m.login_page.where}" if m.login_page is not None else ""
    out.site.append(Key("csrf_field", csrf or "", f"{why} (it sends back the hidden {csrf}{page})" if csrf
                        else f"{why} (it sends no hidden field)"))
    others = [k for k, _ in rest if k != user and not _HARMLESS.search(k)]
    if others:
        out.notes.append(f"login: {entry.where} also sends {', '.join(others)}; dailyplan sends only "
                         "the username, password and csrf_field: if the login needs the others, "
                         "use auth = \"cookie-secret\"")
    if token_path is None:
        out.site.append(_cookie_key(entry, later, out))


def _no_login(m: mo.Moments, later: list[Entry], out: Learned) -> None:
    elsewhere = f" (it went to {m.login.host}: a single sign-on)" if m.login is not None else ""
    basic = next((e for e in later if e.header("authorization").lower().startswith("basic ")), None)
    if basic is not None:
        out.notes.append(f"login: {basic.where} logs in with HTTP Basic authentication, which dailyplan "
                         "does not send; the config below assumes a session cookie instead")
    bearer = next((e for e in later if e.header("authorization").lower().startswith("bearer ")), None)
    cookies = next((e for e in later if _cookie_names(e)), None)
    if bearer is not None:
        out.site += [Key("auth", "bearer", f"from {bearer.where} (it carries a bearer token)")]
        out.secret = "TOKEN"
        return
    out.secret = "COOKIE"
    if m.login is not None:
        out.site.append(Key("login_path", m.login.path, f"from {m.login.where} on {m.login.host} (the "
                                                        "sign-on page: a redirect there ends a session)"))
    if cookies is not None:
        names = _cookie_names(cookies)
        name = _session_name(names)
        out.site += [Key("auth", "cookie-secret", f"from {cookies.where} (no login recorded{elsewhere}; "
                                                 "it carries the session cookie)"),
                     Key("cookie_name", name, f"from {cookies.where} (cookies sent: {', '.join(names)})")]
        out.cookie_hint = name
        return
    out.site += [Key("auth", "cookie-secret", f"default: no login recorded{elsewhere} and no credential "
                                              "visible (a sanitized export)"),
                 Key("cookie_name", "session", "default: the recording shows no cookie names; a secret "
                                               "holding the whole Cookie header needs none")]
    if m.login is None:
        out.missing.append("login")
        out.notes.append("login: no request sends a password and none carries a visible cookie or token; "
                         "assumed single sign-on (auth = \"cookie-secret\"); if your system has its own "
                         f"login page, {RECORD_AGAIN}")


def _csrf(m: mo.Moments, fields: mo.Fields) -> str | None:
    """A hidden input of the login page whose value the login sends back."""
    pages = [m.login_page] if m.login_page is not None else []
    for page in pages:
        for box in mo.soup(page.text).find_all("input", type="hidden"):
            name, value = box.get("name"), box.get("value")
            if name and value and fields.get(str(name)) == value:
                return str(name)
    return next((k for k, v in fields.items if isinstance(v, str) and looks_secret(v)), None)


def _shows_credentials(entries: list[Entry]) -> bool:
    """Whether the export kept cookies and Authorization headers (not Chrome's sanitized default)."""
    return any(e.request_cookies or e.response_cookies or e.header("cookie") or e.header("authorization")
               or e.header("set-cookie", response=True) for e in entries)


def _token_path(login: Entry, later: list[Entry], full: bool) -> tuple[str | None, str]:
    """Where the login's JSON answer holds the token later requests send back, and the header
    they send it in ("" when the recording cannot show it)."""
    data = json_body(login.text)
    carried: dict[str, str] = {}
    for e in later:
        for name, value in e.request_headers:
            carried.setdefault(value.removeprefix("Bearer ").removeprefix("bearer ").strip(), name)
    bearer = any(e.header("authorization").lower().startswith("bearer ") for e in later)
    if not isinstance(data, dict | list):
        return ("token", "Authorization") if bearer else (None, "")  # the login's answer was not saved
    best = None
    for path, value in _strings(data, ""):
        if looks_secret(value) and value in carried:
            return path, carried[value]
        leaf = path.rsplit(".", 1)[-1]
        if best is None and looks_secret(value) and (_TOKEN_KEY.search(leaf) or value.count(".") == 2):
            best = path
    if full:
        return None, ""  # every header is shown and none carries a token back: a cookie session
    return best, ""


def _strings(data: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(data, str):
        return [(path, data)]
    if isinstance(data, dict):
        return [x for k, v in data.items() for x in _strings(v, f"{path}.{k}" if path else str(k))]
    return []


def _cookie_names(entry: Entry) -> list[str]:
    names = [k for k, _ in entry.request_cookies]
    for header in entry.headers_named("cookie"):
        names += [p.split("=", 1)[0].strip() for p in header.split(";") if "=" in p]
    return list(dict.fromkeys(n for n in names if n))


def _set_cookie_names(entry: Entry) -> list[str]:
    names = [k for k, _ in entry.response_cookies]
    names += [h.split("=", 1)[0].strip() for h in entry.headers_named("set-cookie", response=True)]
    return list(dict.fromkeys(n for n in names if n))


def _session_name(names: list[str]) -> str:
    return next((n for n in names if _SESSIONISH.search(n)), names[0])


def _cookie_key(login: Entry, later: list[Entry], out: Learned) -> Key:
    set_by_login = _set_cookie_names(login)
    sent = [n for e in later for n in _cookie_names(e)]
    both = [n for n in set_by_login if n in sent]
    if both or set_by_login:
        names = both or set_by_login
        return Key("cookie_name", _session_name(names),
                   f"from {login.where} (it set {', '.join(set_by_login)})")
    if sent:
        return Key("cookie_name", _session_name(list(dict.fromkeys(sent))), f"from {later[0].where}")
    clues = " ".join([login.path, login.header("server", response=True),
                      login.header("x-powered-by", response=True)])
    guess = next((name for pattern, name in _COOKIE_HINTS if pattern.search(clues)), "session")
    why = "guessed from the server's make" if guess != "session" else "the runner's default"
    out.notes.append(f"cookie_name: the recording was sanitized (no cookies), so \"{guess}\" is {why}; "
                     "if it is wrong, dailyplan check names the cookie the login set: put that in "
                     "site.cookie_name")
    return Key("cookie_name", guess, f"{why}: the sanitized recording shows no cookies")
