"""A heartbeat for an outside watcher (healthchecks.io's protocol): the one signal that survives a
run that never started.

A disabled schedule, the 60-day rule or an offline runner leaves no red run and no email; a
watcher that expects a ping every day and hears none does email. So a run pings
``<url>/start`` when it begins, ``<url>`` when it ends healthy and ``<url>/fail`` when an account
failed, each with a short plain-text body: one ``id status [reason]`` line per account, never a
message (it may quote the site), a plan, a secret or the team system's host. Bounded: a couple of
seconds per attempt, one retry; a watcher that cannot be reached is a warning, never a failed run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from runner.result import RunResult

VARIABLE = "DAILYPLAN_HEARTBEAT_URL"  # read and checked by runner.inputs, like every variable
TIMEOUT = (2.0, 2.0)  # connect, read: a watcher is never worth more than a few seconds of a run
ATTEMPTS = 2


def body(result: RunResult) -> str:
    lines = [f"dailyplan {result.date}"]
    lines += [f"{a.id} {a.status}" + (f" {a.reason}" if a.reason else "") for a in result.accounts]
    return "\n".join(lines) + "\n"


class Heartbeat:
    """``start()`` then ``finish(result)``; both do nothing when no URL is configured."""

    def __init__(self, url: str | None, warn: Callable[[str], None]) -> None:
        self.url, self.warn = (url or "").rstrip("/"), warn
        self.rid = str(uuid.uuid4())  # pairs /start with its end, so the watcher measures the run
        self.reachable = True

    @property
    def where(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}"  # never the path: it is the check's key

    def start(self) -> None:
        self._ping("/start", "dailyplan run started\n")

    def finish(self, result: RunResult) -> None:
        self._ping("/fail" if result.failed else "", body(result))

    def _ping(self, suffix: str, text: str) -> None:
        if not self.url:
            return
        tries = ATTEMPTS if self.reachable else 1  # a watcher that was down at start gets one try
        for attempt in range(1, tries + 1):
            try:
                with requests.post(f"{self.url}{suffix}", params={"rid": self.rid}, timeout=TIMEOUT,
                                   data=text.encode("utf-8"), stream=True,
                                   headers={"Content-Type": "text/plain; charset=utf-8"}) as response:
                    if response.status_code < 500 or attempt == tries:
                        if response.status_code >= 400:
                            self.warn(f"heartbeat: {self.where} answered {response.status_code} to the "
                                      f"{suffix.strip('/') or 'success'} ping; check {VARIABLE}")
                        return
            except requests.RequestException as exc:
                if attempt == tries:
                    self.reachable = False
                    self.warn(f"heartbeat: {self.where} is out of reach ({exc.__class__.__name__}); the "
                              f"{suffix.strip('/') or 'success'} ping was not delivered, the run goes on")
