"""A browser's Network panel for tests: drive a sandbox as a person would, save it as HAR 1.2.

``Browser`` sends what Chrome sends (its headers, the session cookie, ``X-Requested-With`` on
XHR, a Referer) and records every request and answer the way Chrome's "Export HAR" writes them:
headers and cookie lists, ``postData`` with ``params``, ``content.text`` (base64 with
``encoding`` for images), ``_resourceType``, timings. ``noise`` adds what a real page loads
beside the moments; ``sanitize`` gives Chrome's default export (no cookies, no Authorization).
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

import requests

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
_SANITIZED_HEADERS = {"cookie", "set-cookie", "authorization"}


class Browser:
    """A person's browser: one cookie jar, Chrome's headers, and a recorded Network panel."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.headers.clear()
        self.http.headers.update({"User-Agent": CHROME, "Accept-Encoding": "gzip, deflate",
                                  "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
                                  "Connection": "keep-alive"})
        self.entries: list[dict[str, Any]] = []
        self.page = self.base + "/"
        self.clock = datetime(2026, 11, 19, 1, 30, tzinfo=UTC)
        self.extra: dict[str, str] = {}  # headers the page's own scripts add (a bearer token)

    # ---------------------------------------------------------------- what a person does
    def open(self, path: str, params: Mapping[str, str] | None = None) -> requests.Response:
        """Type an address or click a link: a document, redirects followed hop by hop."""
        resp = self._send("GET", path, kind="document", params=params)
        while resp.is_redirect:
            resp = self._send("GET", resp.headers["Location"], kind="document")
        self.page = resp.url
        return resp

    def post_form(self, path: str, fields: list[tuple[str, str]], *, xhr: bool = False,
                  charset: str = "utf-8", method: str = "POST") -> requests.Response:
        body = urlencode(fields, encoding=charset)
        ctype = "application/x-www-form-urlencoded" + ("; charset=UTF-8" if xhr else "")
        resp = self._send(method, path, kind="xhr" if xhr else "document", body=body, ctype=ctype)
        while resp.is_redirect and not xhr:
            resp = self._send("GET", resp.headers["Location"], kind="document")
            self.page = resp.url
        return resp

    def fetch(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
              body: Any = None, xhr: bool = True) -> requests.Response:
        """A page script's request: JSON in and out, with X-Requested-With like jQuery adds."""
        headers = {"Accept": "application/json, text/javascript, */*; q=0.01"}
        if xhr:
            headers["X-Requested-With"] = "XMLHttpRequest"
        data = json.dumps(body, ensure_ascii=False) if body is not None else None
        return self._send(method, path, kind="xhr" if xhr else "fetch", params=params,
                          body=data, ctype="application/json" if data is not None else None,
                          headers=headers)

    # ---------------------------------------------------------------- the page's other requests
    def noise(self) -> None:
        """What a page loads besides the moments: CSS, scripts, an icon, analytics, polling."""
        self._fake("GET", f"{self.base}/static/app.css?v=3", "stylesheet", 200, "text/css",
                   "body{font-family:sans-serif}.routine{margin:1em}")
        self._fake("GET", f"{self.base}/static/app.js", "script", 200, "application/javascript",
                   "$(function(){setInterval(poll,30000)});function poll(){$.get('/api/unread')}")
        self._fake("GET", f"{self.base}/favicon.ico", "image", 200, "image/png", _PNG, binary=True)
        self._fake("POST", "https://analytics.example.net/collect?v=2&tid=G-XYZ", "ping", 204, "text/plain",
                   "", body="en=page_view&dl=" + self.page + "&dt=%E6%AF%8F%E6%97%A5%E8%AE%A1%E5%88%92&_s=3")
        self._fake("GET", f"{self.base}/api/unread?_=1732412345678", "xhr", 200, "application/json",
                   '{"count":0,"since":"2026-11-19 09:30:00"}')

    def har(self) -> dict[str, Any]:
        return {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                        "pages": [{"startedDateTime": self._stamp(), "id": "page_1",
                                   "title": self.base + "/", "pageTimings": {}}],
                        "entries": self.entries}}

    # ---------------------------------------------------------------- recording
    def _send(self, method: str, path: str, *, kind: str, params: Mapping[str, str] | None = None,
              body: str | None = None, ctype: str | None = None,
              headers: Mapping[str, str] | None = None) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        sent = {"Referer": self.page, **self.extra, **(headers or {})}
        if kind == "document":
            sent["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            sent["Upgrade-Insecure-Requests"] = "1"
            sent.update({"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"})
        else:
            sent.update({"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"})
        sent["sec-ch-ua"] = '"Chromium";v="131", "Not_A Brand";v="24"'
        if body is not None:
            sent["Content-Type"] = ctype or "text/plain"
            sent["Origin"] = self.base
        resp = self.http.request(method, url, data=body.encode("utf-8") if body is not None else None,
                                 headers=sent, allow_redirects=False, timeout=10)
        self._record(resp, kind)
        return resp

    def _record(self, resp: requests.Response, kind: str) -> None:
        req = resp.request
        parts = urlsplit(req.url or "")
        headers = [{"name": k, "value": v} for k, v in req.headers.items()]
        cookie = SimpleCookie(req.headers.get("Cookie", ""))
        entry = self._skeleton(req.method or "GET", req.url or "", kind)
        entry["request"]["headers"] = headers
        entry["request"]["queryString"] = [{"name": k, "value": v}
                                           for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        entry["request"]["cookies"] = [{"name": k, "value": m.value, "path": "/", "domain": parts.hostname,
                                        "expires": None, "httpOnly": False, "secure": False}
                                       for k, m in cookie.items()]
        if req.body is not None:
            text = req.body.decode("latin-1") if isinstance(req.body, bytes) else str(req.body)
            text = text.encode("latin-1").decode("utf-8", "replace") \
                if "form-urlencoded" not in req.headers.get("Content-Type", "") else text
            post: dict[str, Any] = {"mimeType": req.headers.get("Content-Type", ""), "text": text}
            if "form-urlencoded" in post["mimeType"]:
                post["params"] = [{"name": k, "value": v} for k, v in
                                  (pair.split("=", 1) for pair in text.split("&") if "=" in pair)]
            entry["request"]["postData"] = post
            entry["request"]["bodySize"] = len(req.body)
        raw_headers = list(resp.raw.headers.items()) if resp.raw is not None else list(resp.headers.items())
        set_cookies = [v for k, v in raw_headers if k.lower() == "set-cookie"]
        mime = resp.headers.get("Content-Type", "")
        entry["response"].update({
            "status": resp.status_code, "statusText": resp.reason or "",
            "headers": [{"name": k, "value": v} for k, v in raw_headers],
            "cookies": [_cookie_item(v) for v in set_cookies],
            "content": {"size": len(resp.content), "mimeType": mime,
                        "text": resp.content.decode(_charset(mime, resp.content), "replace")},
            "redirectURL": resp.headers.get("Location", ""),
            "bodySize": len(resp.content)})
        self.entries.append(entry)

    def _fake(self, method: str, url: str, kind: str, status: int, mime: str, content: Any,
              *, binary: bool = False, body: str | None = None) -> None:
        entry = self._skeleton(method, url, kind)
        entry["request"]["headers"] = [{"name": "User-Agent", "value": CHROME},
                                       {"name": "Referer", "value": self.page}]
        if body is not None:
            entry["request"]["postData"] = {"mimeType": "text/plain;charset=UTF-8", "text": body}
        text = base64.b64encode(content).decode() if binary else content
        entry["response"].update({"status": status, "statusText": "OK",
                                  "headers": [{"name": "Content-Type", "value": mime}],
                                  "content": {"size": len(content), "mimeType": mime, "text": text,
                                              **({"encoding": "base64"} if binary else {})}})
        self.entries.append(entry)

    def _skeleton(self, method: str, url: str, kind: str) -> dict[str, Any]:
        self.clock += timedelta(milliseconds=137)
        return {"_initiator": {"type": "other" if kind == "document" else "script"},
                "_priority": "VeryHigh" if kind == "document" else "High", "_resourceType": kind,
                "cache": {}, "connection": "443", "pageref": "page_1",
                "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": [],
                            "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": 0, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [],
                             "cookies": [], "content": {"size": 0, "mimeType": ""}, "redirectURL": "",
                             "headersSize": -1, "bodySize": -1, "_transferSize": 0, "_error": None},
                "serverIPAddress": "127.0.0.1", "startedDateTime": self._stamp(), "time": 12.5,
                "timings": {"blocked": 0.5, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1,
                            "wait": 10.9, "receive": 1.0, "_blocked_queueing": 0.3}}

    def _stamp(self) -> str:
        return self.clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _charset(mime: str, content: bytes = b"") -> str:
    """As a browser decides: the header's charset, else the page's <meta charset>, else UTF-8."""
    if "charset=" in mime:
        return mime.split("charset=", 1)[1].split(";")[0].strip()
    meta = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", content[:2048], re.IGNORECASE)
    return meta.group(1).decode() if meta else "utf-8"


def _cookie_item(header: str) -> dict[str, Any]:
    first, *attrs = [p.strip() for p in header.split(";")]
    name, _, value = first.partition("=")
    flags = {a.split("=", 1)[0].lower() for a in attrs}
    return {"name": name, "value": value, "path": "/", "expires": None,
            "httpOnly": "httponly" in flags, "secure": "secure" in flags}


def sanitize(har: dict[str, Any]) -> dict[str, Any]:
    """Chrome's default export: Cookie, Set-Cookie and Authorization headers and cookie lists gone."""
    out = copy.deepcopy(har)
    for entry in out["log"]["entries"]:
        for side in ("request", "response"):
            part = entry[side]
            part["headers"] = [h for h in part["headers"] if h["name"].lower() not in _SANITIZED_HEADERS]
            part["cookies"] = []
    return out


def entry(method: str, url: str, *, status: int = 200, text: str | None = None, mime: str = "",
          body: str | None = None, body_mime: str = "", headers: Mapping[str, str] | None = None,
          response_headers: list[tuple[str, str]] | None = None, kind: str = "xhr") -> dict[str, Any]:
    """One hand-made HAR entry, as Chrome writes it, for recordings of systems no sandbox plays."""
    parts = urlsplit(url)
    sent = {"User-Agent": CHROME, "Accept": "*/*", "Accept-Language": "zh-CN,zh;q=0.9", **(headers or {})}
    cookies = SimpleCookie(sent.get("Cookie", ""))
    answer = [("Content-Type", mime), *(response_headers or [])] if mime else list(response_headers or [])
    item: dict[str, Any] = {
        "_resourceType": kind, "startedDateTime": "2026-11-19T01:30:00.000Z", "time": 10.0,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in sent.items()],
                    "queryString": [{"name": k, "value": v} for k, v in parse_qsl(parts.query)],
                    "cookies": [{"name": k, "value": m.value} for k, m in cookies.items()],
                    "headersSize": -1, "bodySize": len(body or "")},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1",
                     "headers": [{"name": k, "value": v} for k, v in answer],
                     "cookies": [_cookie_item(v) for k, v in answer if k.lower() == "set-cookie"],
                     "content": {"size": len(text or ""), "mimeType": mime,
                                 **({"text": text} if text is not None else {})},
                     "redirectURL": dict(answer).get("Location", ""), "headersSize": -1, "bodySize": -1},
        "cache": {}, "timings": {"send": 0, "wait": 9, "receive": 1}}
    if body is not None:
        item["request"]["postData"] = {"mimeType": body_mime, "text": body}
    return item


def har_of(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                    "pages": [], "entries": list(entries)}}


def secret_forms(secret: str) -> set[str]:
    """Every form a recorded secret could take in a file or a terminal, written independently of
    the product's own guard: plain, URL-encoded, JSON-escaped, base64."""
    raw = secret.encode()
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1], base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode().rstrip("=")}


def assert_no_secret(text: str, secrets: set[str]) -> None:
    for secret in secrets:
        for form in secret_forms(secret):
            assert form not in text, "a secret from the recording was copied"
