"""The GitHub REST calls notify makes, with GitHub's documented rules for retries and rate limits.

Reads are retried freely. Writes are not: a POST whose answer never came (a timeout, a dropped
connection, 502/503/504) may have landed, so before it is sent again a read asks whether it did
(the issue by title and label, the comment by the marker in its body). Rate limits follow
GitHub's best-practice page: wait as ``retry-after`` says; with ``x-ratelimit-remaining: 0`` wait
for ``x-ratelimit-reset`` when that is within a minute, else stop (one warning, the next run
catches up); a secondary limit without either header waits a minute; writes are at least a
second apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import requests

API_VERSION = "2022-11-28"
MAX_ATTEMPTS = 4
MAX_WAIT = 60.0  # a scheduled job waits at most a minute for a limit; longer is the next run's job
WRITE_GAP = 1.0  # "make requests serially, and wait at least one second between each" (writes)
GATEWAY = (502, 503, 504)
TIMEOUT = 30.0
UNKNOWN = (requests.ConnectionError, requests.Timeout)

Found = Callable[[], dict[str, Any] | None]


class GitHubError(Exception):
    """One failed API call, named by method, path and status: never the token, never a traceback."""

    def __init__(self, method: str, url: str, status: int, detail: str = "") -> None:
        self.status = status
        super().__init__(f"{method} {urlsplit(url).path} answered {status}{detail}")


class IssuesDisabled(GitHubError):
    """410 Gone: the repository has Issues turned off (the default in forks)."""


class RateLimited(GitHubError):
    """GitHub asks for a longer wait than a scheduled job should spend, or still limits after it."""


def limit_wait(response: requests.Response, now: float) -> float | None:
    """Seconds GitHub asks us to wait, or None when the answer is not a rate limit."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    if headers.get("retry-after", "").strip().isdigit():
        return float(headers["retry-after"])
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        return max(float(reset) - now, 0.0) if reset.isdigit() else MAX_WAIT
    if response.status_code == 429 or "rate limit" in response.text.lower():
        return MAX_WAIT  # a secondary limit that names no time: "wait at least one minute"
    return None


def _json(response: requests.Response) -> dict[str, Any]:
    """The answer's object; an empty or non-JSON success answer is an empty one, not a crash."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class GitHub:
    """The repository's REST API for one token: ``get`` retries, ``write`` never duplicates."""

    def __init__(self, api_url: str, repo: str, token: str, *, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.time, timeout: float = TIMEOUT) -> None:
        self.base = f"{api_url.rstrip('/')}/repos/{repo}"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": "dailyplan-notify",
                                     "Accept": "application/vnd.github+json",
                                     "X-GitHub-Api-Version": API_VERSION})
        self.sleep, self.now, self.timeout = sleep, now, timeout
        self.last_write: float | None = None

    def _url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.base + path_or_url

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, url, timeout=self.timeout, **kwargs)

    def _limited(self, method: str, url: str, response: requests.Response, attempt: int) -> bool:
        """Wait as GitHub asks and say True (try again), or raise when the wait is too long."""
        wait = limit_wait(response, self.now())
        if wait is None:
            return False
        if wait > MAX_WAIT or attempt == MAX_ATTEMPTS:
            raise RateLimited(method, url, response.status_code,
                              f", and asks for a wait of {wait:.0f} s" if wait > MAX_WAIT else "")
        self.sleep(max(wait, 1.0))
        return True

    def _checked(self, method: str, url: str, response: requests.Response) -> requests.Response:
        if response.status_code == 410:
            raise IssuesDisabled(method, url, 410)
        if response.status_code >= 400:
            raise GitHubError(method, url, response.status_code)
        return response

    def get(self, path_or_url: str, **params: Any) -> requests.Response:
        """A read: transport errors and gateways back off 1, 2, 4 s; rate limits as GitHub says."""
        url = self._url(path_or_url)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self._send("GET", url, params=params or None)
            except UNKNOWN:
                if attempt == MAX_ATTEMPTS:
                    raise
                self.sleep(float(2 ** (attempt - 1)))
                continue
            if self._limited("GET", url, response, attempt):
                continue
            if response.status_code in GATEWAY and attempt < MAX_ATTEMPTS:
                self.sleep(float(2 ** (attempt - 1)))
                continue
            return self._checked("GET", url, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def write(self, method: str, path: str, body: dict[str, Any],
              found: Found | None = None) -> dict[str, Any]:
        """POST or PATCH once; when the outcome is unknown, ``found`` (a read) decides whether to resend.

        Without ``found`` the write must be idempotent (a PATCH to a state), so resending is safe.
        """
        url = self._url(path)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self._pace()
            try:
                response = self._send(method, url, json=body)
            except UNKNOWN:
                response = None
            if response is not None and self._limited(method, url, response, attempt):
                continue  # a limited write was refused, not applied: sending it again is safe
            if response is not None and response.status_code not in GATEWAY:
                return _json(self._checked(method, url, response))
            if found is not None and (landed := found()) is not None:
                return landed
            if attempt == MAX_ATTEMPTS:
                if response is None:
                    raise requests.ConnectionError(f"{method} {urlsplit(url).path}: no answer")
                return _json(self._checked(method, url, response))
            self.sleep(float(2 ** (attempt - 1)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _pace(self) -> None:
        if self.last_write is not None:
            gap = WRITE_GAP - (self.now() - self.last_write)
            if gap > 0:
                self.sleep(gap)
        self.last_write = self.now()

    def pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a listing, following ``Link: next`` (at most 20 pages of 100)."""
        items: list[dict[str, Any]] = []
        url: str | None = path
        query: dict[str, Any] = {"per_page": 100, **params}
        for _ in range(20):
            if url is None:
                break
            response = self.get(url, **query)
            items.extend(response.json())
            url, query = response.links.get("next", {}).get("url"), {}
        return items

    def issues(self, label: str, state: str = "open", since: str | None = None) -> list[dict[str, Any]]:
        """Issues with the label, newest first, without the pull requests this endpoint also lists."""
        params = {"labels": label, "state": state, **({"since": since} if since else {})}
        return [i for i in self.pages("/issues", **params) if "pull_request" not in i]

    def comments(self, number: int) -> list[dict[str, Any]]:
        return self.pages(f"/issues/{number}/comments")

    def ensure_label(self, label: str) -> None:
        """Create the label once, with a colour and a description that say what it is for."""
        try:
            self.get(f"/labels/{quote(label, safe='')}")
            return
        except GitHubError as exc:
            if exc.status != 404:
                raise
        try:
            self.write("POST", "/labels", {"name": label, "color": "d93f0b",
                                           "description": "dailyplan failures, kept by the workflow"},
                       found=lambda: self._label(label))
        except GitHubError as exc:
            if exc.status != 422:  # 422: it exists (a concurrent run, or our own lost answer)
                raise

    def _label(self, label: str) -> dict[str, Any] | None:
        try:
            return self.get(f"/labels/{quote(label, safe='')}").json()
        except GitHubError:
            return None

    def run_jobs(self, run_id: str, attempt: str) -> list[dict[str, Any]]:
        """The jobs of this workflow run attempt (needs ``actions: read``)."""
        answer = self.get(f"/actions/runs/{run_id}/attempts/{attempt}/jobs", per_page=100).json()
        return answer.get("jobs", []) if isinstance(answer, dict) else []
