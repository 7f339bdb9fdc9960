"""The heartbeat against a local listener in healthchecks.io's protocol: start, success, fail.

The listener records every ping (path, query, body). A watcher that cannot be reached, answers
late or answers 5xx costs a bounded few seconds and leaves the run's exit code alone.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from runner import heartbeat
from runner.cli import main
from runner.sandbox import Sandbox

PASSWORD = "pw-alice-CANARY-beat"


class Watcher:
    """A healthchecks.io stand-in: ``pings`` holds (path, rid, body); ``status``/``delay`` misbehave."""

    def __init__(self) -> None:
        self.pings: list[tuple[str, str, str]] = []
        self.status = 200
        self.delay = 0.0
        watcher = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                watcher.pings.append((parts.path, parse_qs(parts.query).get("rid", [""])[0], body))
                time.sleep(watcher.delay)
                try:
                    self.send_response(watcher.status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ping/0b5e-check"

    def __enter__(self) -> Watcher:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def watcher() -> Iterator[Watcher]:
    with Watcher() as w:
        yield w


@pytest.fixture
def alice(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", PASSWORD, plans={"2026-11-19": "2026.11.19\n修复登录 bug"})
    return sandbox


def env_for(sb: Sandbox, url: str, password: str = PASSWORD) -> dict[str, str]:
    config = f'[site]\nbase_url = "{sb.url}"\n\n[[accounts]]\nid = "alice"\nusername = "alice"\nplan = "秘密计划"\n'
    return {"DAILYPLAN_CONFIG": config, "DAILYPLAN_PASSWORD": password, "DAILYPLAN_HEARTBEAT_URL": url}


def test_a_healthy_run_pings_start_then_success_with_one_line_per_account(alice, watcher, capsys):
    assert main(["run", "--date", "2026-11-20"], env_for(alice, watcher.url)) == 0

    assert [(path, body) for path, _, body in watcher.pings] == [
        ("/ping/0b5e-check/start", "dailyplan run started\n"),
        ("/ping/0b5e-check", "dailyplan 2026-11-20\nalice submitted\n")]
    start_rid, end_rid = (rid for _, rid, _ in watcher.pings)
    assert start_rid and start_rid == end_rid  # the watcher pairs them and measures the run
    assert "heartbeat" not in capsys.readouterr().err


def test_a_failed_run_pings_fail_with_the_reason_and_nothing_private(alice, watcher, capsys):
    assert main(["run", "--date", "2026-11-20"], env_for(alice, watcher.url, "wrong")) == 1

    assert [(path, body) for path, _, body in watcher.pings][1] == (
        "/ping/0b5e-check/fail", "dailyplan 2026-11-20\nalice failed auth\n")
    host = alice.url.split("://")[1]
    for _, _, body in watcher.pings:
        assert host not in body and "wrong" not in body and "秘密计划" not in body


def test_a_day_off_is_healthy(alice, watcher):
    assert main(["run", "--date", "2026-11-21"], env_for(alice, watcher.url)) == 0
    assert watcher.pings[-1][0] == "/ping/0b5e-check"
    assert watcher.pings[-1][2] == "dailyplan 2026-11-21\nalice skipped weekend\n"


def test_a_dry_run_or_no_url_pings_nothing(alice, watcher):
    assert main(["run", "--date", "2026-11-20", "--dry-run"], env_for(alice, watcher.url)) == 0
    assert main(["run", "--date", "2026-11-20"], {**env_for(alice, ""), "DAILYPLAN_HEARTBEAT_URL": ""}) == 0
    assert watcher.pings == []


@pytest.mark.parametrize("url", ["hc-ping.com/abc", "ftp://hc-ping.com/abc", "https://"])
def test_a_url_that_is_not_http_is_exit_2_before_any_account_runs(alice, url, capsys):
    assert main(["run", "--date", "2026-11-20"], env_for(alice, url)) == 2

    assert capsys.readouterr().err == (
        "error: DAILYPLAN_HEARTBEAT_URL is (hidden); use an http(s) URL such as "
        "https://hc-ping.com/<uuid>; copy it from the check's page, or unset it\n")
    assert alice.log == []


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(heartbeat, "TIMEOUT", (0.3, 0.3))
    return 0.3


@pytest.mark.catalogue("fault", "the heartbeat watcher out of reach",
                       "one warning per ping, bounded time, the run stays green")
def test_an_unreachable_watcher_costs_seconds_and_leaves_the_run_green(alice, quick, capsys):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()

    assert main(["run", "--date", "2026-11-20"], env_for(alice, f"http://127.0.0.1:{port}/abc")) == 0

    assert time.monotonic() - started < 5
    assert [line for line in capsys.readouterr().err.splitlines() if "heartbeat" in line] == [
        "warning: heartbeat: http://127.0.0.1 is out of reach (ConnectionError); the start ping was "
        "not delivered, the run goes on",
        "warning: heartbeat: http://127.0.0.1 is out of reach (ConnectionError); the success ping "
        "was not delivered, the run goes on"]
    assert "2026-11-20" in alice.plans["alice"]


@pytest.mark.catalogue("fault", "a heartbeat watcher that never answers",
                       "two tries of a fraction of a second at start, one at the end; the run stays green")
def test_a_slow_watcher_is_given_up_on_quickly(alice, watcher, quick, capsys):
    watcher.delay = 2.0
    started = time.monotonic()

    assert main(["run", "--date", "2026-11-20"], env_for(alice, watcher.url)) == 0

    elapsed = time.monotonic() - started
    assert elapsed < 3 * (2 * quick) + 1.5, elapsed  # 2 tries at start, 1 at the end, each ≤ connect+read
    assert [p for p, _, _ in watcher.pings] == ["/ping/0b5e-check/start"] * 2 + ["/ping/0b5e-check"]
    err = capsys.readouterr().err
    assert "warning: heartbeat: http://127.0.0.1 is out of reach (ReadTimeout); the start ping" in err


def test_a_watcher_error_is_retried_once_then_a_warning(alice, watcher, capsys):
    watcher.status = 503

    assert main(["run", "--date", "2026-11-20"], env_for(alice, watcher.url)) == 0

    assert len(watcher.pings) == 4
    assert ("warning: heartbeat: http://127.0.0.1 answered 503 to the success ping; check "
            "DAILYPLAN_HEARTBEAT_URL") in capsys.readouterr().err


def test_the_body_lists_every_account(tmp_path: Path):
    from datetime import date

    from runner.result import AccountResult, RunResult
    from runner.status import Reason, Status

    result = RunResult(date(2026, 11, 20), "Asia/Shanghai", [
        AccountResult("alice", Status.SUBMITTED, None, "submitted and read back"),
        AccountResult("bob", Status.FAILED, Reason.NETWORK, "http://10.0.0.5 timed out")])
    assert heartbeat.body(result) == "dailyplan 2026-11-20\nalice submitted\nbob failed network\n"
