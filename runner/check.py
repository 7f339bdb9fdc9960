"""The ``check`` command: what a new user runs first. Every problem at once, nothing submitted.

Each account is one probe (``probe``) returning one state line; the table is printed when all
are done, and each account is announced as it starts, so a slow host is not silence.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from runner import config as cfg
from runner import credentials
from runner.commands import prepare, start
from runner.errors import ExitCode
from runner.pipeline import token_warnings
from runner.site.diagnose import diagnose
from runner.workday import calendar_notices, today_in


@dataclass(frozen=True)
class State:
    """One account's verdict: ``ready`` only after an authenticated request succeeded."""

    text: str
    ready: bool = False
    missing: bool = False


def probe(config: cfg.Config, account: cfg.Account, secret: cfg.Secret | None,
          secrets: Mapping[str, str]) -> State:
    if secret is None:
        return State(f"missing: {credentials.missing(config, account, secrets)}", missing=True)
    line = diagnose(config, account, secret)  # login → an authenticated read → parse
    return State(line, ready=line.startswith("ready"))


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan check``."""
    inputs, reporter = start(env, "check")
    config, accounts = prepare(args.config, inputs)
    day = today_in(config.timezone)
    decision = config.workday.decide(day)
    reporter.line(f"config    {config.source}: {len(accounts)} account(s), site {config.site.auth} auth")
    reporter.line(f"today     {decision.why}")
    for warning in dict.fromkeys([*calendar_notices(day, config.workday.calendar), decision.warning]):
        if warning:
            reporter.warn(warning)

    secrets = {a.id: credentials.find(config, a, inputs.secrets) for a in accounts}
    for secret in secrets.values():
        for warning in token_warnings(secret) if secret is not None and secret.kind == "token" else ():
            reporter.warn(warning)

    def one(account: cfg.Account) -> State:
        reporter.line(f"checking  {account.id} …")
        return probe(config, account, secrets[account.id], inputs.secrets)

    with ThreadPoolExecutor(max_workers=config.workers(len(accounts))) as pool:
        states = list(pool.map(one, accounts))
    width = max(len(a.id) for a in accounts)
    for account, state in zip(accounts, states, strict=True):
        reporter.line(f"{account.id:<{width}}  {account.username:<16} {state.text}")
    if any(s.missing for s in states):
        return ExitCode.USAGE
    return ExitCode.OK if all(s.ready for s in states) else ExitCode.FAILED
