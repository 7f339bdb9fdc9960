"""One account's day, start to finish, and all accounts side by side.

The steps follow the order a careful person would take: is it a workday for me, is my plan
already there (asked of today alone: a wider read can only prove it is; then leave it alone), do
enough teammates think it is a workday, render, submit, and read it back, because a "修改成功" is
a claim, not a proof, and a refusal is only believed once the read-back agrees.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from runner.audit import filed_days, missed_days
from runner.config import Account, Config, Secret
from runner.deadline import Deadline
from runner.errors import Interrupted, NetworkError, Rejected, RunnerError, SiteChanged, VerifyError
from runner.interrupt import result_of, settle
from runner.month import MonthView, month_view
from runner.plan import context_for, normalize, previous_plan, render
from runner.result import AccountResult, RunResult
from runner.site.client import SiteClient, jwt_expiry
from runner.site.pages import Row
from runner.status import Notice, Reason, Status

TOKEN_WARN_DAYS = 7


@dataclass(frozen=True)
class Options:
    day: date
    dry_run: bool = False
    force: bool = False
    debug: bool = False
    deadline: Deadline | None = None  # the run's; requests are clipped to it
    stop: threading.Event = field(default_factory=threading.Event, compare=False)  # set on Ctrl-C


ClientFactory = Callable[[Config, Account, Secret, Deadline | None], SiteClient]


def default_client(config: Config, account: Account, secret: Secret,
                   deadline: Deadline | None) -> SiteClient:
    return SiteClient(config.site, account.username, secret, deadline=deadline)


def run_all(
    config: Config,
    accounts: list[Account],
    secrets: dict[str, Secret],
    opts: Options,
    client_factory: ClientFactory = default_client,
) -> RunResult:
    """Accounts run in a bounded pool: one slow or failing account never holds up the others.

    On Ctrl-C (or SIGTERM, see ``runner.interrupt``) accounts not yet started never start, those
    running stop before their submit (one already sent is read back and reported), and every
    account still gets a result: the run must say what was and was not filed.
    """
    pool = ThreadPoolExecutor(max_workers=config.workers(len(accounts)), thread_name_prefix="account")
    futures = [pool.submit(run_account, config, a, secrets.get(a.id), opts, client_factory)
               for a in accounts]
    try:
        results = [result_of(f) for f in futures]
    except KeyboardInterrupt:
        opts.stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        results = settle(accounts, futures, opts.day)
    finally:
        pool.shutdown(wait=False)
    return RunResult(opts.day, config.timezone, results)


@dataclass(frozen=True)
class Outcome:
    """What one account's day came to; ``run_account`` turns it into the result, once."""

    status: Status
    reason: Reason | None
    message: str
    previous_date: date | None = None
    plan: str | None = None
    audit: Audit | None = None  # what the history read showed of recent days, when it was read
    warning: str | None = None  # a success that deserves a second look


def run_account(
    config: Config,
    account: Account,
    secret: Secret | None,
    opts: Options,
    client_factory: ClientFactory = default_client,
) -> AccountResult:
    started = time.monotonic()
    warnings: list[str] = []
    client: SiteClient | None = None
    requests: int | None = None
    retries = 0
    try:
        decision = config.decider(account)(opts.day)
        if decision.warning:
            warnings.append(decision.warning)
        if decision.off:
            outcome = Outcome(Status.SKIPPED, decision.off, decision.why)
            requests = 0
        elif secret is None:  # the CLI checks secrets first; here for direct callers
            raise RunnerError(f"no secret for account {account.id}")
        else:
            if secret.kind == "token":
                warnings.extend(token_warnings(secret))
            client = client_factory(config, account, secret, opts.deadline)
            outcome = _submit_day(config, account, opts, client)
    except RunnerError as exc:
        outcome = Outcome(Status.FAILED, exc.reason, str(exc))
    except Exception as exc:  # a bug: report it on this account, keep the others running
        if opts.debug:
            traceback.print_exc(file=sys.stderr)
        outcome = Outcome(Status.FAILED, Reason.INTERNAL,
                          f"unexpected {exc.__class__.__name__}; rerun with --debug and report it")
    finally:
        if client is not None:
            requests, retries = client.requests, client.retries
            client.close()
    if outcome.warning:
        warnings.append(outcome.warning)
    outcome = _with_retries(outcome, retries)
    return AccountResult(account.id, outcome.status, outcome.reason, outcome.message,
                         previous_date=outcome.previous_date, requests=requests,
                         seconds=time.monotonic() - started, github=account.github,
                         plan=outcome.plan, warnings=warnings,
                         missed=list(outcome.audit.missed) if outcome.audit else None,
                         filed=sorted(outcome.audit.filed) if outcome.audit else None,
                         month=outcome.audit.month if outcome.audit else None)


@dataclass(frozen=True)
class Audit:
    """The recent days the ranged history read showed: for the missed-day audit and the month view."""

    filed: frozenset[date]
    missed: tuple[date, ...]
    month: MonthView


def _audit(config: Config, account: Account, day: date, rows: list[Row], outcome: Outcome) -> Audit:
    filed = filed_days(rows)
    if outcome.status == Status.SUBMITTED:
        filed |= {day}  # read back a moment ago
    decide = config.decider(account)
    return Audit(filed, tuple(missed_days(filed, day, decide, config.workday.audit_days)),
                 month_view(day.year, day.month, filed, day, decide))


def _submit_day(config: Config, account: Account, opts: Options, client: SiteClient) -> Outcome:
    client.login()
    rows = client.history(opts.day - timedelta(days=config.site.lookback_days), opts.day)
    outcome = _file_plan(config, account, opts, client, rows)
    return replace(outcome, audit=_audit(config, account, opts.day, rows, outcome))


def _file_plan(config: Config, account: Account, opts: Options, client: SiteClient,
               rows: list[Row]) -> Outcome:
    day = opts.day
    # The ranged read may prove a plan is there, never that it is not: a paged or oldest-first
    # answer can leave today out. Absence is only ever read from a query for today alone.
    existing = _plan_on(rows, day)
    if existing is None:
        existing = _plan_on(exact_day(client.history(day, day), day), day)
    previous = previous_plan(rows, day)
    previous_date = previous.day if previous else None

    if existing is not None and not opts.force:
        return Outcome(Status.SKIPPED, Reason.ALREADY_SUBMITTED,
                       f"a plan for {day} is already there; left untouched (--force replaces it)",
                       previous_date)
    if config.workday.quorum:
        count = client.team_count(day)
        if count < config.workday.quorum:
            return Outcome(Status.SKIPPED, Reason.QUORUM,
                           f"{count} of the required {config.workday.quorum} teammates have a plan "
                           f"for {day}; not a workday for the team yet", previous_date)

    text = render(account.template, context_for(account, day, previous.text if previous else "",
                                                previous_date))
    if opts.dry_run:
        verb = "would replace the plan" if existing is not None else "would submit"
        return Outcome(Status.PREVIEWED, None, f"dry run: {verb} for {day}; nothing was sent",
                       previous_date, text)

    for attempt in (1, 2):
        refused = _submit(client, day, text, opts.stop)
        try:
            stored = _plan_on(exact_day(client.history(day, day), day), day)
        except NetworkError:
            if isinstance(refused, NetworkError):  # the submit's own error says more
                raise refused from None
            raise
        if stored is not None and normalize(stored) == normalize(text):
            how = "replaced the existing plan" if existing is not None else "submitted"
            again = " on the second try" if attempt == 2 else ""
            alone = "" if previous else (f"; no earlier plan in the last {config.site.lookback_days} "
                                         "days, so none was quoted")
            return Outcome(Status.SUBMITTED, None, f"{how} and read back{again}{alone}",
                           previous_date, text, warning=_unexpected_success(refused, config))
        if refused is not None:  # a no, and the read-back agrees: never resubmitted
            found = "no plan" if stored is None else "a different plan"
            if isinstance(refused, NetworkError):
                raise NetworkError(f"{refused}; reading {day} back shows {found} there")
            raise Rejected(f"{refused}; reading {day} back shows {found} there", refused.answer)
    raise VerifyError(f"the site accepted the plan for {day} but reading it back shows "
                      f"{'nothing' if stored is None else 'different text'}, twice; check it by hand")


def _submit(client: SiteClient, day: date, text: str,
            stop: threading.Event) -> Rejected | NetworkError | None:
    """Submit; a refusal or an error is returned, not raised: it is only believed after a read-back.

    Sites answer success in ways ``site.success_text`` does not foresee (a BOM, a JSON object, a
    redirect), and a submit that timed out or met a 500 may have been stored all the same; the
    plan being there, identical, is the proof that counts. After Ctrl-C or SIGTERM no submit
    starts: this is the last moment to look.
    """
    if stop.is_set():
        raise Interrupted(f"interrupted (Ctrl-C or SIGTERM) before the plan for {day} was "
                          "submitted; nothing was sent for it")
    try:
        client.submit(day, text)
    except (Rejected, NetworkError) as exc:
        return exc
    return None


def _unexpected_success(refused: Rejected | NetworkError | None, config: Config) -> str | None:
    if refused is None:
        return None
    if isinstance(refused, NetworkError):
        return (f"the submit ended in an error ({refused}), yet the plan reads back identical, so it "
                "counts as submitted")
    setting = ("site.success_field and site.success_value to match it" if config.site.success_field
               else "site.success_text to it (or site.success_field for a JSON answer)")
    return (f"the site answered the submit with {refused.answer} instead of the success answer, "
            "yet the plan reads back identical, so it counts as submitted; if that answer means "
            f"success on your system, set {setting}")


def exact_day(rows: list[Row], day: date) -> list[Row]:
    """The answer to a read of ``day`` alone; rows of other days mean the site ignored the query.

    Then the answer proves nothing about ``day`` (it may be a page of old plans), so nothing may
    be submitted on its word.
    """
    others = sorted({r.day for r in rows if r.day != day})
    if others:
        shown = ", ".join(d.isoformat() for d in others[:3]) + (" …" if len(others) > 3 else "")
        raise SiteChanged(f"asked for {day} alone, the history page listed plans of other days "
                          f"({shown}); the site ignores site.start_param/site.end_param, so "
                          "whether today's plan is there cannot be told; nothing was submitted")
    return rows


def _plan_on(rows: list[Row], day: date) -> str | None:
    return next((r.text for r in rows if r.day == day and r.text.strip()), None)


def _with_retries(outcome: Outcome, retries: int) -> Outcome:
    """'submitted and read back after 2 retries': a flaky site shows before it fails outright."""
    if not retries or outcome.status == Status.FAILED:  # a failure's message counts its tries
        return outcome
    return replace(outcome, message=f"{outcome.message} after {retries} retr{'y' if retries == 1 else 'ies'}")


def token_warnings(secret: Secret) -> list[str]:
    """A token that expires within a week: a Notice for the result file (and ``check``)."""
    expires = jwt_expiry(secret.value)
    if expires and datetime.now(UTC) < expires < datetime.now(UTC) + timedelta(TOKEN_WARN_DAYS):
        return [Notice(f"{secret.variable} expires on {expires:%Y-%m-%d %H:%M} UTC; renew the secret "
                       "before then", "token", variable=secret.variable, expires=f"{expires:%Y-%m-%d}")]
    return []
