"""Shared fixtures: the in-process sandbox and the one place cassettes are scrubbed.

Every cassette passes through ``vcr_config`` on its way to disk, so a credential can only reach
a cassette by getting past this file; ``tests/test_cassettes.py`` greps them all to prove none did.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from runner.sandbox import Sandbox

REDACTED = "REDACTED"
_SECRET_KEYS = ("password", "token", "access_token")
_TOKEN_IN_TEXT = re.compile(r'("(?:token|access_token|password)"\s*:\s*)"[^"]*"')


def _scrub_body(body: Any) -> Any:
    """Blank credentials in JSON or form bodies, whichever way they were written."""
    if not body:
        return body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    scrubbed = _TOKEN_IN_TEXT.sub(rf'\1"{REDACTED}"', text)
    scrubbed = re.sub(r"(^|&)(password|token)=[^&]*", rf"\1\2={REDACTED}", scrubbed)
    if scrubbed == text:
        return body
    return scrubbed.encode() if isinstance(body, bytes) else scrubbed


def scrub_request(request: Any) -> Any:
    request.body = _scrub_body(request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() == "set-cookie":  # keep the cookie's name: replay needs it to log in
            headers[name] = [re.sub(r"^([^=]+)=[^;]*", rf"\1={REDACTED}", v) for v in headers[name]]
    body = response.get("body", {})
    if "string" in body:
        body["string"] = _scrub_body(body["string"])
    return response


@pytest.fixture(autouse=True)
def _no_cron_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Captured output is a pipe, which the runner takes for cron; tests of cron turn it back on."""
    monkeypatch.setattr("runner.output.STAMP_WHEN_PIPED", False)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Scrub on the way to disk; match without host and port, since the sandbox's port is random."""
    return {
        "filter_headers": [("authorization", REDACTED), ("cookie", REDACTED)],
        "filter_query_parameters": [(key, REDACTED) for key in _SECRET_KEYS],
        "filter_post_data_parameters": [(key, REDACTED) for key in _SECRET_KEYS],
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        "match_on": ["method", "path", "query", "body"],
    }


@pytest.fixture
def sandbox():
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries wait in tests without sleeping: every wait tenacity asks for is recorded instead."""
    waited: list[float] = []
    monkeypatch.setattr("runner.site.http.RETRY_SLEEP", waited.append)
    return waited
