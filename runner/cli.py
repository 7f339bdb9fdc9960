"""Command line: arguments in, exit code out. The heavy modules are imported per command.

``main`` maps every error to one line and an exit code in one place; ``--debug`` shows the
traceback instead. Nothing here decides anything about plans: that lives in ``pipeline``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from runner import __version__
from runner.errors import ExitCode, RunnerError, UsageError

EPILOG = """\
examples:
  dailyplan check                       validate dailyplan.toml and secrets, log each account in
  dailyplan run --dry-run               show what today's plan would be; submit nothing
  dailyplan run --date 2026-11-20       file the plan for that date (Asia/Shanghai by default)
  dailyplan demo                        the whole pipeline against the bundled sandbox
  dailyplan sandbox --port 8765         serve the sandbox to experiment with

exit codes: 0 no account failed, 1 an account failed, 2 usage/config/secret error
docs: README.md (configuration, statuses, running from cron)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dailyplan", description="File your daily plan (每日计划) every workday, safely.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"dailyplan {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="file today's plan for every configured account")
    run.add_argument("--config", metavar="FILE", help="config file (default: dailyplan.toml)")
    run.add_argument("--date", metavar="YYYY-MM-DD", help="pretend today is this date")
    run.add_argument("--account", metavar="ID", action="append", help="only this account (repeat)")
    run.add_argument("--dry-run", action="store_true", help="log in and read, submit nothing")
    run.add_argument("--force", action="store_true", help="replace a plan that is already there")
    run.add_argument("--result", metavar="FILE", help="write the JSON result here")
    run.add_argument("--if-configured", action="store_true",
                     help="exit 0 with a notice when no DAILYPLAN_* secret is set (fresh forks)")

    check = sub.add_parser("check", help="validate config and secrets, log each account in")
    check.add_argument("--config", metavar="FILE", help="config file (default: dailyplan.toml)")

    sub.add_parser("demo", help="run the real pipeline against the bundled sandbox")

    sandbox = sub.add_parser("sandbox", help="serve the local emulator of the team system")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    sandbox.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    sandbox.add_argument("--state", metavar="FILE", help="keep accounts and plans in this JSON file")
    sandbox.add_argument("--profile", default="reference", metavar="NAME",
                         help="the shape of system to play: reference, form-csrf, json-api, gbk, "
                              "sso-cookie (examples/NAME.toml configures the runner for it)")

    history = sub.add_parser(
        "history", help="show a month of your plans as a calendar (filed, missed, days off)",
        description="Log each account in, read one month of its plans (one request), and print a "
        "calendar with a count line, e.g. 'November 2026: 18 of 19 workdays filed, missed "
        "2026-11-18'. Nothing is submitted. Example: dailyplan history --month 2026-11")
    history.add_argument("--config", metavar="FILE", help="config file (default: dailyplan.toml)")
    history.add_argument("--account", metavar="ID", action="append", help="only this account (repeat)")
    history.add_argument("--month", metavar="YYYY-MM", help="the month to show (default: this month)")
    history.add_argument("--date", metavar="YYYY-MM-DD", help="pretend today is this date")

    notify = sub.add_parser("notify", help="open, comment on or close per-account GitHub issues")
    notify.add_argument("--result", metavar="FILE", help="the result file of the run")
    notify.add_argument("--needed", action="store_true",
                        help="only say (step output needed=true|false) whether notify has work; reads only")
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args, env)
    except RunnerError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.USAGE if isinstance(exc, UsageError) else ExitCode.FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"error: unexpected {exc.__class__.__name__}; rerun with --debug and report it",
              file=sys.stderr)
        return ExitCode.FAILED


def _dispatch(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from pathlib import Path

    if args.command == "sandbox":
        from runner.sandbox.cli import run_cli

        return run_cli(args.host, args.port, Path(args.state) if args.state else None, args.profile)
    if args.command == "notify":
        from runner.github import main

        entry = main.triage if args.needed else main.run
        return entry(Path(args.result) if args.result else None, env)
    if args.command == "demo":
        from runner.demo import demo

        return demo()
    if args.command == "history":
        from runner import history

        return history.main(args, env)
    from runner import commands

    if args.command == "check":
        return commands.check(args.config, env)
    return commands.run(args, env)
