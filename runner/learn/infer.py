"""From the moments of a recording to every ``[site]`` key, each with the entry it came from.

Pure: entries in, a :class:`Learned` out. What the recording cannot show (a sanitized export
strips cookies and the Authorization header) is decided from what remains or left at the
runner's default, and said in a note, so ``dailyplan check`` names the one value still to set.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from runner.learn import moments as mo
from runner.learn.guard import collect_secrets
from runner.learn.har import Entry
from runner.learn.page import HtmlRows, json_texts, team_selector
from runner.learn.plantext import split
from runner.learn.values import is_timestamp, json_body, looks_secret, parse_day

RECORD_AGAIN = "record again with Preserve log on: log in, open your plans, submit one by hand, export"
_USER_NAME = re.compile(r"user|login|account|name|email|mail|uid|mobile|phone|工号|账号", re.IGNORECASE)
_HARMLESS = re.compile(r"remember|auto_?login|keep|stay|lang|locale|submit|button|redirect|return|next|"
                       r"service|from|target", re.IGNORECASE)
_CAPTCHA = re.compile(r"captcha|verify|vcode|yzm|checkcode|validcode|验证码|kaptcha", re.IGNORECASE)
_SESSIONISH = re.compile(r"sess|sid|token|auth|jwt", re.IGNORECASE)
_TOKEN_KEY = re.compile(r"token|jwt|access", re.IGNORECASE)
_START = re.compile(r"start|begin|from|since|min", re.IGNORECASE)
_SUCCESS_KEYS = ("code", "status", "success", "ok", "errcode", "errCode", "error_code", "ret",
                 "result", "state", "flag")
# Headers every browser sends on its own: a plain client does without them, so they stay out.
_BROWSER = {"user-agent", "accept", "accept-encoding", "accept-language", "connection", "host",
            "content-length", "content-type", "cookie", "authorization", "origin", "pragma",
            "cache-control", "upgrade-insecure-requests", "dnt", "te", "priority", "if-none-match",
            "if-modified-since", "referer", "keep-alive", "purpose", "x-client-data"}
# A session cookie's usual name by the server's make, for a recording that lost its cookies.
_COOKIE_HINTS = (
    (re.compile(r"\.(do|jsp|action)\b|tomcat|coyote|jetty|servlet|java", re.I), "JSESSIONID"),
    (re.compile(r"\.php\b|php", re.I), "PHPSESSID"),
    (re.compile(r"\.aspx\b|asp\.net", re.I), "ASP.NET_SessionId"),  # classic .asp names vary
    (re.compile(r"express", re.I), "connect.sid"),
)


@dataclass(frozen=True)
class Key:
    name: str
    value: Any
    why: str  # "from entry 7: POST /plan/save", or why the default stands


@dataclass
class Learned:
    site: list[Key] = field(default_factory=list)
    headers: list[Key] = field(default_factory=list)
    submit_fields: list[Key] = field(default_factory=list)
    username: str = ""
    username_why: str = ""
    plan: str = ""
    template: str | None = None
    plan_why: str = ""
    secret: str = "PASSWORD"  # PASSWORD, TOKEN or COOKIE: which DAILYPLAN_<kind>_<ID> to set
    cookie_hint: str = ""  # for COOKIE: which cookie to copy from the browser ("" for the header)
    host: str = ""
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # moments not found: --strict refuses
    secrets: set[str] = field(default_factory=set)
    summary: str = ""


def learn(entries: list[Entry], name: str) -> Learned:
    found = mo.find(entries)
    if found is None:
        hosts = ", ".join(sorted({e.host for e in entries})[:4])
        from runner.errors import UsageError

        raise UsageError(f"{name}: none of its {len(entries)} requests is a login, a plan list or a "
                         f"plan submit (hosts: {hosts}); {RECORD_AGAIN}")
    out = Learned(secrets=collect_secrets(entries, found), host=found.origin.split("://", 1)[-1])
    out.notes += found.notes
    anchor = found.submit.entry if found.submit else found.history.entry if found.history else found.login
    out.site.append(Key("base_url", found.origin, f"from {anchor.where}"))  # type: ignore[union-attr]
    _login(found, entries, out)
    _history(found, entries, out)
    _submit(found, entries, out)
    _team(found, out)
    _plan(found, out)
    parts = [f"{what} entry {e.index}" for what, e in (
        ("login", found.login), ("history", found.history.entry if found.history else None),
        ("submit", found.submit.entry if found.submit else None), ("team page", found.team)) if e]
    noise = len(entries) - len(parts)
    out.summary = ", ".join(parts) + f" ({noise} other requests left out)"
    return out


# ---------------------------------------------------------------------------- login


def _login(m: mo.Moments, entries: list[Entry], out: Learned) -> None:
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
    if fields.kind == "multipart":
        out.notes.append(f"login: {entry.where} was sent as multipart/form-data; dailyplan sends a plain "
                         "form (post-form), which most servers take alike")
    token_path = _token_path(entry, later, _shows_credentials(entries))
    path = _path_with_query(entry, drop={k for k, _ in fields.items} if fields.kind == "query" else set())
    if token_path is not None and not entry.text:
        out.notes.append(f"token_field: {entry.where} was saved without its answer, so token_field keeps "
                         "its default \"token\"; if check says the login answered no token, set it to "
                         "the dotted path of the token in the login's answer")
    if token_path is not None:
        out.site += [Key("auth", "bearer", f"{why} (later requests carry a bearer token)"),
                     Key("login_method", method, why), Key("api_login_path", path, why),
                     Key("token_field", token_path, why)]
    else:
        out.site += [Key("auth", "cookie", why), Key("login_method", method, why),
                     Key("login_path", path, why)]
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


def _token_path(login: Entry, later: list[Entry], full: bool) -> str | None:
    """Where the login's JSON answer holds the token later requests send (or would send)."""
    sent = {e.header("authorization")[7:].strip() for e in later
            if e.header("authorization").lower().startswith("bearer ")}
    data = json_body(login.text)
    if not isinstance(data, dict | list):
        return "token" if sent else None  # a bearer token, but the login's answer was not saved
    if full and not sent:
        return None  # the recording shows every header, and no request carries the token: cookies
    best = None
    for path, value in _strings(data, ""):
        if value in sent:
            return path
        leaf = path.rsplit(".", 1)[-1]
        if best is None and looks_secret(value) and (_TOKEN_KEY.search(leaf) or value.count(".") == 2):
            best = path
    return best


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


# ---------------------------------------------------------------------------- history


def _path_with_query(entry: Entry, drop: set[str], params: list[tuple[str, str]] | None = None) -> str:
    """The path and the fixed part of its query (no dates, no cache-busters, nothing dropped)."""
    fixed = [(k, v) for k, v in (entry.query if params is None else params)
             if k not in drop and not parse_day(v) and not is_timestamp(v) and not looks_secret(v)]
    from urllib.parse import urlencode

    return entry.path + (f"?{urlencode(fixed, safe='/')}" if fixed else "")


def _history(m: mo.Moments, entries: list[Entry], out: Learned) -> None:
    if m.history is None:
        out.missing.append("history")
        gets = [e for e in entries if e.method == "GET" and not mo.is_noise(e)]
        empty = sum(1 for e in gets if e.content is None)
        saw = (f"{empty} of {len(gets)} answers were saved without content: export with content"
               if empty else f"none of {len(gets)} answers lists plans by date")
        out.notes.append(f"history: no answer shows your plans ({saw}); the history keys keep their "
                         f"defaults; {RECORD_AGAIN}, and open the page that lists your plans")
        return
    entry, rows = m.history.entry, m.history.rows
    why = f"from {entry.where}"
    params = mo.params_of(entry)
    dates = [(k, v) for k, v in params if parse_day(v)]
    out.site.append(Key("history_path", _path_with_query(entry, set(), params), why))
    if entry.method != "GET":
        out.notes.append(f"history: your plans came from {entry.where}, a search form sent by POST; "
                         "dailyplan reads them with GET and the same fields in the query, which most "
                         "systems take alike: if check says the history page is wrong, this is why")
    if len(dates) >= 2:
        start = next((k for k, _ in dates if _START.search(k)), None) \
            or min(dates, key=lambda kv: parse_day(kv[1])[0])[0]  # type: ignore[index]
        end = next(k for k, _ in dates if k != start)
        out.site += [Key("start_param", start, why), Key("end_param", end, why)]
    else:
        out.notes.append(f"history: {entry.where} asks for no date range; start_param/end_param keep "
                         "their defaults (a system that does not know them shows its default list)")
    raw = [text for _, text in rows.rows]
    submitted = str(m.submit.fields.get(m.submit.content_field)) if m.submit else None
    if isinstance(rows, HtmlRows):
        out.site += [Key("history_format", "html", why), Key("row_selector", rows.row_selector, why),
                     Key("row_date_selector", rows.date_selector, why),
                     Key("row_content_selector", rows.content_selector, why),
                     _encoding(raw, submitted, why)]
    else:  # a JSON answer's strings are the plans as typed
        out.site += [Key("history_format", "json", why), Key("history_items", rows.items, why),
                     Key("history_date_field", rows.date_field, why),
                     Key("history_content_field", rows.content_field, why)]


def _encoding(raw: list[str], submitted: str | None, why: str) -> Key:
    """How plans are written into the page: JSON-escaped (the reference) or as typed."""
    if submitted is not None:
        if any(r == json.dumps(submitted)[1:-1] for r in raw) and "\n" in submitted:
            return Key("content_encoding", "json", f"{why} (the plan you submitted is shown \\n-escaped)")
        if any(r.strip() == submitted.strip() for r in raw):
            return Key("content_encoding", "plain", f"{why} (the plan you submitted is shown as typed)")
    if any("\n" in r.strip() for r in raw) or not all(_decodes(r) for r in raw):
        return Key("content_encoding", "plain", f"{why} (plans are shown as typed)")
    if any(re.search(r"\\[nu\"\\]", r) for r in raw):
        return Key("content_encoding", "json", f"{why} (plans are \\n- and \\u-escaped)")
    return Key("content_encoding", "json", f"{why} (one-line plans: cannot tell; the default)")


def _decodes(raw: str) -> bool:
    try:
        json.loads(f'"{raw}"', strict=False)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------------------- submit


def _submit(m: mo.Moments, entries: list[Entry], out: Learned) -> None:
    if m.submit is None:
        out.missing.append("submit")
        posts = [e.path for e in entries if e.method in ("POST", "PUT", "PATCH") and not mo.is_noise(e)]
        saw = f"saw {len(posts)} other POST/PUT: {', '.join(dict.fromkeys(posts))[:120]}" if posts \
            else "saw no other POST or PUT"
        out.notes.append(f"submit: no request sends a date with a plan text ({saw}); the submit keys "
                         f"keep their defaults; {RECORD_AGAIN}")
        return
    s = m.submit
    entry, why = s.entry, f"from {s.entry.where}"
    day_text = s.fields.get(s.date_field)
    fmt = parse_day(day_text)[1]  # type: ignore[index]
    if s.fields.kind == "multipart":
        out.notes.append(f"submit: {entry.where} was sent as multipart/form-data; dailyplan sends a plain "
                         "form, which most servers take alike: if the run says the plan was refused, "
                         "this is why")
    out.site += [Key("submit_path", _path_with_query(entry, set()), why),
                 Key("plan_path", _path_with_query(entry, set()), f"{why} (the team page's default path)"),
                 Key("submit_method", entry.method if entry.method in ("POST", "PUT") else "POST", why),
                 Key("submit_format", "json" if s.fields.kind == "json" else "form", why),
                 Key("date_param", s.date_field, why), Key("content_param", s.content_field, why),
                 Key("date_format", fmt, f"{why} (it sent {s.date_field}={day_text})")]
    if s.fields.kind in ("form", "multipart"):
        out.site.append(Key("form_charset", "gbk" if s.fields.charset in ("gb18030", "gbk", "gb2312")
                            else s.fields.charset, why))
    csrf = next((k.value for k in out.site if k.name == "csrf_field"), "")
    for name, value in s.fields.items:
        if name in (s.date_field, s.content_field) or name == csrf:
            continue
        if isinstance(value, str) and (looks_secret(value) or value in out.secrets):
            out.notes.append(f"submit: {entry.where} also sends {name} with a per-session value; it is "
                             "not copied: if the submit needs it, set site.csrf_field")
            continue
        if isinstance(value, str | int | float | bool):
            out.submit_fields.append(Key(name, value, why))
    out.site += _success(entry, why, out)
    out.headers += _headers(entry, why, out)


def _success(entry: Entry, why: str, out: Learned) -> list[Key]:
    data = json_body(entry.text)
    if isinstance(data, str):
        return [Key("success_text", data, f"{why} (its answer)")]
    if isinstance(data, dict):
        for key in _SUCCESS_KEYS:
            value = data.get(key)
            if isinstance(value, str | int | float | bool) and str(value) not in out.secrets:
                return [Key("success_field", key, f"{why} (its answer: {json.dumps({key: value})})"),
                        Key("success_value", value, f"{why} (its answer)")]
    text = entry.text.strip()
    if len(text) <= 80 and "<" not in text:
        return [Key("success_text", text, f"{why} (its answer)")]
    out.notes.append(f"success: {entry.where} answered {entry.status} with a page, not a short text; "
                     "success_text keeps its default: set it to what the system says when a plan is saved")
    return []


def _headers(entry: Entry, why: str, out: Learned) -> list[Key]:
    keys = []
    for name, value in entry.request_headers:
        low = name.lower()
        if low.startswith((":", "sec-")) or low in _BROWSER or not value:
            continue
        if looks_secret(value) or any(s in value for s in out.secrets if len(s) >= 4):
            out.notes.append(f"headers: {entry.where} sends {name} with a per-session value; not copied")
            continue
        keys.append(Key(name, value, why))
    referer = entry.header("referer")
    if referer.startswith(entry.origin + "/"):
        from urllib.parse import urlsplit

        page = urlsplit(referer).path
        keys.append(Key("Referer", entry.origin + page, f"{why} (some systems check it; it holds "
                        "your host: drop it if you keep the host in DAILYPLAN_BASE_URL)"))
    return keys


# ---------------------------------------------------------------------------- team and plan


def _team(m: mo.Moments, out: Learned) -> None:
    if m.team is None:
        return
    entry, why = m.team, f"from {m.team.where}"
    date_name = next(k for k, v in entry.query if parse_day(v))
    fixed = [(k, v) for k, v in entry.query if k != date_name and not is_timestamp(v)]
    keys = [Key("team_path", _path_with_query(entry, {k for k, _ in fixed[:1]}), why),
            Key("team_date_param", date_name, why)]
    if fixed:
        keys += [Key("team_mode_param", fixed[0][0], why), Key("team_mode_value", fixed[0][1], why)]
    else:
        keys.append(Key("team_mode_param", "", f"{why} (it asks for the date alone)"))
    data = json_body(entry.text)
    if data is not None:
        items, content = json_texts(data) or ("", "content")
        keys += [Key("team_items", items, why), Key("team_content_field", content, why)]
    else:
        selector = team_selector(entry.text)
        keys.append(Key("team_content_selector", selector[0] if selector else "textarea", why))
    out.site += keys


def _plan(m: mo.Moments, out: Learned) -> None:
    if m.submit is None:
        out.plan_why = "no submit recorded: write your preset text here"
        return
    s = m.submit
    text = str(s.fields.get(s.content_field) or "")
    today = parse_day(str(s.fields.get(s.date_field)))[0]  # type: ignore[index]
    previous = None
    if m.history is not None:
        older = sorted((r for r in m.history.rows.rows if r[0] < today), reverse=True)
        if older:
            encoding = next((k.value for k in out.site if k.name == "content_encoding"), "json")
            previous = _decode(older[0][1], encoding)
    shape = split(text, today, previous)
    out.plan, out.template = shape.plan, shape.template
    out.plan_why = f"from {s.entry.where}: the part of the text you typed"
    if shape.template is not None:
        out.notes.append("template: the submitted text is not in the shipped template's shape "
                         "(date line, your text, blank line, previous plan); wrote a template that "
                         "reproduces it")


def _decode(raw: str, encoding: str) -> str:
    if encoding != "json":
        return raw
    try:
        return json.loads(f'"{raw}"', strict=False)
    except ValueError:
        return raw
