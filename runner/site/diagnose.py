"""``check``'s diagnosis: walk login → an authenticated read of today → parse, and at the first step
that does not fit, say what the site did and which ``[site]`` key to change.

A new user's config is wrong in one place, and "login failed" does not say which. Each step here
looks at what came back (the status, the cookies set, the shape of the page or the JSON) and
names the key that decides it: ``login: POST /login answered 200 and set no cookie "session"
(cookies set: JSESSIONID): set site.cookie_name``. Nothing is submitted; no secret, query string
or page is ever quoted, only short answers, names and counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import requests

from runner.config import Account, Config, Secret, Site
from runner.errors import RunnerError
from runner.site.auth import page_text
from runner.site.client import SiteClient
from runner.site.http import Transport
from runner.site.misfits import (
    Exchange,
    history_misfit,
    json_of,
    login_misfit,
    success_hint,
)
from runner.site.pages import Row
from runner.workday import today_in


class Misfit(Exception):
    """The first step that does not fit: the line to print."""


class _Recorder:
    """Keeps every exchange the client makes, so a failed step can be explained from what came back."""

    def __init__(self, transport: Transport) -> None:
        self.exchanges: list[Exchange] = []
        self._send = transport.send
        transport.send = self.send  # type: ignore[method-assign]

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        resp = self._send(method, path, **kwargs)
        self.exchanges.append(Exchange(method, path, resp))
        return resp

    def last(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None


@dataclass(frozen=True)
class Diagnosis:
    """``check``'s verdict on one account, and the history it read (to render the template with)."""

    line: str
    rows: list[Row] | None = None  # None: the history was not read

    @property
    def ready(self) -> bool:
        return self.line.startswith("ready")


def diagnose(config: Config, account: Account, secret: Secret, day: date | None = None) -> Diagnosis:
    """``ready (…)`` after an authenticated read parsed, else the first misfit and its key.

    The login and the read are the run's own (``SiteClient``), so what check calls ready is what a
    run will meet; the recorded answers only explain a step that failed.
    """
    site = config.site
    day = day or today_in(config.timezone)
    client = SiteClient(site, account.username, secret)
    recorder = _Recorder(client.transport)
    rows: list[Row] | None = None
    try:
        try:
            client.login()
        except RunnerError as exc:
            raise Misfit(login_misfit(site, client, secret, recorder.last(), exc)) from None
        logged_in = len(recorder.exchanges)
        try:
            rows = client.history(day - timedelta(days=site.lookback_days), day)
        except RunnerError as exc:
            after = recorder.exchanges[logged_in:]
            raise Misfit(history_misfit(site, secret, after[0] if after else None, exc)) from None
        if rows and site.history_end == "inclusive":
            _one_day_alone(client, rows[0].day)
        if rows and rows[0].day < day:
            _nothing_newer(client, site, rows[0].day, day)
        seen = [json_of(page_text(x.resp)) for x in recorder.exchanges]
        team = ""
        if config.workday.quorum:
            try:
                team = f"; team page: {client.team_count(day)} plans"
            except RunnerError as exc:
                raise Misfit(f"team: {exc}") from None
        today = len([r for r in rows if r.day == day])
        hint = success_hint(site, seen)
        return Diagnosis(f"ready (logged in with {secret.variable}; history read: {len(rows)} "
                         f"plan(s), {today} on {day}{team}){f'; but {hint}' if hint else ''}", rows)
    except Misfit as misfit:
        return Diagnosis(str(misfit), rows)
    except RunnerError as exc:  # a step after the read (the team page) failed on its own terms
        return Diagnosis(f"failed ({exc.reason}): {exc}", rows)
    finally:
        client.close()


def _one_day_alone(client: SiteClient, day: date) -> None:
    """``run`` believes 'no plan yet' only from a read of today alone (start = end): prove on the
    newest plan the range showed that such a read shows it. Many systems compare the end date
    with a time (``BETWEEN '2026-11-20' AND '2026-11-20'`` on a datetime), so a day alone is
    always empty there, and a run would submit over a plan already filed."""
    try:
        alone = client.history(day, day)
    except RunnerError as exc:
        raise Misfit(f"history: a read of {day} alone (start = end) failed ({exc.reason}): {exc}") from None
    if not any(r.day == day for r in alone):
        raise Misfit(f"history: the range shows a plan for {day}, but a read of {day} alone "
                     "(start = end) shows none: the site's end date leaves the day out; "
                     "set site.history_end = \"next-day\"")


def _nothing_newer(client: SiteClient, site: Site, newest: date, day: date) -> None:
    """A range answer paged oldest first shows the oldest page only: the previous plan quoted
    would be weeks old and every newer day reported missed. A read of the days after the newest
    plan shown must show nothing."""
    try:
        later = [r for r in client.history(newest + timedelta(days=1), day) if r.day > newest]
    except RunnerError as exc:
        raise Misfit(f"history: a read of {newest + timedelta(days=1)}..{day} failed "
                     f"({exc.reason}): {exc}") from None
    if later:
        shown = max(r.day for r in later)
        raise Misfit(f"history: the {site.lookback_days}-day read shows no plan after {newest}, but a read "
                     f"of the days after it shows one for {shown}: the answer is paged, oldest first; "
                     f"lower site.lookback_days until one page holds it (at most "
                     f"{max(1, site.lookback_days - (day - newest).days - 1)})")


