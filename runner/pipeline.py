"""One account's day, start to finish, and all accounts side by side.

The steps follow the order a careful person would take: is it a workday for me, is my plan
already there (then leave it alone), do enough teammates think it is a workday, render, submit,
and read it back, because a "修改成功" is a claim, not a proof.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from runner.config import Account, Config, Secret
from runner.errors import RunnerError, VerifyError
from runner.pages import Row
from runner.plan import PlanContext, normalize, render
from runner.result import AccountResult, RunResult
from runner.site import SiteClient, jwt_expiry

TOKEN_WARN_DAYS = 7


@dataclass(frozen=True)
class Options:
    day: date
    dry_run: bool = False
    force: bool = False
    debug: bool = False


ClientFactory = Callable[[Config, Account, Secret], SiteClient]


def default_client(config: Config, account: Account, secret: Secret) -> SiteClient:
    return SiteClient(config.site, account.username, secret)


def run_all(
    config: Config,
    accounts: list[Account],
    secrets: dict[str, Secret],
    opts: Options,
    client_factory: ClientFactory = default_client,
) -> RunResult:
    """Accounts run in a bounded pool: one slow or failing account never holds up the others."""
    with ThreadPoolExecutor(max_workers=config.workers(len(accounts)),
                            thread_name_prefix="account") as pool:
        futures = [pool.submit(run_account, config, a, secrets.get(a.id), opts, client_factory)
                   for a in accounts]
        results = [f.result() for f in futures]
    return RunResult(opts.day, config.timezone, results)


def run_account(
    config: Config,
    account: Account,
    secret: Secret | None,
    opts: Options,
    client_factory: ClientFactory = default_client,
) -> AccountResult:
    started = time.monotonic()
    result = AccountResult(account.id, "failed", "internal", "", github=account.github)
    client: SiteClient | None = None
    try:
        decision = config.workday.decide(opts.day, account.leave)
        if decision.warning:
            result.warnings.append(decision.warning)
        if decision.off:
            return _done(result, "skipped", decision.off, decision.why, requests=0)
        if secret is None:
            raise RunnerError("no secret")  # the CLI checks secrets first; here for direct callers
        if secret.kind == "token":
            _warn_token(secret, result)
        client = client_factory(config, account, secret)
        _submit_day(config, account, opts, client, result)
    except RunnerError as exc:
        _done(result, "failed", exc.reason, str(exc))
    except Exception as exc:  # a bug: report it on this account, keep the others running
        if opts.debug:
            traceback.print_exc(file=sys.stderr)
        _done(result, "failed", "internal",
              f"unexpected {exc.__class__.__name__}; rerun with --debug and report it")
    finally:
        if client is not None:
            result.requests = client.requests
            client.close()
        result.seconds = time.monotonic() - started
    return result


def _submit_day(config: Config, account: Account, opts: Options, client: SiteClient,
                result: AccountResult) -> None:
    day = opts.day
    client.login()
    rows = client.history(day - timedelta(days=config.site.lookback_days), day)
    existing = _plan_on(rows, day)
    previous = next((r for r in rows if r.day < day and r.text.strip()), None)
    result.previous_date = previous.day if previous else None

    if existing is not None and not opts.force:
        _done(result, "skipped", "already-submitted",
              f"a plan for {day} is already there; left untouched (--force replaces it)")
        return
    if config.workday.quorum:
        count = client.team_count(day)
        if count < config.workday.quorum:
            _done(result, "skipped", "quorum", f"{count} of the required {config.workday.quorum} "
                  f"teammates have a plan for {day}; not a workday for the team yet")
            return

    text = render(account.template, PlanContext(
        today=day, plan=account.plan,
        previous_full=previous.text if previous else "",
        previous_date=previous.day if previous else None,
        account={"id": account.id, "username": account.username, "github": account.github},
    ))
    result.plan = text
    if opts.dry_run:
        verb = "would replace the plan" if existing is not None else "would submit"
        _done(result, "previewed", None, f"dry run: {verb} for {day}; nothing was sent")
        return

    for attempt in (1, 2):
        client.submit(day, text)
        stored = _plan_on(client.history(day, day), day)
        if stored is not None and normalize(stored) == normalize(text):
            how = "replaced the existing plan" if existing is not None else "submitted"
            again = " on the second try" if attempt == 2 else ""
            alone = "" if previous else (f"; no earlier plan in the last {config.site.lookback_days} "
                                         "days, so none was quoted")
            _done(result, "submitted", None, f"{how} and read back{again}{alone}")
            return
    raise VerifyError(f"the site accepted the plan for {day} but reading it back shows "
                      f"{'nothing' if stored is None else 'different text'}, twice; check it by hand")


def _plan_on(rows: list[Row], day: date) -> str | None:
    return next((r.text for r in rows if r.day == day and r.text.strip()), None)


def _warn_token(secret: Secret, result: AccountResult) -> None:
    expires = jwt_expiry(secret.value)
    if expires and datetime.now(UTC) < expires < datetime.now(UTC) + timedelta(TOKEN_WARN_DAYS):
        result.warnings.append(f"{secret.variable} expires on {expires:%Y-%m-%d %H:%M} UTC; "
                               "renew the secret before then")


def _done(result: AccountResult, status: str, reason: str | None, message: str,
          requests: int | None = None) -> AccountResult:
    result.status, result.reason, result.message = status, reason, message
    if requests is not None:
        result.requests = requests
    return result
