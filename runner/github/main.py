"""``dailyplan notify``: read the result and the environment Actions gives, then let notify act.

``run`` is the notify job (issues: write). ``triage`` is the run job's last step (issues: read):
one read at most, and a step output ``needed=true|false`` so the notify job starts only on days
it has something to do. Both exit 0 whatever GitHub answers: the run's own exit is the verdict.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import requests

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
from runner.status import Status

Say = Callable[[str, str], None]
RUN_JOB = "file the plan"  # the run job's `name:` in daily-plan.yml
RUN_TIMEOUT = 15  # its `timeout-minutes:`; the workflow passes both, a test keeps them equal


def sayer(env: Mapping[str, str]) -> Say:
    actions = env.get("GITHUB_ACTIONS") == "true"

    def say(level: str, text: str) -> None:
        if actions:  # workflow-command data must escape %, CR and LF, or the annotation is cut short
            text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(f"::{level} title=dailyplan::{text}", flush=True)
        else:
            print(f"{level}: {text}", file=sys.stderr)

    return say


def _missing(env: Mapping[str, str]) -> int | None:
    missing = [name for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(name)]
    if not missing:
        return None
    print(f"error: notify needs {' and '.join(missing)}; in the workflow set GITHUB_TOKEN: "
          "${{ github.token }} in the step's env (Actions sets GITHUB_REPOSITORY itself).", file=sys.stderr)
    return 2


def _client(env: Mapping[str, str], sleep: Callable[[float], None], now: Callable[[], float],
            timeout: float) -> GitHub:
    api = env.get("GITHUB_API_URL") or "https://api.github.com"
    return GitHub(api, env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"], sleep=sleep, now=now, timeout=timeout)


def _cancel_kind(github: GitHub, env: Mapping[str, str], say: Say) -> str:
    """Ask the jobs API how long the run job ran: a person's cancel is not a failure, a timeout is."""
    try:
        jobs = github.run_jobs(env.get("GITHUB_RUN_ID", ""), env.get("GITHUB_RUN_ATTEMPT") or "1")
        timeout = int(env.get("DAILYPLAN_RUN_TIMEOUT") or RUN_TIMEOUT)
    except (GitHubError, requests.RequestException, ValueError) as exc:
        say("warning", f"notify: cannot read this run's jobs ({exc}); give the notify job "
                       "`actions: read`. Treating the cancel as a failure.")
        return "cancelled"
    return classify_cancel(jobs, env.get("DAILYPLAN_RUN_JOB") or RUN_JOB, timeout)


def run(result: Path | None, env: Mapping[str, str], *, sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time, timeout: float = TIMEOUT) -> int:
    """The notify job: 0 whatever GitHub answers, 2 when it cannot even start."""
    if (code := _missing(env)) is not None:
        return code
    say = sayer(env)
    repo = env["GITHUB_REPOSITORY"]
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    run_id = env.get("GITHUB_RUN_ID", "")
    run_url = f"{server}/{repo}/actions/runs/{run_id}"
    key = f"run-{run_id}.{env.get('GITHUB_RUN_ATTEMPT') or 1}" if run_id else f"local-{uuid.uuid4().hex}"
    github = _client(env, sleep, now, timeout)
    report = load(result, say)
    outcome = env.get("DAILYPLAN_RUN_OUTCOME", "").strip().lower()
    if is_dry_run(report, env):
        print("dry run: the dailyplan issues are left as they are")
        return 0
    if report is None and outcome not in BROKEN:
        return 0  # nothing to open and nothing that could close an issue: not even a request
    failing = outcome in BROKEN or any(a.get("status") == Status.FAILED
                                       for a in (report or {}).get("accounts", []))
    api = env.get("GITHUB_API_URL") or "https://api.github.com"
    try:
        if outcome == "cancelled":
            outcome = _cancel_kind(github, env, say)
            if outcome == "cancelled-by-person":
                print("the run was cancelled by hand before its timeout: not a failure, no issue")
                failing = False
                if report is None:
                    return 0
        notifier = Notifier(github, env.get("DAILYPLAN_ISSUE_LABEL") or "dailyplan", key, say)
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
    return 0


def triage(result: Path | None, env: Mapping[str, str], *, sleep: Callable[[float], None] = time.sleep,
           timeout: float = 10.0) -> int:
    """The run job's last step: ``needed=true|false`` in GITHUB_OUTPUT; unsure means true."""
    say = sayer(env)
    report = load(result, say)
    outcome = env.get("DAILYPLAN_RUN_OUTCOME", "").strip().lower()
    if is_dry_run(report, env):
        answer, why = False, "a dry run leaves the issues as they are"
    elif needed(report, outcome, 0):
        answer, why = True, "this run has something to report"
    elif env.get("GITHUB_TOKEN") and env.get("GITHUB_REPOSITORY"):
        label = env.get("DAILYPLAN_ISSUE_LABEL") or "dailyplan"
        try:
            listed = _client(env, sleep, time.time, timeout).get(
                "/issues", labels=label, state="open", per_page=1).json()
            answer = bool(listed)
            why = f"a {label} issue is open" if answer else f"a healthy run and no open {label} issue"
        except (GitHubError, requests.RequestException, ValueError) as exc:
            answer, why = True, f"cannot list the open issues ({exc.__class__.__name__}: {exc})"
    else:
        answer, why = True, "no GITHUB_TOKEN to look for open issues"
    print(f"notify needed: {'yes' if answer else 'no'} ({why})")
    if output := env.get("GITHUB_OUTPUT"):
        with Path(output).open("a", encoding="utf-8") as out:
            out.write(f"needed={'true' if answer else 'false'}\n")
    return 0
