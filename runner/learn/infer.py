"""From the moments of a recording to every ``[site]`` key, each with the entry it came from.

Pure: entries in, a :class:`Learned` out. What the recording cannot show (a sanitized export
strips cookies and the Authorization header) is decided from what remains or left at the
runner's default, and said in a note, so ``dailyplan check`` names the one value still to set.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from runner.errors import UsageError
from runner.learn import moments as mo
from runner.learn.guard import collect_secrets
from runner.learn.har import Entry
from runner.learn.login import learn_login
from runner.learn.model import RECORD_AGAIN, Key, Learned
from runner.learn.page import HtmlRows, json_texts, team_selector
from runner.learn.plantext import split
from runner.learn.values import days_in, is_timestamp, json_body, looks_secret, parse_day, per_session

__all__ = ["RECORD_AGAIN", "Key", "Learned", "learn"]
_START = re.compile(r"start|begin|from|since|min", re.IGNORECASE)
_SUCCESS_KEYS = ("code", "status", "success", "ok", "errcode", "errCode", "error_code", "ret",
                 "result", "state", "flag", "msg", "message", "info")
# Headers every browser sends on its own: a plain client does without them, so they stay out.
_BROWSER = {"user-agent", "accept", "accept-encoding", "accept-language", "connection", "host",
            "content-length", "content-type", "cookie", "authorization", "origin", "pragma",
            "cache-control", "upgrade-insecure-requests", "dnt", "te", "priority", "if-none-match",
            "if-modified-since", "referer", "keep-alive", "purpose", "x-client-data"}


def learn(entries: list[Entry], name: str) -> Learned:
    found = mo.find(entries)
    if found is None:
        hosts = ", ".join(sorted({e.host for e in entries})[:4])
        raise UsageError(f"{name}: none of its {len(entries)} requests is a login, a plan list or a "
                         f"plan submit (hosts: {hosts}); {RECORD_AGAIN}")
    if found.history is None and found.submit is None:  # a login alone: any site has one
        raise UsageError(f"{name}: no plan list and no plan submit among its {len(entries)} requests "
                         f"(only a login, at {found.origin.split('://', 1)[-1]}); {RECORD_AGAIN}")
    out = Learned(secrets=collect_secrets(entries, found), host=found.origin.split("://", 1)[-1])
    out.notes += found.notes
    anchor = found.submit.entry if found.submit else found.history.entry if found.history else found.login
    out.site.append(Key("base_url", found.origin, f"from {anchor.where}"))  # type: ignore[union-attr]
    learn_login(found, entries, out)
    fields = found.login_fields
    password = fields.get(mo.password_field(fields) or "") if fields else None
    if out.username and out.username != password:
        out.secrets.discard(out.username)  # a long login name may look random; it is no secret
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


# ---------------------------------------------------------------------------- history


def _history(m: mo.Moments, entries: list[Entry], out: Learned) -> None:
    if m.history is None:
        out.missing.append("history")
        gets = [e for e in entries if e.method == "GET" and not mo.is_noise(e)]
        empty = sum(1 for e in gets if not e.content and e.status in (0, 200))
        saw = (f"{empty} of {len(gets)} answers were saved without content: export with content"
               if empty else f"none of {len(gets)} answers lists plans by date")
        out.notes.append(f"history: no answer shows your plans ({saw}); the history keys keep their "
                         f"defaults; {RECORD_AGAIN}, and open the page that lists your plans")
        return
    entry, rows = m.history.entry, m.history.rows
    why = f"from {entry.where}"
    params = mo.params_of(entry)
    dates = [(k, v) for k, v in params if parse_day(v)]
    out.site.append(Key("history_path", mo.fixed_path(entry, set(), params), why))
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
    if entry.status in (301, 302, 303, 307, 308):
        out.notes.append(f"submit: {entry.where} answered with a redirect (to "
                         f"{entry.header('location', response=True).split('?')[0] or '?'}); dailyplan "
                         "expects the answer itself, so the run will say the site refused the plan: "
                         "the read-back shows whether it was saved")
    if s.fields.kind == "multipart":
        out.notes.append(f"submit: {entry.where} was sent as multipart/form-data; dailyplan sends a plain "
                         "form, which most servers take alike: if the run says the plan was refused, "
                         "this is why")
    out.site += [Key("submit_path", mo.fixed_path(entry, set()), why),
                 Key("plan_path", mo.fixed_path(entry, set()), f"{why} (the team page's default path)"),
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
        if per_session(name, value) or (isinstance(value, str) and value in out.secrets):
            out.notes.append(f"submit: {entry.where} also sends {name} with a per-session value; it is "
                             "not copied: if the submit needs it, set site.csrf_field")
            continue
        if isinstance(value, str | int | float | bool):
            out.submit_fields.append(Key(name, value, why))
    out.site += _success(entry, why, out)
    out.headers += _headers(entry, why, out)
    if m.history is not None:  # [site.headers] go on every request: the history's own count too
        seen = {k.name.lower() for k in out.headers}
        out.headers += [k for k in _headers(m.history.entry, f"from {m.history.entry.where}", out,
                                            referer=False) if k.name.lower() not in seen]


def _success(entry: Entry, why: str, out: Learned) -> list[Key]:
    data = json_body(entry.text)
    if isinstance(data, dict):
        for key in _SUCCESS_KEYS:
            value = data.get(key)
            if isinstance(value, str | int | float | bool) and str(value) not in out.secrets:
                return [Key("success_field", key, f"{why} (its answer: {json.dumps({key: value})})"),
                        Key("success_value", value, f"{why} (its answer)")]
    text = data if isinstance(data, str) else entry.text.strip()
    if len(text) > 80 or "<" in text:
        out.notes.append(f"success: {entry.where} answered {entry.status} with a page, not a short "
                         "text; success_text keeps its default: set it to what the system says when a "
                         "plan is saved")
        return []
    if days_in(text) or re.search(r"(?<!\d)20\d{6}(?!\d)", text):
        out.notes.append(f"success: {entry.where} answered {text[:60]!r}, which names the day; "
                         "success_text must be the same every day: set it to the part that is")
    return [Key("success_text", text, f"{why} (its answer)")]


def _headers(entry: Entry, why: str, out: Learned, *, referer: bool = True) -> list[Key]:
    """Headers the page sent that a plain client would not: never a browser default or a secret."""
    keys = []
    for name, value in entry.request_headers:
        low = name.lower()
        if low.startswith((":", "sec-")) or low in _BROWSER or not value:
            continue
        if looks_secret(value) or any(s in value for s in out.secrets if len(s) >= 4):
            if not any(n.startswith("headers: ") and f" sends {name} with" in n for n in out.notes):
                out.notes.append(f"headers: {entry.where} sends {name} with a per-session value; not copied")
            continue
        keys.append(Key(name, value, why))
    page = entry.header("referer")
    if referer and page.startswith(entry.origin + "/"):
        keys.append(Key("Referer", entry.origin + urlsplit(page).path, f"{why} (some systems check "
                        "it; it holds your host: drop it if you keep the host in DAILYPLAN_BASE_URL)"))
    return keys


# ---------------------------------------------------------------------------- team and plan


def _team(m: mo.Moments, out: Learned) -> None:
    if m.team is None:
        return
    entry, why = m.team, f"from {m.team.where}"
    date_name = next(k for k, v in entry.query if parse_day(v))
    fixed = [(k, v) for k, v in entry.query if k != date_name and not is_timestamp(v)]
    keys = [Key("team_path", mo.fixed_path(entry, {k for k, _ in fixed[:1]}), why),
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
