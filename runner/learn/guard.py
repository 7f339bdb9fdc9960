"""The secrets a recording holds, and the check that none of them leaves ``learn``.

A HAR holds the password, the session cookie, tokens and CSRF values. Inference should never pick
one up, but a value can hide in an unexpected place (a Referer query, a hidden field, an answer),
so everything written or printed passes :func:`leaks` first, in every encoding a value travels
in: plain, URL-encoded, JSON-escaped and base64.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from runner.learn.har import Entry
from runner.learn.values import json_body, looks_secret, per_session
from runner.redact import forms

if TYPE_CHECKING:
    from runner.learn.moments import Moments

_MIN = 4  # shorter values (a "1", a "true") are everywhere; they cannot be told from text


def collect_secrets(entries: list[Entry], found: Moments) -> set[str]:
    from runner.learn.moments import fields_of, is_password_name, soup

    out: set[str] = set()
    for e in entries:
        out |= set(re.findall(r";\w+=([^/;]+)", urlsplit(e.url).path))  # ;jsessionid=… in a URL
        out |= {v for _, v in e.request_cookies + e.response_cookies}
        for header in e.headers_named("cookie"):
            out |= {p.split("=", 1)[1].strip() for p in header.split(";") if "=" in p}
        for header in e.headers_named("set-cookie", response=True):
            out.add(header.split(";", 1)[0].split("=", 1)[-1].strip())
        for name, value in e.request_headers:
            if name.lower() in ("authorization", "proxy-authorization"):
                out |= {value, value.partition(" ")[2]}
            elif looks_secret(value) and name.lower() not in ("user-agent", "referer"):
                out.add(value)
        fields = fields_of(e)
        out |= {str(v) for k, v in fields.items if isinstance(v, str) and (
            is_password_name(k) or looks_secret(v))}
        data = json_body(e.text) if e is found.login else None
        if isinstance(data, dict):
            out |= {v for v in _all_strings(data) if looks_secret(v)}
        if "<input" in e.text and "hidden" in e.text:
            for box in soup(e.text).find_all("input", type="hidden"):
                if per_session(str(box.get("name") or ""), str(box.get("value") or "")):
                    out.add(str(box.get("value") or ""))
    if found.login_fields is not None:
        from runner.learn.moments import password_field

        name = password_field(found.login_fields)
        if name:
            out.add(str(found.login_fields.get(name)))
    return {s for s in out if len(s) >= _MIN}


def _all_strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _all_strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _all_strings(v)]
    return []


def encodings(secret: str) -> set[str]:
    """The forms a secret can take in a file or a terminal."""
    raw = secret.encode()  # the sinks' forms (redact.forms), plus base64: a recording holds headers
    found = forms(secret) | {base64.b64encode(raw).decode(),
                             base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return {f for f in found if len(f) >= _MIN}


def leaks(text: str, secrets: set[str]) -> list[str]:
    """The secrets (by position in a sorted list, never the value) that appear in ``text``."""
    return [f"secret #{i}" for i, s in enumerate(sorted(secrets)) if any(f in text for f in encodings(s))]
