"""Command line: arguments in, exit code out. The heavy modules are imported per command.

``main`` maps every error to one line and an exit code in one place; ``--debug`` shows the
traceback instead. Every command is ``main(args, env) -> ExitCode`` in its own module; nothing
here decides anything about plans.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from runner import __version__
from runner.errors import ExitCode, RunnerError, UsageError
from runner.inputs import secrets_anyway, under_actions, variables_for
from runner.output import stamp, wants_timestamps
from runner.redact import Redactor

EPILOG = """\
examples:
  dailyplan check                       validate dailyplan.toml and secrets, log each account in
  dailyplan run --dry-run               show what today's plan would be; submit nothing
  dailyplan run --date 2026-11-20       file the plan for that date (Asia/Shanghai by default)
  dailyplan demo                        the whole pipeline against the bundled sandbox
  dailyplan sandbox --port 8765         serve the sandbox to experiment with

global flags (before or after the command): --debug, --config FILE
exit codes: 0 no account failed, 1 an account failed, 2 usage/config/secret/environment error,
  130 interrupted
`dailyplan` alone prints this help and exits 0.
docs: README.md (configuration, statuses, troubleshooting, running from cron)
"""
PACKAGES = {"bs4": "beautifulsoup4", "chinese_calendar": "chinesecalendar", "jinja2": "Jinja2"}


@dataclass(frozen=True)
class Command:
    name: str
    module: str  # its main(args, env) lives here
    summary: str
    description: str
    example: str
    exits: str


COMMANDS = (
    Command("run", "runner.commands", "file today's plan for every configured account",
            "Log each account in, leave a plan that is already there alone, render the template "
            "with the previous workday's plan, submit, and read it back. A day off is decided "
            "from the calendar without a request; a dry run on a day off previews the next workday.",
            "dailyplan run --dry-run\n  dailyplan run --date 2026-11-20 --result result.json",
            "0 no account failed, 1 an account failed, 2 usage/config/secret/environment error, "
            "130 interrupted"),
    Command("check", "runner.check", "validate config and secrets, log each account in",
            "What to run first: validates dailyplan.toml, finds each account's secret, logs each "
            "account in and reads with it, and renders each template with what it read. Nothing "
            "is submitted.",
            "DAILYPLAN_PASSWORD=… dailyplan check --config dailyplan.toml",
            "0 every account is ready, 1 an account could not log in or read, "
            "2 config/secret/environment error"),
    Command("demo", "runner.demo", "run the real pipeline against the bundled sandbox",
            "Starts the sandbox on a free loopback port and runs the real pipeline against it: "
            "a verified submission, a second run that leaves it alone, a holiday without a "
            "request. Nothing leaves this machine.",
            "dailyplan demo", "0 every step went as shown, 1 a step failed (it says which)"),
    Command("sandbox", "runner.sandbox.cli", "serve the local emulator of the team system",
            "Serves the emulator of the team system with a demo team, to try requests or a "
            "config by hand. Loopback only unless --host says otherwise.",
            "dailyplan sandbox --port 8765 --state sandbox.json",
            "0 stopped with Ctrl-C, 2 the address cannot be used"),
    Command("history", "runner.history", "show a month of your plans as a calendar (filed, missed, days off)",
            "Log each account in, read one month of its plans (one request), and print a calendar "
            "with a count line, e.g. 'November 2026: 18 of 19 workdays filed, missed 2026-11-18'. "
            "Nothing is submitted.",
            "dailyplan history --month 2026-11",
            "0 every account's month was read, 1 an account could not be read, "
            "2 config/secret/environment error"),
    Command("learn", "runner.learn.command", "write dailyplan.toml from a browser recording (HAR)",
            "Reads a recording of you logging in, looking at your plans and submitting one by "
            "hand (the browser's Network panel, saved as HAR), finds those moments among the "
            "noise, and writes a commented dailyplan.toml for your system. It never copies a "
            "password, cookie or token from the recording; it tells you which secret to set.",
            "dailyplan learn ~/Downloads/plans.example.har --id me\n  dailyplan check",
            "0 written, 2 not a usable recording, a file in the way (use --force), or a moment "
            "missing with --strict"),
    Command("record", "runner.record", "record your own system's answers as test fixtures",
            "A dry run against your real system, recorded with vcrpy into "
            "tests/cassettes/site/<account>.yaml: the password, cookies, tokens and host are "
            "scrubbed, and the plan text replaced by placeholders unless --keep-text. make test "
            "replays every cassette there, offline. Nothing is submitted.",
            "DAILYPLAN_PASSWORD=… dailyplan record --account me",
            "0 recorded, 1 the dry run failed (still recorded), 2 config/secret error or no vcrpy"),
    Command("notify", "runner.github.main", "open, comment on or close the dailyplan GitHub issues",
            "Reads the run's result file and keeps one GitHub issue per failing account, per "
            "missed day and per warning with a deadline. Meant for the workflow's notify job; it "
            "never turns a run red. With --needed it only says, as a step output, whether the "
            "notify job has anything to do (reads, never writes).",
            "GITHUB_TOKEN=… GITHUB_REPOSITORY=me/dailyplan dailyplan notify --result result.json",
            "0 whatever GitHub answered, 2 it cannot start (token, repository or a bad value)"),
)


def _epilog(command: Command) -> str:
    names = variables_for(command.name)
    lines = [f"example:\n  {command.example}", ""]
    if names:
        lines += ["environment:"] + [f"  {v.name:<26} {v.help}" for v in names] + [""]
    lines += [f"exit codes: {command.exits}"]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dailyplan", description="File your daily plan (每日计划) every workday, safely.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"dailyplan {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--config", metavar="FILE", help="config file (default: dailyplan.toml)")
    # the same flags after the command; SUPPRESS keeps a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks")
    with_config = argparse.ArgumentParser(add_help=False, parents=[common])
    with_config.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                             help="config file (default: dailyplan.toml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    made = {}
    for command in COMMANDS:
        made[command.name] = sub.add_parser(
            command.name, help=command.summary, description=command.description,
            epilog=_epilog(command), formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[with_config if command.name in ("run", "check", "history", "record") else common])

    run = made["run"]
    run.add_argument("--date", metavar="YYYY-MM-DD", help="pretend today is this date")
    run.add_argument("--account", metavar="ID", action="append", help="only this account (repeat)")
    run.add_argument("--dry-run", action="store_true", help="log in and read, submit nothing")
    run.add_argument("--force", action="store_true", help="replace a plan that is already there")
    run.add_argument("--result", metavar="FILE", help="write the JSON result here")
    run.add_argument("--if-configured", action="store_true",
                     help="exit 0 with a notice when no DAILYPLAN_* secret is set (fresh forks)")
    sandbox = made["sandbox"]
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    sandbox.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    sandbox.add_argument("--state", metavar="FILE", help="keep accounts and plans in this JSON file")
    sandbox.add_argument("--profile", default="reference", metavar="NAME",
                         help="the shape of system to play: reference, form-csrf, json-api, gbk, "
                              "sso-cookie (examples/NAME.toml configures the runner for it)")
    history = made["history"]
    history.add_argument("--account", metavar="ID", action="append", help="only this account (repeat)")
    history.add_argument("--month", metavar="YYYY-MM", help="the month to show (default: this month)")
    history.add_argument("--date", metavar="YYYY-MM-DD", help="pretend today is this date")
    learn = made["learn"]
    learn.add_argument("recording", metavar="RECORDING.har", help="the Network panel's HAR export")
    learn.add_argument("--id", metavar="ID", help="the account's id (default: the username found)")
    learn.add_argument("--out", metavar="FILE", default="dailyplan.toml",
                       help="where to write (default dailyplan.toml; - for standard output)")
    learn.add_argument("--force", action="store_true", help="replace FILE if it exists")
    learn.add_argument("--strict", action="store_true", help="exit 2 when a moment is missing")
    record = made["record"]
    record.add_argument("--account", metavar="ID", action="append", help="only this account (repeat)")
    record.add_argument("--date", metavar="YYYY-MM-DD", help="pretend today is this date")
    record.add_argument("--keep-text", action="store_true", help="keep the plan text as the site showed it")
    record.add_argument("--out", metavar="DIR", help="where to write (default tests/cassettes/site)")
    made["notify"].add_argument("--result", metavar="FILE", help="the result file of the run")
    made["notify"].add_argument("--needed", action="store_true",
                                help="only say (step output needed=true|false) whether notify has work")
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.OK

    def fail(line: str) -> None:
        """The last sink: redacted like the others, stamped for cron like the others."""
        line = Redactor.for_secrets(secrets_anyway(env))(line)
        print(stamp(line) if wants_timestamps(sys.stderr, under_actions(env)) else line,
              file=sys.stderr)

    def trace() -> None:
        """--debug: the traceback first, redacted like every sink (an exception's text can hold a
        URL with the password in its query), then the same line and exit code as without it."""
        if args.debug:
            print(Redactor.for_secrets(secrets_anyway(env))(traceback.format_exc().rstrip()),
                  file=sys.stderr)

    try:
        module = importlib.import_module(next(c.module for c in COMMANDS if c.name == args.command))
        return module.main(args, env)
    except RunnerError as exc:
        trace()
        fail(f"error: {exc}")
        return ExitCode.USAGE if isinstance(exc, UsageError) else ExitCode.FAILED
    except KeyboardInterrupt:
        fail("interrupted")
        return ExitCode.INTERRUPTED
    except ModuleNotFoundError as exc:
        module = (exc.name or "runner").split(".")[0]
        trace()
        if module == "runner":
            fail(f"error: unexpected {exc.__class__.__name__}; rerun with --debug and report it")
            return ExitCode.FAILED
        fail(f"error: the Python module {module!r} is missing; install dailyplan's dependencies: "
             f"python -m pip install {PACKAGES.get(module, module)} (or, in a clone, "
             "make test / .venv/bin/pip install -r requirements.lock)")
        return ExitCode.USAGE
    except Exception as exc:
        trace()
        fail(f"error: unexpected {exc.__class__.__name__}; rerun with --debug and report it")
        return ExitCode.FAILED
