"""The ``run`` and ``check`` commands: config → secrets → pipeline → report.

Everything that can be found wrong before touching the network is found here first, so a
misconfigured run fails in milliseconds with exit 2 instead of half-way through the accounts.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runner import config as cfg
from runner.deadline import Deadline
from runner.errors import ConfigError, ExitCode, RunnerError, UsageError
from runner.lock import run_lock
from runner.pipeline import Options, run_all
from runner.plan import check_template
from runner.report import Reporter
from runner.site.client import SiteClient
from runner.workday import calendar_notices, today_in

NOT_CONFIGURED = (
    "dailyplan is not configured here, so nothing was filed. Add the repository secret "
    "DAILYPLAN_PASSWORD (one account) or DAILYPLAN_SECRETS (several), and edit dailyplan.toml "
    "or set DAILYPLAN_CONFIG; see README → Use it for your own plans."
)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def prepare(config_path: str | None, env: Mapping[str, str], only: list[str] | None = None,
            ) -> tuple[cfg.Config, list[cfg.Account]]:
    config = cfg.load(config_path, env)
    accounts = list(config.accounts)
    if only:
        known = {a.id: a for a in accounts}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise UsageError(f"--account {unknown[0]} is not in {config.source}; "
                             f"accounts: {', '.join(known)}")
        accounts = [known[i] for i in dict.fromkeys(only)]
    for template in dict.fromkeys(a.template for a in accounts):
        try:
            check_template(template)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    return config, accounts


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    deadline = Deadline.from_env(env)  # from the start: waiting for the lock counts too
    secret_env = cfg.secret_env(env)
    reporter = Reporter(secret_env, env)
    reporter.mask_secrets()
    if args.if_configured and not cfg.is_configured(secret_env):
        reporter.notice(NOT_CONFIGURED)
        return ExitCode.OK

    only = args.account or env.get("DAILYPLAN_ACCOUNT", "").replace(",", " ").split()
    config, accounts = prepare(args.config, env, only)
    date_text = args.date or env.get("DAILYPLAN_DATE", "").strip()
    day = cfg.parse_date(date_text, "--date") if date_text else today_in(config.timezone)
    secrets = cfg.find_secrets(config, accounts, secret_env)
    opts = Options(day=day, dry_run=args.dry_run or _truthy(env.get("DAILYPLAN_DRY_RUN")),
                   force=args.force or _truthy(env.get("DAILYPLAN_FORCE")), debug=args.debug,
                   deadline=deadline)

    if opts.dry_run:
        result = run_all(config, accounts, secrets, opts)
    else:
        with run_lock(env):
            result = run_all(config, accounts, secrets, opts)
    result.warnings = calendar_notices(day, config.workday.calendar)
    for warning in result.warnings:
        reporter.warn(warning)
    reporter.report(result, show_plans=opts.dry_run)
    if args.result:
        result.write(Path(args.result))
    return ExitCode.FAILED if result.failed else ExitCode.OK


def check(config_path: str | None, env: Mapping[str, str]) -> int:
    """What a new user runs first: every problem at once, as a table, nothing submitted."""
    secret_env = cfg.secret_env(env)
    reporter = Reporter(secret_env, env)
    reporter.mask_secrets()
    config, accounts = prepare(config_path, env)
    day = today_in(config.timezone)
    decision = config.workday.decide(day)
    print(f"config    {config.source}: {len(accounts)} account(s), site {config.site.auth} auth")
    print(f"today     {decision.why}")
    for warning in dict.fromkeys([*calendar_notices(day, config.workday.calendar), decision.warning]):
        if warning:
            reporter.warn(warning)

    secrets = {a.id: cfg.find_secret(config, a, secret_env) for a in accounts}

    def login(account: cfg.Account) -> str:
        secret = secrets[account.id]
        if secret is None:
            return f"missing: set {cfg.wanted_secret(config, account)}"
        client = SiteClient(config.site, account.username, secret)
        try:
            client.login()
            return f"ready (logged in with {secret.variable})"
        except RunnerError as exc:
            return f"login failed ({exc.reason}): {exc}"
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=config.workers(len(accounts))) as pool:
        states = list(pool.map(login, accounts))
    width = max(len(a.id) for a in accounts)
    for account, state in zip(accounts, states, strict=True):
        print(reporter.redact(f"{account.id:<{width}}  {account.username:<16} {state}"))
    if any(s is None for s in secrets.values()):
        return ExitCode.USAGE
    return ExitCode.OK if all(s.startswith("ready") for s in states) else ExitCode.FAILED

