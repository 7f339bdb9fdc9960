"""The bounded transport on its own: total time, body size, 429 waits, the run's deadline.

Live sandbox knobs (a dripping answer, a gzip bomb, rate limits); the sleep between tries is
recorded, never slept.
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from runner.deadline import Deadline
from runner.errors import NetworkError
from runner.sandbox import Sandbox
from runner.site.http import MAX_BODY_BYTES, Transport, retry_after


@pytest.fixture
def sb(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", "pw")
    return sandbox


def transport(sb: Sandbox, sleeps: list[float], timeout: float = 5.0,
              deadline: Deadline | None = None) -> Transport:
    return Transport(sb.url, timeout=timeout, sleep=sleeps.append, deadline=deadline)


def login(t: Transport) -> int:
    return t.send("GET", "/login", params={"username": "alice", "password": "pw"}).status_code


def test_a_dripping_answer_is_cut_at_the_total_timeout_not_waited_for(sb: Sandbox) -> None:
    sb.faults.drip_ms = 40  # each byte well within the read timeout, the whole far beyond it
    sleeps: list[float] = []
    t = transport(sb, sleeps, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(NetworkError) as err:
        login(t)
    assert str(err.value) == ("127.0.0.1 was still sending its answer to GET /login after 0.3 s "
                              "(site.timeout); not tried again")
    assert t.requests == 1 and sleeps == []  # a site that drips once drips again
    assert time.monotonic() - started < 0.3 * 1.5 + 0.2  # the clock allows half again


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_it_in_memory(sb: Sandbox) -> None:
    sb.faults.gzip_bomb = "login"
    sleeps: list[float] = []
    t = transport(sb, sleeps)
    tracemalloc.start()
    try:
        with pytest.raises(NetworkError) as err:
            login(t)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(err.value) == ("127.0.0.1's answer to GET /login is over 10 MB once decompressed; "
                              "stopped reading it")
    assert t.requests == 1 and sleeps == []  # a bomb is not retried
    assert peak < 3 * MAX_BODY_BYTES  # the 64 MB it inflates to never existed


def test_compressed_answers_are_read_as_usual(sb: Sandbox) -> None:
    sb.faults.gzip_answers = True
    t = transport(sb, [])
    assert login(t) == 200 and t.session.cookies.get("session")


def test_429_within_the_budget_waits_as_told_then_retries(sb: Sandbox) -> None:
    sb.faults.rate_limits = [5, None]
    sleeps: list[float] = []
    t = transport(sb, sleeps)
    assert login(t) == 200
    assert sleeps[0] == 5 and 1 <= sleeps[1] <= 3  # Retry-After, then backoff without one
    assert t.requests == 3


def test_429_asking_for_longer_than_the_budget_is_network_at_once(sb: Sandbox) -> None:
    sb.faults.rate_limits = [3600]
    sleeps: list[float] = []
    t = transport(sb, sleeps)
    with pytest.raises(NetworkError) as err:
        login(t)
    assert str(err.value) == ("127.0.0.1 asked to wait 3600 s before GET /login (429 Retry-After), "
                              "longer than this run can wait (60 s)")
    assert sleeps == [] and t.requests == 1


def test_429_every_time_ends_after_four_tries(sb: Sandbox) -> None:
    sb.faults.rate_limits = [1] * 10
    sleeps: list[float] = []
    with pytest.raises(NetworkError, match=r"kept limiting the rate of GET /login \(429, 4 tries\)"):
        login(transport(sb, sleeps))
    assert sleeps == [1, 1, 1]


def test_no_request_starts_after_the_run_deadline(sb: Sandbox) -> None:
    t = transport(sb, [], deadline=Deadline.after(0))
    with pytest.raises(NetworkError) as err:
        login(t)
    assert str(err.value) == ("the run's 0 s deadline (DAILYPLAN_RUN_DEADLINE) passed before "
                              "GET /login; this account was not finished, so check its plan by hand")
    assert t.requests == 0 and sb.log == []


def test_a_request_is_clipped_to_the_run_deadline(sb: Sandbox) -> None:
    sb.faults.latency_ms = 2000
    sleeps: list[float] = []
    t = transport(sb, sleeps, timeout=30, deadline=Deadline.after(0.3))
    started = time.monotonic()
    with pytest.raises(NetworkError, match="DAILYPLAN_RUN_DEADLINE"):
        login(t)
    assert time.monotonic() - started < 1.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("120") == 120
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 28 <= (retry_after(soon) or 0) <= 30
    assert retry_after(None) is None and retry_after("soon") is None and retry_after("") is None
