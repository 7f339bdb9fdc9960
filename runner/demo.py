"""``dailyplan demo``: the real pipeline against the bundled sandbox, narrated step by step.

It uses the same code path as ``run`` (config objects, site client, pipeline), only the server
is the local emulator, so what a new user watches here is what their scheduled run will do.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import date, timedelta

from runner.config import Account, Config, Secret, SecretKind, Site, Workday
from runner.pipeline import Options, run_all
from runner.result import AccountResult, console_line
from runner.sandbox import DEMO_ACCOUNTS, Sandbox, demo_plans
from runner.status import ExitCode, Reason, Status
from runner.workday import decide, next_workday, today_in

TZ = "Asia/Shanghai"
PLAN = "继续重构支付接口，补齐单元测试\n评审 #142 合并请求"


def _workday_on_or_after(day: date) -> date:
    """The demo must show a submission even on a weekend: use the next workday then."""
    return next_workday(lambda d: decide(d, calendar="cn"), day - timedelta(days=1)) or day


def _a_public_holiday_before(day: date) -> date:
    """A weekday the statutory calendar marks as a holiday, to show a skip without a request."""
    for offset in range(1, 800):
        candidate = day - timedelta(days=offset)
        decision = decide(candidate, calendar="cn")
        if candidate.weekday() < 5 and decision.off == Reason.HOLIDAY and not decision.warning:
            return candidate
    return day - timedelta(days=(day.weekday() + 2) % 7 or 7)  # a Saturday


def _show(result: AccountResult, requests: int) -> None:
    print("    " + console_line(result, len(result.id)).rstrip())
    print(f"    requests seen by the server: {requests}")


class StepFailed(Exception):
    """A demo step did not do what it narrates: stop there, say so, never narrate past it."""


def _expect(ok: bool, what: str, result: AccountResult | None = None) -> None:
    if not ok:
        seen = f" (got {result.status}{f' ({result.reason})' if result.reason else ''}: {result.message})" \
            if result else ""
        raise StepFailed(f"{what}{seen}")


NEXT = ("\nNext, from this clone: edit dailyplan.toml (your system's address and login name), then\n"
        "  export DAILYPLAN_PASSWORD=…        # your password; never in the file\n"
        "  .venv/bin/dailyplan check          # logs in, reads, renders: nothing is submitted\n"
        "  .venv/bin/dailyplan run --dry-run  # what would be filed\n"
        "(installed with pip or pipx instead? the same commands without .venv/bin/)")


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan demo``: reads nothing from the environment."""
    try:
        _narrate()
    except StepFailed as exc:
        print(f"\nthe demo stopped: {exc}. Nothing after this step ran; rerun with --debug, or "
              "report it with the output above.")
        return ExitCode.FAILED
    print(NEXT)
    return ExitCode.OK


def _narrate() -> None:
    real_today = today_in(TZ)
    day = _workday_on_or_after(real_today)
    step = 0

    def say(text: str) -> None:
        nonlocal step
        step += 1
        print(f"\n[{step}] {text}")

    with Sandbox() as sandbox:
        for username, password in DEMO_ACCOUNTS.items():
            sandbox.add_account(username, password, plans=demo_plans(day).get(username, {}))
        config = Config(Site(base_url=sandbox.url), Workday(calendar="cn"),
                        (Account(id="demo", username="demo", plan=PLAN),), timezone=TZ)
        account = config.accounts[0]
        secrets = {"demo": Secret(SecretKind.PASSWORD, DEMO_ACCOUNTS["demo"], "DAILYPLAN_PASSWORD_DEMO")}
        print(f"dailyplan demo: a sandbox of the team system is running at {sandbox.url}")
        print(f"account 'demo' has plans for the last workdays; today in {TZ} is {real_today}.")

        decision = decide(day, calendar="cn")
        say(f"Is {day} a workday? {decision.why}.")
        if day != real_today:
            print(f"    ({real_today} is not a workday, so the demo files {day}'s plan, "
                  "as `dailyplan run --date` would.)")

        say(f"Run for {day}: log in once, read the history, render, submit, read back.")
        sandbox.clear_log()
        first = run_all(config, [account], secrets, Options(day=day)).accounts[0]
        _expect(first.status == Status.SUBMITTED, "the first run did not submit", first)
        print(f"    rendered from the shipped template and the previous workday's plan "
              f"({first.previous_date}):")
        for line in (first.plan or "").splitlines():
            print(f"    │ {line}")
        _show(first, len(sandbox.log))
        stored = sandbox.plans["demo"].get(day.isoformat(), "")
        _expect(stored == first.plan, "the plan read back from the server differs from the one sent")
        print(f"    read back from the server: identical ({len(stored)} characters)")

        say("Run again (a later schedule slot): the plan is there, so it is left untouched.")
        sandbox.clear_log()
        again = run_all(config, [account], secrets, Options(day=day)).accounts[0]
        _expect(again.reason == Reason.ALREADY_SUBMITTED, "the second run did not leave the plan alone",
                again)
        _show(again, len(sandbox.log))

        holiday = _a_public_holiday_before(day)
        say(f"Run on {holiday}: a day off is decided without touching the network.")
        sandbox.clear_log()
        off = run_all(config, [account], secrets, Options(day=holiday)).accounts[0]
        _expect(off.requests == 0 and off.status == Status.SKIPPED, "the day off was not skipped "
                "without a request", off)
        _show(off, len(sandbox.log))
