"""``dailyplan history``: a month of each account's plans as a calendar, read from the site.

One login and one ranged read per account, nothing submitted, so a person can see a month before
it is scored: which workdays are filed, which are missed, which are days off or leave.
"""

from __future__ import annotations

import argparse
import calendar
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from runner import config as cfg
from runner import credentials
from runner.audit import filed_days
from runner.commands import prepare, start
from runner.errors import RunnerError, UsageError
from runner.month import MonthView, month_view, text
from runner.site.client import SiteClient
from runner.status import ExitCode
from runner.workday import today_in


def parse_month(value: str) -> tuple[int, int]:
    try:
        year_text, month_text = value.strip().split("-")
        year, month = int(year_text), int(month_text)
        if not (1 <= month <= 12 and 1900 < year < 10000):
            raise ValueError
    except ValueError:
        raise UsageError(f"--month {value!r} is not a month; use YYYY-MM, e.g. 2026-11") from None
    return year, month


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    inputs, reporter = start(env, "history")
    config, accounts = prepare(args.config, inputs, args.account or ())
    today = cfg.parse_date(args.date, "--date") if args.date else today_in(config.timezone)
    year, month = parse_month(args.month) if args.month else (today.year, today.month)
    first = date(year, month, 1)
    if first > today:
        raise UsageError(f"--month {args.month} has not started yet (today is {today} in "
                         f"{config.timezone}); pick this month or an earlier one")
    last = min(date(year, month, calendar.monthrange(year, month)[1]), today)
    secrets = credentials.find_all(config, accounts, inputs.secrets)

    def read(account: cfg.Account) -> MonthView | RunnerError:
        client = SiteClient(config.site, account.username, secrets[account.id])
        try:
            rows = client.history(first, last)
        except RunnerError as exc:
            return exc
        finally:
            client.close()
        return month_view(year, month, filed_days(rows), today, config.decider(account))

    with ThreadPoolExecutor(max_workers=config.workers(len(accounts))) as pool:
        views = list(pool.map(read, accounts))
    failed = False
    for account, view in zip(accounts, views, strict=True):
        if isinstance(view, RunnerError):
            failed = True
            reporter.line(f"{account.id}: could not read the history ({view.reason}): {view}")
        else:
            reporter.line(text(view, account.id))
    return ExitCode.FAILED if failed else ExitCode.OK
