"""The ``check`` command: what a new user runs first. Every problem at once, nothing submitted.

Two kinds of checks, each a plain function so more can join:
``CONFIG_CHECKS`` look at the setup as a whole (the workflow's time zone), and ``probe`` follows
one account as far as ``run`` would short of submitting: find the secret, then
``site.diagnose`` logs in and reads the history (so a token is proven, not assumed) and names the
key to change at the first step that does not fit; then the template is rendered with what was read. An
account is ``ready`` only when all of that worked. Each account is announced as it starts, so a
slow host is not silence.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from runner import config as cfg
from runner import credentials
from runner.commands import prepare, start
from runner.errors import ConfigError, ExitCode
from runner.pipeline import token_warnings
from runner.plan import context_for, empty_plan, previous_plan, render
from runner.site.diagnose import diagnose
from runner.workday import calendar_notices, today_in

WORKFLOW = Path(".github") / "workflows" / "daily-plan.yml"
SAMPLE_PREVIOUS = "示例：上一个工作日的计划（check could not read the real one）"
_TIMEZONE_LINE = re.compile(r"^\s*timezone:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)


@dataclass(frozen=True)
class State:
    """One account's verdict: ``ready`` only after an authenticated read and a clean render."""

    text: str
    ready: bool = False
    config_error: bool = False  # exit 2: the fix is in the config or the secrets


def probe(config: cfg.Config, account: cfg.Account, secret: cfg.Secret | None,
          secrets: Mapping[str, str], day: date) -> State:
    if secret is None:
        return State(f"missing: {credentials.missing(config, account, secrets)}", config_error=True)
    found = diagnose(config, account, secret, day)  # login → an authenticated read → parse
    previous = previous_plan(found.rows, day) if found.rows is not None else None
    if problem := template_problem(account, day, previous):
        return State(problem, config_error=True)
    return State(found.line, ready=found.ready)


def template_problem(account: cfg.Account, day: date, previous: object | None) -> str | None:
    """What ``run`` would hit rendering this account's plan, with what was read (or a sample)."""
    if problem := empty_plan(account):
        return problem
    text = getattr(previous, "text", SAMPLE_PREVIOUS)
    day_before = getattr(previous, "day", day - timedelta(days=1))
    try:
        render(account.template, context_for(account, day, text, day_before))
    except ConfigError as exc:
        return f"config: {exc}"
    return None


def workflow_timezone(config: cfg.Config) -> str | None:
    """The schedule's ``timezone:`` must be the config's, or 'today' is a different day."""
    folder = config.base.resolve()
    for candidate in (folder, *folder.parents):
        workflow = candidate / WORKFLOW
        if workflow.is_file():
            zones = set(_TIMEZONE_LINE.findall(workflow.read_text(encoding="utf-8", errors="replace")))
            others = sorted(zones - {config.timezone})
            if others:
                return (f"{workflow} schedules in {', '.join(others)} but {config.source} says timezone = "
                        f"{config.timezone!r}; make them the same (the workflow's timezone: lines, or "
                        "the config's timezone)")
            return None
        if (candidate / ".git").exists():
            return None
    return None


CONFIG_CHECKS: list[Callable[[cfg.Config], str | None]] = [workflow_timezone]


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
    problems = [p for p in (check(config) for check in CONFIG_CHECKS) if p]
    for problem in problems:
        reporter.line(f"problem   {problem}")

    secrets = {a.id: credentials.find(config, a, inputs.secrets) for a in accounts}
    for secret in secrets.values():
        for warning in token_warnings(secret) if secret is not None and secret.kind == "token" else ():
            reporter.warn(warning)

    def one(account: cfg.Account) -> State:
        reporter.line(f"checking  {account.id} …")
        return probe(config, account, secrets[account.id], inputs.secrets, day)

    with ThreadPoolExecutor(max_workers=config.workers(len(accounts))) as pool:
        states = list(pool.map(one, accounts))
    width = max(len(a.id) for a in accounts)
    for account, state in zip(accounts, states, strict=True):
        reporter.line(f"{account.id:<{width}}  {account.username:<16} {state.text}")
    if problems or any(s.config_error for s in states):
        return ExitCode.USAGE
    return ExitCode.OK if all(s.ready for s in states) else ExitCode.FAILED
