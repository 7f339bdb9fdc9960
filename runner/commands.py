"""The ``run`` command: environment → config → secrets → pipeline → result file → report.

Everything that can be found wrong before touching the network is found here first (a bad
variable, config, secret or ``--result`` path), so a misconfigured run fails in milliseconds with
exit 2 instead of half-way through the accounts.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from runner import config as cfg
from runner import credentials
from runner.deadline import Deadline
from runner.errors import ConfigError, ExitCode, UsageError
from runner.heartbeat import Heartbeat
from runner.inputs import Inputs
from runner.interrupt import not_started, sigterm_interrupts
from runner.lock import LockError, run_lock
from runner.pipeline import Options, run_all
from runner.plan import check_template, empty_plan
from runner.preview import preview_days_off
from runner.redact import Redactor
from runner.report import Reporter
from runner.workday import calendar_notices, today_in

EXAMPLE_DOMAINS = (".example.com", ".example.org", ".example.net")
EXAMPLE_USERNAME = "your-login-name"  # the shipped dailyplan.toml's
NOT_CONFIGURED = (
    "dailyplan is not configured here, so nothing was filed. Add the repository secret "
    "DAILYPLAN_PASSWORD (one account) or DAILYPLAN_SECRETS (several), and edit dailyplan.toml "
    "or set DAILYPLAN_CONFIG; see README → Use it for your own plans."
)


def start(env: Mapping[str, str], command: str) -> tuple[Inputs, Reporter]:
    """The parsed environment and the redacting sinks, masks printed before anything else."""
    inputs = Inputs.read(env, command)
    reporter = Reporter(Redactor.for_secrets(inputs.secrets), inputs)
    reporter.mask_secrets()
    return inputs, reporter


def untouched_example(config: cfg.Config) -> str | None:
    """Why the config is still the shipped example (an example.com host, the sample username).

    Sent as is, the real password would go to a stranger's host in a GET query: refuse before
    any request, naming the lines to edit.
    """
    host = (urlsplit(config.site.base_url).hostname or "").lower()
    found = []
    if host.rstrip(".").endswith(EXAMPLE_DOMAINS) or host in {d[1:] for d in EXAMPLE_DOMAINS}:
        found.append(("site.base_url", host))
    found += [(f"the username of account {a.id!r},", a.username) for a in config.accounts
              if a.username == EXAMPLE_USERNAME]
    if not found:
        return None
    lines = config.text.splitlines()
    where = []
    for key, value in found:
        number = next((n for n, line in enumerate(lines, 1) if value in line.lower()), None)
        where.append(f"{'line ' + str(number) + ' ' if number else ''}({key} {value!r})")
    return (f"{config.source} is still the example, so nothing was sent: edit {' and '.join(where)} "
            "to your own system's address and login name")


def prepare(config_path: str | None, inputs: Inputs, only: tuple[str, ...] | list[str] = (),
            only_from: str = "--account") -> tuple[cfg.Config, list[cfg.Account]]:
    config = cfg.load(config_path, inputs)
    if problem := untouched_example(config):
        raise UsageError(problem)
    if inputs.ca_bundle and not config.site.ca_bundle:
        config = dataclasses.replace(config, site=dataclasses.replace(config.site,
                                                                      ca_bundle=inputs.ca_bundle))
    accounts = list(config.accounts)
    if only:
        known = {a.id: a for a in accounts}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise UsageError(f"{only_from} {unknown[0]} is not in {config.source}; "
                             f"accounts: {', '.join(known)}")
        accounts = [known[i] for i in dict.fromkeys(only)]
    for template in dict.fromkeys(a.template for a in accounts):
        try:
            check_template(template)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    return config, accounts


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan run``."""
    inputs, reporter = start(env, "run")
    deadline = Deadline.after(inputs.run_deadline)  # from the start: waiting for the lock counts too
    if args.if_configured and not credentials.is_configured(inputs.secrets, inputs.config_text):
        reporter.notice(NOT_CONFIGURED)
        return ExitCode.OK
    result_path = Path(args.result) if args.result else None
    if result_path is not None:
        reporter.check_result_path(result_path)

    config, accounts = prepare(args.config, inputs, args.account or inputs.accounts,
                               "--account" if args.account else "DAILYPLAN_ACCOUNT")
    day = (cfg.parse_date(args.date, "--date") if args.date
           else inputs.date or today_in(config.timezone))
    secrets = credentials.find_all(config, accounts, inputs.secrets)
    if problem := next(filter(None, map(empty_plan, accounts)), None):
        raise UsageError(problem.removeprefix("config: "))  # before any account runs, as check says
    opts = Options(day=day, dry_run=args.dry_run or inputs.dry_run,
                   force=args.force or inputs.force, debug=args.debug,
                   deadline=deadline)

    beat = Heartbeat("" if opts.dry_run else inputs.heartbeat_url, reporter.warn)  # a dry run proves nothing
    beat.start()
    with sigterm_interrupts():
        try:
            if opts.dry_run:
                result = preview_days_off(config, accounts, secrets, opts,
                                          run_all(config, accounts, secrets, opts))
            else:
                with run_lock(inputs.lock_file, min(inputs.lock_wait, deadline.remaining()),
                              inputs.runtime_dir, inputs.cache_home):
                    result = run_all(config, accounts, secrets, opts)
        except KeyboardInterrupt:  # while waiting for the lock: no account started
            opts.stop.set()
            result = not_started(accounts, opts.day, config.timezone)
        except LockError as exc:  # every account hears why nothing was filed
            result = not_started(accounts, opts.day, config.timezone, exc)
        result.warnings = calendar_notices(day, config.workday.calendar)
        # first: the result file must not depend on the others; losing it fails the run
        written = result_path is None or reporter.write_result(result, result_path)
        for warning in result.warnings:
            reporter.warn(warning)
        reporter.report(result, show_plans=opts.dry_run)
    beat.finish(result)
    if opts.stop.is_set():
        return ExitCode.INTERRUPTED
    return ExitCode.FAILED if result.failed or not written else ExitCode.OK
