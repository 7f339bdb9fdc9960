"""A dress rehearsal of daily-plan.yml: its own ``run:`` steps, in order, in bash, as Actions runs them.

The workflow's shell lines and ``env:`` blocks are read from the YAML, ``${{ }}`` expressions are
filled in from a test's secrets and inputs, and each step runs in ``bash -eo pipefail`` with the
variables Actions provides (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_REPOSITORY, GITHUB_API_URL,
...). The team system is the in-process sandbox and GitHub is the fake, both on loopback, so the
whole chain runs: secrets → runner → result file → notify → issues. ``uses:`` steps are skipped
(checkout, Python and the artifact hand-over are the same working directory here), and so is the
dependency install (the test's venv already has them; no network).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from expressions import Evaluator, job_runs
from fake_github import FakeGitHub

from runner.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "daily-plan.yml"
TOKEN = "ghs_CANARYrehearsal456"
REPO = "octo/plans"
PASSWORD = "pw-alice-CANARY-rehearsal"
ALICE = "dailyplan: account alice is failing"
MISSED = "dailyplan: alice has no plan for 2026-11-20"
CONFIG = """\
[site]
base_url = "http://127.0.0.1:1"   # DAILYPLAN_BASE_URL overrides

[[accounts]]
id = "alice"
username = "alice"
plan = "继续重构支付接口"
github = "alice-gh"
"""
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Step:
    name: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Rehearsal:
    """One workflow run: each job's result and each step that ran, by job."""

    jobs: dict[str, str] = field(default_factory=dict)
    steps: dict[str, list[Step]] = field(default_factory=dict)
    summary: str = ""

    def out(self, job: str) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps.get(job, []))


def evaluate(expression: str, context: dict[str, Any]) -> str:
    """A ``${{ }}`` in an ``env:`` or ``outputs:`` value, as the string Actions passes on."""
    for function in ("always()", "success()", "failure()", "cancelled()"):
        assert function not in expression, f"status function {function} belongs in `if:`"
    value = Evaluator(context, {})(expression)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def substitute(text: str, context: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: evaluate(m.group(1), context), str(text))


def read_outputs(path: Path) -> dict[str, str]:
    """``name=value`` lines a step appended to GITHUB_OUTPUT."""
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def rehearse(workdir: Path, github: FakeGitHub, secrets: dict[str, str], inputs: dict[str, Any],
             event: str = "workflow_dispatch", variables: dict[str, str] | None = None) -> Rehearsal:
    """Run daily-plan.yml's jobs in ``needs`` order, in a fresh working directory per run."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    workdir.mkdir(parents=True)
    summary = workdir.parent / f"{workdir.name}-summary.md"
    base = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(workdir), "PYTHONPATH": str(ROOT), "PYTHONUTF8": "1", "LANG": "C.UTF-8",
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event,
        "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url,
        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "4242",
        "GITHUB_WORKSPACE": str(workdir), "RUNNER_TEMP": str(workdir.parent),
        "GITHUB_STEP_SUMMARY": str(summary), "DAILYPLAN_LOCK_FILE": str(workdir / ".lock"),
    }
    context: dict[str, Any] = {"secrets": secrets, "vars": variables or {}, "needs": {}, "steps": {},
                               "github": {"token": TOKEN, "event_name": event},
                               "inputs": inputs if event == "workflow_dispatch" else {}}
    rehearsal = Rehearsal()
    for name, job in workflow["jobs"].items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        upstream_failed = any(rehearsal.jobs[n] != "success" for n in needs)
        if not job_runs(job.get("if"), context, upstream_failed=upstream_failed):
            rehearsal.jobs[name] = "skipped"
            context["needs"][name] = {"result": "skipped", "outputs": {}}
            continue
        context["steps"], failed, ran = {}, False, []
        for index, step in enumerate(job["steps"]):
            if "uses" in step or "pip install" in step.get("run", ""):
                continue
            if not job_runs(step.get("if"), context, upstream_failed=failed):
                continue
            output = workdir.parent / f"{workdir.name}-{name}-{index}-output"
            env = {**base, "GITHUB_OUTPUT": str(output),
                   **{k: substitute(v, context) for k, v in step.get("env", {}).items()}}
            script = workdir.parent / f"{workdir.name}-{name}-step.sh"
            script.write_text(step["run"], encoding="utf-8")
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=workdir, env=env, capture_output=True, text=True,
                                  timeout=min(60 * step.get("timeout-minutes", 1), 120))
            ran.append(Step(step.get("name", step["run"]), proc.returncode, proc.stdout, proc.stderr))
            outcome = "success" if proc.returncode == 0 else "failure"
            if "id" in step:
                context["steps"][step["id"]] = {"outcome": outcome, "conclusion": outcome,
                                                "outputs": read_outputs(output)}
            failed = failed or (proc.returncode != 0 and not step.get("continue-on-error"))
        rehearsal.steps[name] = ran
        rehearsal.jobs[name] = "failure" if failed else "success"
        outputs = {key: substitute(value, context) for key, value in job.get("outputs", {}).items()}
        context["needs"][name] = {"result": rehearsal.jobs[name], "outputs": outputs}
    rehearsal.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return rehearsal


@pytest.fixture
def github():
    with FakeGitHub(TOKEN, REPO) as fake:
        yield fake


@pytest.fixture
def alice(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", PASSWORD, plans={"2026-11-19": "2026.11.19\n修复登录 bug"})
    return sandbox


def secrets_for(sb: Sandbox, password: str = PASSWORD) -> dict[str, str]:
    return {"DAILYPLAN_CONFIG": CONFIG, "DAILYPLAN_BASE_URL": sb.url, "DAILYPLAN_PASSWORD": password}


def dispatch(date: str) -> dict[str, Any]:
    return {"date": date, "dry_run": False, "force": False, "account": ""}


def assert_no_leak(run: Rehearsal, password: str, github: FakeGitHub | None = None) -> None:
    """Neither the site's password nor the GitHub token shows in any step's output or the summary,
    except in the ``::add-mask::`` line that tells GitHub to hide the password; and no issue body
    or comment carries either of them, or the plan's text."""
    for job, steps in run.steps.items():
        for step in steps:
            text = (step.stdout + step.stderr).replace(f"::add-mask::{password}\n", "")
            assert password not in text and TOKEN not in text, (job, step.name)
    assert password not in run.summary
    for issue in github.issues if github else []:
        for text in (issue.title, issue.body, *issue.comments):
            assert password not in text and TOKEN not in text and "继续重构支付接口" not in text


def test_a_good_day_files_the_plan_and_bills_no_notify_job(alice, github, tmp_path) -> None:
    run = rehearse(tmp_path / "run1", github, secrets_for(alice), dispatch("2026-11-20"))

    assert run.jobs == {"run": "success", "notify": "skipped"}, run.out("run")
    assert "notify needed: no (a healthy run and no open dailyplan issue)" in run.out("run")
    assert alice.plans["alice"]["2026-11-20"].startswith("2026.11.20\n继续重构支付接口")
    assert "| alice | ✅ submitted |" in run.summary
    result = json.loads((tmp_path / "run1" / "result.json").read_text(encoding="utf-8"))
    assert [a["status"] for a in result["accounts"]] == ["submitted"]
    assert github.issues == [] and github.log == [f"GET /repos/{REPO}/issues"]
    assert_no_leak(run, PASSWORD)


@pytest.mark.catalogue("security", "failure issues opened, commented and closed by the workflow",
                        "no password, token or plan text in any issue title, body or comment")
def test_a_failure_opens_an_issue_and_the_next_good_day_closes_it(alice, github, tmp_path) -> None:
    broken = rehearse(tmp_path / "run1", github, secrets_for(alice, "wrong-password"),
                      dispatch("2026-11-20"))

    assert broken.jobs == {"run": "failure", "notify": "success"}
    assert "::error title=dailyplan alice::auth: " in broken.out("run")
    assert "opened #1: dailyplan: account alice is failing" in broken.out("notify")
    [issue] = github.issues
    assert (issue.title, issue.state, issue.labels) == (ALICE, "open", ["dailyplan"])
    assert "reason: `auth`" in issue.body and "@alice-gh" in issue.body
    assert "https://github.com/octo/plans/actions/runs/4242" in issue.body
    assert_no_leak(broken, "wrong-password", github)

    fixed = rehearse(tmp_path / "run2", github, secrets_for(alice), dispatch("2026-11-23"))

    assert fixed.jobs == {"run": "success", "notify": "success"}
    assert "notify needed: yes (this run has something to report)" in fixed.out("run")
    assert f"closed #1: {ALICE}" in fixed.out("notify")
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert issue.comments[-1].startswith("Recovered: 2026-11-23 submitted")
    # Friday was never filed: the Monday run's history read shows the hole, and it reaches a person
    assert f"opened #2: {MISSED}" in fixed.out("notify")
    assert_no_leak(fixed, PASSWORD, github)

    late = rehearse(tmp_path / "run3", github, secrets_for(alice), dispatch("2026-11-20"))

    assert late.jobs == {"run": "success", "notify": "success"}  # #2 is open: notify has work
    assert "notify needed: yes (a dailyplan issue is open)" in late.out("run")
    assert f"closed #2: {MISSED}" in late.out("notify")
    assert github.open_titles() == []
    assert_no_leak(late, PASSWORD, github)


def test_a_run_that_dies_before_its_result_opens_the_run_issue(alice, github, tmp_path) -> None:
    secrets = {**secrets_for(alice), "DAILYPLAN_CONFIG": CONFIG.replace("[site]", "[site]\nbase_ulr = 1")}

    run = rehearse(tmp_path / "run1", github, secrets, dispatch("2026-11-20"))

    assert run.jobs == {"run": "failure", "notify": "success"}
    assert [s.returncode for s in run.steps["run"]] == [2, 0]  # the run, then triage
    assert "unknown key site.base_ulr" in run.out("run")
    assert not (tmp_path / "run1" / "result.json").exists()
    assert [(i.title, i.state) for i in github.issues] == [("dailyplan: the run failed", "open")]


def test_not_configured_stays_green_and_quiet(github, tmp_path) -> None:
    secrets = dict.fromkeys(("DAILYPLAN_CONFIG", "DAILYPLAN_BASE_URL", "DAILYPLAN_PASSWORD"), "")

    run = rehearse(tmp_path / "run1", github, secrets, {}, event="schedule")

    assert run.out("run").startswith("::notice title=dailyplan::dailyplan is not configured here")
    assert not (tmp_path / "run1" / "result.json").exists()
    # no result: triage cannot vouch for anything, so notify runs, and finds nothing to do
    assert run.jobs == {"run": "success", "notify": "success"}
    assert run.out("notify") == "" and github.log == []


def test_paused_skips_the_scheduled_run_but_not_a_manual_one(alice, github, tmp_path) -> None:
    paused = {"DAILYPLAN_PAUSED": "true"}

    skipped = rehearse(tmp_path / "run1", github, secrets_for(alice), {}, event="schedule",
                       variables=paused)

    assert skipped.jobs == {"run": "skipped", "notify": "skipped"} and skipped.steps == {}
    assert github.log == [] and list(alice.plans["alice"]) == ["2026-11-19"]

    manual = rehearse(tmp_path / "run2", github, secrets_for(alice), dispatch("2026-11-20"),
                      variables=paused)

    assert manual.jobs == {"run": "success", "notify": "skipped"}
    assert "2026-11-20" in alice.plans["alice"]


def test_a_dry_run_leaves_the_issues_and_bills_no_notify_job(alice, github, tmp_path) -> None:
    github.add_issue(ALICE, ["dailyplan"])

    run = rehearse(tmp_path / "run1", github, secrets_for(alice),
                   {**dispatch("2026-11-20"), "dry_run": True})

    assert run.jobs == {"run": "success", "notify": "skipped"}
    assert "notify needed: no (a dry run leaves the issues as they are)" in run.out("run")
    assert github.log == [] and github.open_titles() == [ALICE]
