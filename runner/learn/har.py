"""Read a HAR 1.2 recording into plain entries, or refuse it in one line (exit 2).

Browsers write HAR in slightly different ways (Chrome's ``_resourceType``, Firefox's base64 for
some text, sanitized exports without cookies), so this module is the one place that knows the
format; everything downstream sees :class:`Entry` only.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from runner.errors import UsageError

HOW_TO_EXPORT = "in the Network panel choose Export HAR (Chrome/Edge) or Save All As HAR (Firefox)"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Entry:
    """One request and its answer, as the recording holds them (1-based ``index``)."""

    index: int
    method: str
    url: str
    request_headers: _Pairs = ()
    request_cookies: _Pairs = ()
    body_mime: str = ""
    body: str | None = None  # postData.text as recorded (form bodies stay percent-encoded)
    status: int = 0
    response_headers: _Pairs = ()
    response_cookies: _Pairs = ()
    mime: str = ""
    content: str | None = None  # the answer as text (base64 undone, charset applied); None: not saved
    resource_type: str = ""

    @property
    def text(self) -> str:
        return self.content or ""

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.lower()

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        """The path without ``;jsessionid=…`` (a session a Java app may write into its URLs)."""
        return re.sub(r";[^/]*", "", urlsplit(self.url).path) or "/"

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def where(self) -> str:
        """How comments and messages name this entry: ``entry 7: POST /plan/save``."""
        return f"entry {self.index}: {self.method} {self.path}"

    def header(self, name: str, *, response: bool = False) -> str:
        pairs = self.response_headers if response else self.request_headers
        return next((v for k, v in pairs if k.lower() == name.lower()), "")

    def headers_named(self, name: str, *, response: bool = False) -> list[str]:
        pairs = self.response_headers if response else self.request_headers
        return [v for k, v in pairs if k.lower() == name.lower()]


def load(path: Path) -> list[Entry]:
    """Every entry of the recording, or UsageError saying what is wrong with the file."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"recording {name} not found; pass the .har file the browser saved") from None
    except OSError as exc:
        raise UsageError(f"cannot read recording {name}: {exc.__class__.__name__}") from None
    return parse(raw, name)


def parse(raw: bytes, name: str) -> list[Entry]:
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text.strip():
        raise UsageError(f"{name} is empty; record again and {HOW_TO_EXPORT}")
    if not text.lstrip().startswith("{"):
        raise UsageError(f"{name} is not a HAR recording (not JSON); {HOW_TO_EXPORT}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1:
            raise UsageError(f"{name} is truncated (the JSON stops after {len(raw)} bytes); "
                             f"let the browser finish saving, or {HOW_TO_EXPORT} again") from None
        raise UsageError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}); "
                         f"{HOW_TO_EXPORT} again") from None
    log = data.get("log") if isinstance(data, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"{name} is JSON but not a HAR recording (no log.entries); {HOW_TO_EXPORT}")
    if not entries:
        raise UsageError(f"{name} holds no requests; turn on Preserve log, start recording before "
                         "you log in, then export")
    return [_entry(i, item, name) for i, item in enumerate(entries, 1)]


def _entry(index: int, item: Any, name: str) -> Entry:
    request = item.get("request") if isinstance(item, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("url"), str) \
            or not isinstance(request.get("method"), str):
        raise UsageError(f"{name}: entry {index} has no request method and URL, so this is not a "
                         f"HAR as browsers save it; {HOW_TO_EXPORT} again")
    response = item.get("response") if isinstance(item.get("response"), dict) else {}
    post = request.get("postData") if isinstance(request.get("postData"), dict) else {}
    content = response.get("content") if isinstance(response.get("content"), dict) else {}
    return Entry(
        index=index,
        method=request["method"].upper(),
        url=request["url"],
        request_headers=_pairs(request.get("headers")),
        request_cookies=_pairs(request.get("cookies")),
        body_mime=str(post.get("mimeType") or ""),
        body=_body(post),
        status=_int(response.get("status")),
        response_headers=_pairs(response.get("headers")),
        response_cookies=_pairs(response.get("cookies")),
        mime=str(content.get("mimeType") or ""),
        content=_content(content, _headers_mime(response)),
        resource_type=str(item.get("_resourceType") or ""),
    )


def _pairs(items: Any) -> _Pairs:
    if not isinstance(items, list):
        return ()
    return tuple((str(i.get("name", "")), str(i.get("value", ""))) for i in items
                 if isinstance(i, dict) and i.get("name") is not None)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _body(post: dict[str, Any]) -> str | None:
    if isinstance(post.get("text"), str):
        return post["text"]
    params = _pairs(post.get("params"))  # some exports give only the parsed form fields
    return "&".join(f"{k}={v}" for k, v in params) if params else None


def _headers_mime(response: dict[str, Any]) -> str:
    return next((v for k, v in _pairs(response.get("headers")) if k.lower() == "content-type"), "")


def _content(content: dict[str, Any], header_mime: str) -> str | None:
    """The answer as text. Browsers store text as text, and bytes (or some text) as base64."""
    text = content.get("text")
    if not isinstance(text, str):
        return None
    if content.get("encoding") != "base64":
        return text.removeprefix("\ufeff")
    try:
        raw = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return None
    declared = re.search(r"charset=([A-Za-z0-9_-]+)", f"{content.get('mimeType') or ''} {header_mime}")
    meta = _META_CHARSET.search(raw[:2048])
    charset = declared.group(1) if declared else meta.group(1).decode() if meta else "utf-8"
    try:
        return raw.decode(charset).removeprefix("\ufeff")
    except (LookupError, UnicodeDecodeError):
        return None  # an image, a font: nothing a plan can be in
