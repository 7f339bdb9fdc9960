"""The transport under the site client: one session, one bounded request at a time, retried when safe.

It knows nothing of logins or pages: it sends a request, retries connection errors, timeouts,
502/503/504 and 429 (as long as its ``Retry-After`` fits the budget) with backoff, counts every
request it makes (the result reports them), and turns any failure into one ``NetworkError`` line.

Every request is bounded twice over: ``site.timeout`` for the whole exchange (connect to last
byte, not just between bytes, so a server dripping a byte at a time cannot hold the run) and
``MAX_BODY_BYTES`` after decompression (so a small gzip bomb cannot eat the machine's memory).
Both are clipped to the run's own deadline. Messages never include a URL: the reference system's
login puts the password in the query string, and requests' exceptions would happily print it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn
from urllib.parse import urlsplit

import requests
import tenacity
import urllib3
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay

from runner import __version__
from runner.deadline import Deadline
from runner.errors import NetworkError
from runner.site.watchdog import WatchedAdapter, watch

TRANSIENT_STATUSES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 4
MAX_RETRY_SECONDS = 60.0  # all the waiting one request may do between its tries
CONNECT_TIMEOUT = 10.0
MAX_BODY_BYTES = 10 * 1024 * 1024  # after decompression; the reference pages are a few KB
CHUNK_BYTES = 64 * 1024
RETRY_SLEEP: Callable[[float], None] = tenacity.nap.sleep  # looked up per call: tests replace it
USER_AGENT = f"dailyplan/{__version__}"
_backoff = tenacity.wait_exponential_jitter(initial=1, max=8, jitter=1)


class _Transient(Exception):
    """A gateway hiccup or a rate limit worth another try; NetworkError when the tries run out."""

    def __init__(self, status: int, wait: float | None = None) -> None:
        super().__init__(status)
        self.status, self.wait = status, wait


class _Slow(Exception):
    """The answer was still arriving when the request's total time ran out.

    Never retried: a site that drips once drips again, and four tries of ``site.timeout`` each
    would hold the run (and the cron lock) four times as long for nothing.
    """


class Transport:
    """Owns one account's ``requests.Session``; ``send`` makes one bounded request, retried when safe.

    Cookies and headers (a bearer token) live on ``session``, so the client above sets them there.
    ``deadline`` is the run's: no request starts after it, none runs past it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        ca_bundle: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.deadline = deadline
        self.requests = 0
        self.retries = 0  # tries after the first, over every request: the message says so
        self.host = urlsplit(base_url).hostname or "the site"
        if session is None:  # a session given (a test's adapter) keeps its own adapters
            session = requests.Session()
            session.mount("http://", WatchedAdapter())  # so a try's clock can cut its socket
            session.mount("https://", WatchedAdapter())
        self.session = session
        self.session.headers["User-Agent"] = USER_AGENT
        # Proxies and CA bundles from the environment are read once here, not on every request
        # (requests re-reads the whole environment per call when trust_env is on).
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(base_url))
        if ca_bundle:  # a company CA (REQUESTS_CA_BUNDLE reaches site.ca_bundle via inputs.py)
            self.session.verify = ca_bundle  # never a switch to turn verification off
        self._sleep = sleep

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request to ``base_url + path``, retried on transient failures; never follows redirects."""
        what = f"{method} {path}"
        retryer = Retrying(
            retry=retry_if_exception_type((requests.ConnectionError, requests.Timeout, _Transient)),
            stop=stop_after_attempt(MAX_ATTEMPTS) | stop_before_delay(MAX_RETRY_SECONDS)
            | self._stop_at_deadline,
            wait=_wait,
            reraise=True,
            sleep=self._sleep or RETRY_SLEEP,
        )
        try:
            for attempt in retryer:
                if attempt.retry_state.attempt_number > 1:
                    self.retries += 1
                with attempt:
                    return self._once(method, path, what, retryer, **kwargs)
        except _Transient as exc:
            if exc.status == 429:
                raise NetworkError(f"{self.host} kept limiting the rate of {what} (429, "
                                   f"{_tries(retryer.statistics)}); try again later") from None
            raise NetworkError(f"{self.host} kept answering {exc.status} to {what} "
                               f"({_tries(retryer.statistics)})") from None
        except _Slow:
            raise NetworkError(f"{self.host} was still sending its answer to {what} after "
                               f"{self.timeout:g} s (site.timeout); not tried again") from None
        except requests.Timeout:
            raise NetworkError(f"{self.host} did not answer {what} within "
                               f"{self.timeout:g} s ({_tries(retryer.statistics)})") from None
        except requests.exceptions.SSLError:
            raise NetworkError(f"TLS verification failed for {self.host}; if it uses a company "
                               "CA, set site.ca_bundle to its certificate file") from None
        except requests.ConnectionError:
            raise NetworkError(f"could not connect to {self.host} for {what} "
                               f"({_tries(retryer.statistics)})") from None
        except requests.RequestException as exc:
            raise NetworkError(f"{what} failed: {exc.__class__.__name__}") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _once(self, method: str, path: str, what: str, retryer: Retrying,
              **kwargs: Any) -> requests.Response:
        """One try: the whole exchange, connect to last byte, within ``site.timeout`` (or less)."""
        budget = self.timeout
        if self.deadline is not None:
            if self.deadline.passed():
                raise NetworkError(self.deadline.why(what))
            budget = min(budget, self.deadline.remaining())
        ends = time.monotonic() + budget
        self.requests += 1
        # The clock covers the headers too; it fires a little after the read timeout would, so a
        # silent site is reported as silent, a dripping one as too slow.
        with watch(budget + min(1.0, budget / 2)) as clock:
            try:
                resp = self.session.request(method, self.base_url + path, allow_redirects=False,
                                            stream=True, timeout=(min(CONNECT_TIMEOUT, budget), budget),
                                            **kwargs)
                try:
                    resp._content = self._body(resp, ends, what)
                finally:
                    resp.close()
            except requests.Timeout:  # the socket's own timeout: nothing came for that long
                self._over_time(what, requests.Timeout)
            except requests.RequestException:
                if clock.fired:  # the cut socket, not the site, ended the exchange
                    self._over_time(what)
                raise
        if time.monotonic() > ends:
            self._over_time(what)
        if resp.status_code == 429:
            wait = retry_after(resp.headers.get("Retry-After"))
            spent = retryer.statistics.get("delay_since_first_attempt", 0.0)
            room = MAX_RETRY_SECONDS - spent
            if self.deadline is not None:
                room = min(room, self.deadline.remaining())
            if wait is not None and wait > room:
                raise NetworkError(f"{self.host} asked to wait {wait:.0f} s before {what} (429 "
                                   f"Retry-After), longer than this run can wait ({max(room, 0):.0f} s)")
            raise _Transient(429, wait)
        if resp.status_code in TRANSIENT_STATUSES:
            raise _Transient(resp.status_code)
        return resp

    def _body(self, resp: requests.Response, ends: float, what: str) -> bytes:
        """Read the body decompressed, a chunk at a time, against the clock and the size cap."""
        chunks: list[bytes] = []
        size = 0
        raw = resp.raw
        # read1 returns what one socket read brings, so the clock is checked between drips; a raw
        # stream that is not urllib3's (an adapter, a recorded cassette) has only read().
        def read() -> bytes:
            if isinstance(raw, urllib3.BaseHTTPResponse):
                return raw.read1(CHUNK_BYTES, decode_content=True)
            return raw.read(CHUNK_BYTES)

        while True:
            if time.monotonic() > ends:
                self._over_time(what)
            try:
                chunk = read()
            except urllib3.exceptions.ReadTimeoutError:
                raise requests.ReadTimeout() from None
            except urllib3.exceptions.DecodeError:
                raise NetworkError(f"{self.host}'s answer to {what} could not be decompressed "
                                   "(a broken gzip or deflate body)") from None
            except (urllib3.exceptions.ProtocolError, OSError):
                raise requests.ConnectionError() from None
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise NetworkError(f"{self.host}'s answer to {what} is over "
                                   f"{MAX_BODY_BYTES // (1024 * 1024)} MB once decompressed; "
                                   "stopped reading it")
            chunks.append(chunk)

    def _over_time(self, what: str, kind: type[Exception] = _Slow) -> NoReturn:
        """Out of time: the run's deadline says so in its own words, else a retryable timeout."""
        if self.deadline is not None and self.deadline.passed():
            raise NetworkError(self.deadline.why(f"{self.host} finished answering {what}"))
        raise kind()

    def _stop_at_deadline(self, state: tenacity.RetryCallState) -> bool:
        """No wait that would outlast the run: better a clear failure than a killed run."""
        return self.deadline is not None and self.deadline.remaining() <= (state.upcoming_sleep or 0)

    def close(self) -> None:
        self.session.close()


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number or an HTTP date; None when missing or unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _wait(state: tenacity.RetryCallState) -> float:
    """What the site asked for (429 ``Retry-After``), else exponential backoff with jitter."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _Transient) and exc.wait is not None:
        return exc.wait
    return _backoff(state)


def _tries(stats: dict[str, Any]) -> str:
    n = stats.get("attempt_number", MAX_ATTEMPTS)
    return f"{n} {'try' if n == 1 else 'tries'}"
