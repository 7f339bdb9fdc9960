"""``dailyplan notify``: read the result and the environment Actions gives, then let notify act.

``run`` is the notify job (issues: write). ``triage`` is the run job's last step (issues: read):
one read at most, and a step output ``needed=true|false`` so the notify job starts only on days
it has something to do. Both exit 0 whatever GitHub answers: the run's own exit is the verdict.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import requests

from runner.errors import UsageError
from runner.github.api import MAX_ATTEMPTS, TIMEOUT, GitHub, GitHubError, IssuesDisabled, RateLimited
from runner.github.notify import (
    BROKEN,
    STATUS_HINTS,
    Notifier,
    classify_cancel,
    decide,
    is_dry_run,
    load,
    needed,
)
from runner.inputs import Inputs
from runner.output import workflow_command
from runner.status import ExitCode, Status

Say = Callable[[str, str], None]
RUN_JOB = "file the plan"  # the run job's `name:` in daily-plan.yml
RUN_TIMEOUT = 15  # its `timeout-minutes:`; the workflow passes both, a test keeps them equal


def sayer(inputs: Inputs) -> Say:
    def say(level: str, text: str) -> None:
        if inputs.actions:  # escaped, or a % or a newline would cut the annotation short
            print(workflow_command(level, text, title="dailyplan"), flush=True)
        else:
            print(f"{level}: {text}", file=sys.stderr)

    return say


def _inputs(env: Mapping[str, str]) -> Inputs | None:
    try:
        return Inputs.read(env, "notify")
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _missing(inputs: Inputs) -> bool:
    missing = [name for name, value in (("GITHUB_TOKEN", inputs.github_token),
                                        ("GITHUB_REPOSITORY", inputs.repository)) if not value]
    if missing:
        print(f"error: notify needs {' and '.join(missing)}; in the workflow set GITHUB_TOKEN: "
              "${{ github.token }} in the step's env (Actions sets GITHUB_REPOSITORY itself).",
              file=sys.stderr)
    return bool(missing)


def _client(inputs: Inputs, sleep: Callable[[float], None], now: Callable[[], float],
            timeout: float) -> GitHub:
    return GitHub(inputs.api_url or "https://api.github.com", inputs.repository, inputs.github_token,
                  sleep=sleep, now=now, timeout=timeout)


def _cancel_kind(github: GitHub, inputs: Inputs, say: Say) -> str:
    """Ask the jobs API how long the run job ran: a person's cancel is not a failure, a timeout is."""
    try:
        jobs = github.run_jobs(inputs.run_id, inputs.run_attempt or "1")
    except (GitHubError, requests.RequestException, ValueError) as exc:
        say("warning", f"notify: cannot read this run's jobs ({exc}); give the notify job "
                       "`actions: read`. Treating the cancel as a failure.")
        return "cancelled"
    return classify_cancel(jobs, inputs.run_job or RUN_JOB, inputs.run_timeout or RUN_TIMEOUT)


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan notify [--needed]``, the shape every command shares."""
    result = Path(args.result) if args.result else None
    return triage(result, env) if getattr(args, "needed", False) else run(result, env)


def run(result: Path | None, env: Mapping[str, str], *, sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time, timeout: float = TIMEOUT) -> ExitCode:
    """The notify job: 0 whatever GitHub answers, 2 when it cannot even start."""
    inputs = _inputs(env)
    if inputs is None or _missing(inputs):
        return ExitCode.USAGE
    say = sayer(inputs)
    repo = inputs.repository
    run_url = f"{inputs.server_url or 'https://github.com'}/{repo}/actions/runs/{inputs.run_id}"
    key = f"run-{inputs.run_id}.{inputs.run_attempt or 1}" if inputs.run_id else f"local-{uuid.uuid4().hex}"
    github = _client(inputs, sleep, now, timeout)
    report = load(result, say)
    outcome = inputs.run_outcome
    if is_dry_run(report, inputs.dry_run):
        print("dry run: the dailyplan issues are left as they are")
        return ExitCode.OK
    if report is None and outcome not in BROKEN:
        return ExitCode.OK  # nothing to open and nothing that could close an issue: not even a request
    failing = outcome in BROKEN or any(a.get("status") == Status.FAILED
                                       for a in (report or {}).get("accounts", []))
    api = inputs.api_url or "https://api.github.com"
    try:
        if outcome == "cancelled":
            outcome = _cancel_kind(github, inputs, say)
            if outcome == "cancelled-by-person":
                print("the run was cancelled by hand before its timeout: not a failure, no issue")
                failing = False
                if report is None:
                    return ExitCode.OK
        notifier = Notifier(github, inputs.issue_label or "dailyplan", key, say)
        open_issues = notifier.open_issues()
        closed = notifier.closed_titles(report, open_issues) if report else set()
        notifier.carry_out(decide(report, outcome, open_issues, closed, run_url))
    except IssuesDisabled:
        if failing:  # a green run had nothing to report: do not nag every fork every day
            say("error", f"Issues are turned off for {repo}, so no failure issue was opened. Turn them on "
                         "under Settings → General → Features → Issues (or ignore this: the red run already "
                         "emailed you).")
    except RateLimited as exc:
        say("warning", f"notify: GitHub's rate limit ({exc}), so the dailyplan issues were not updated "
                       f"(at most {MAX_ATTEMPTS} tries, a minute's wait each); the next run catches up.")
    except GitHubError as exc:
        say("warning", f"notify: {exc}; {STATUS_HINTS.get(exc.status, 'issues not updated.')}")
    except requests.RequestException as exc:
        say("warning", f"notify: could not reach {api} ({exc.__class__.__name__}); issues not updated.")
    except Exception as exc:  # a bug here must not turn a green run red
        say("warning", f"notify: unexpected {exc.__class__.__name__}; issues not updated. Run "
                       "`python -m runner notify --result FILE` locally to see more.")
    return ExitCode.OK


def triage(result: Path | None, env: Mapping[str, str], *, sleep: Callable[[float], None] = time.sleep,
           timeout: float = 10.0) -> ExitCode:
    """The run job's last step: ``needed=true|false`` in GITHUB_OUTPUT; unsure means true."""
    inputs = _inputs(env)
    if inputs is None:
        return ExitCode.USAGE  # the step fails, its output is missing, and notify runs
    say = sayer(inputs)
    report = load(result, say)
    if is_dry_run(report, inputs.dry_run):
        answer, why = False, "a dry run leaves the issues as they are"
    elif needed(report, inputs.run_outcome, 0):
        answer, why = True, "this run has something to report"
    elif inputs.github_token and inputs.repository:
        label = inputs.issue_label or "dailyplan"
        try:
            listed = _client(inputs, sleep, time.time, timeout).get(
                "/issues", labels=label, state="open", per_page=1).json()
            answer = bool(listed)
            why = f"a {label} issue is open" if answer else f"a healthy run and no open {label} issue"
        except (GitHubError, requests.RequestException, ValueError) as exc:
            answer, why = True, f"cannot list the open issues ({exc.__class__.__name__}: {exc})"
    else:
        answer, why = True, "no GITHUB_TOKEN to look for open issues"
    print(f"notify needed: {'yes' if answer else 'no'} ({why})")
    if inputs.output:
        with Path(inputs.output).open("a", encoding="utf-8") as out:
            out.write(f"needed={'true' if answer else 'false'}\n")
    return ExitCode.OK
