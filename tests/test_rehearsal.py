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
from fake_github import FakeGitHub

from runner.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "daily-plan.yml"
TOKEN = "ghs_CANARYrehearsal456"
REPO = "octo/plans"
PASSWORD = "pw-alice-CANARY-rehearsal"
ALICE = "dailyplan: account alice is failing"
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
    """The few expressions the workflow uses: context lookups, 'literals' and ``a || b``."""
    for operand in (part.strip() for part in expression.split("||")):
        if operand.startswith("'") and operand.endswith("'"):
            value: Any = operand[1:-1]
        elif operand in ("always()", "success()"):
            raise AssertionError(f"status function {operand} belongs in `if:`")
        else:
            head, _, rest = operand.partition(".")
            assert head in context, f"the rehearsal does not know the expression {expression!r}"
            value = context[head]
            for key in rest.split("."):
                value = value.get(key, "") if isinstance(value, dict) else ""
        if isinstance(value, bool):
            value = "true" if value else "false"
        if value not in ("", None):
            return str(value)
    return ""


def substitute(text: str, context: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: evaluate(m.group(1), context), str(text))


def should_run(condition: str | None, failed: bool) -> bool:
    if condition is None:
        return not failed  # success(): the default
    condition = condition.strip().removeprefix("${{").removesuffix("}}").strip()
    assert condition in ("always()", "success()", "failure()"), f"unsupported if: {condition}"
    return {"always()": True, "success()": not failed, "failure()": failed}[condition]


def rehearse(workdir: Path, github: FakeGitHub, secrets: dict[str, str], inputs: dict[str, Any],
             event: str = "workflow_dispatch") -> Rehearsal:
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
    context: dict[str, Any] = {"secrets": secrets, "vars": {}, "needs": {}, "steps": {},
                               "github": {"token": TOKEN, "event_name": event},
                               "inputs": inputs if event == "workflow_dispatch" else {}}
    rehearsal = Rehearsal()
    for name, job in workflow["jobs"].items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        upstream_failed = any(rehearsal.jobs[n] != "success" for n in needs)
        if not should_run(job.get("if"), upstream_failed):
            rehearsal.jobs[name] = "skipped"
            continue
        context["steps"], failed, ran = {}, False, []
        for step in job["steps"]:
            if "uses" in step or "pip install" in step.get("run", ""):
                continue
            if not should_run(step.get("if"), failed):
                continue
            output = workdir.parent / f"{workdir.name}-{name}-output"
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
                context["steps"][step["id"]] = {"outcome": outcome, "conclusion": outcome}
            failed = failed or (proc.returncode != 0 and not step.get("continue-on-error"))
        rehearsal.steps[name] = ran
        rehearsal.jobs[name] = "failure" if failed else "success"
        context["needs"][name] = {"result": rehearsal.jobs[name]}
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


def test_a_good_day_files_the_plan_and_opens_no_issue(alice, github, tmp_path) -> None:
    run = rehearse(tmp_path / "run1", github, secrets_for(alice), dispatch("2026-11-20"))

    assert run.jobs == {"run": "success", "notify": "success"}, run.out("run")
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
    assert f"closed #1: {ALICE}" in fixed.out("notify")
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert issue.comments[-1].startswith("Recovered: 2026-11-23 submitted")
    assert_no_leak(fixed, PASSWORD, github)


def test_a_run_that_dies_before_its_result_opens_the_run_issue(alice, github, tmp_path) -> None:
    secrets = {**secrets_for(alice), "DAILYPLAN_CONFIG": CONFIG.replace("[site]", "[site]\nbase_ulr = 1")}

    run = rehearse(tmp_path / "run1", github, secrets, dispatch("2026-11-20"))

    assert run.jobs == {"run": "failure", "notify": "success"}
    assert [s.returncode for s in run.steps["run"]] == [2]
    assert "unknown key site.base_ulr" in run.out("run")
    assert not (tmp_path / "run1" / "result.json").exists()
    assert [(i.title, i.state) for i in github.issues] == [("dailyplan: the run failed", "open")]


def test_not_configured_stays_green_and_quiet(github, tmp_path) -> None:
    secrets = dict.fromkeys(("DAILYPLAN_CONFIG", "DAILYPLAN_BASE_URL", "DAILYPLAN_PASSWORD"), "")

    run = rehearse(tmp_path / "run1", github, secrets, {}, event="schedule")

    assert run.jobs == {"run": "success", "notify": "success"}
    assert run.out("run").startswith("::notice title=dailyplan::dailyplan is not configured here")
    assert not (tmp_path / "run1" / "result.json").exists()
    assert run.out("notify") == "" and github.log == []
