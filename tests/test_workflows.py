"""The workflows keep the promises their comments make: schedule, least privilege, pinned actions.

YAML is a poor place for logic and a good place for mistakes no test would otherwise see: an
unpinned action, a ``${{ }}`` spliced into a shell script, a write permission on the job that holds
the site's secrets. These checks read the files as GitHub does and fail on exactly those.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from expressions import job_runs

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
DAILY = WORKFLOWS / "daily-plan.yml"
CI = WORKFLOWS / "ci.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
# The newest release of each action, checked on 2026-12-01 against the action's own repository:
# `git rev-parse <tag>^{commit}` on a fresh clone, and `runs.using: node24` in that commit's
# action.yml. A Dependabot update to a later release of the same or a newer major passes (every
# release since these majors is Node 24); one that goes back, or a wrong SHA for a release named
# here, fails.
PINS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1", "node24"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0", "node24"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0", "node24"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1", "node24"),
}


def load(path: Path) -> dict[str, Any]:
    """YAML 1.1 reads the key ``on`` as True; put it back where GitHub reads it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.fixture(scope="module")
def daily() -> dict[str, Any]:
    return load(DAILY)


@pytest.fixture(scope="module", params=[DAILY, CI], ids=lambda p: p.name)
def workflow(request: pytest.FixtureRequest) -> tuple[Path, dict[str, Any]]:
    return request.param, load(request.param)


def test_schedule_has_several_odd_minute_slots_every_day_in_shanghai_time(daily) -> None:
    slots = daily["on"]["schedule"]
    assert len(slots) >= 3
    for slot in slots:
        minute, hour, *days = slot["cron"].split()
        assert days == ["*", "*", "*"], f"{slot['cron']}: make-up workdays fall on weekends"
        assert minute.isdigit() and int(minute) % 2 == 1, f"{slot['cron']}: use an odd minute"
        assert int(minute) != 0 and hour.isdigit()
        assert slot["timezone"] == "Asia/Shanghai"
    assert len({s["cron"] for s in slots}) == len(slots)


def test_manual_runs_take_date_dry_run_force_and_account(daily) -> None:
    inputs = daily["on"]["workflow_dispatch"]["inputs"]
    assert {name: spec["type"] for name, spec in inputs.items()} == {
        "date": "string", "dry_run": "boolean", "force": "boolean", "account": "string"}
    assert inputs["dry_run"]["default"] is False and inputs["force"]["default"] is False


def test_permissions_are_least_privilege_per_job(workflow) -> None:
    path, data = workflow
    assert data["permissions"] == {}, f"{path.name}: grant per job, not to the whole workflow"
    wanted = {"run": {"contents": "read", "issues": "read"},
              "notify": {"contents": "read", "issues": "write", "actions": "read"}}
    for name, job in data["jobs"].items():
        expected = wanted.get(name, {"contents": "read"}) if path == DAILY else {"contents": "read"}
        assert job["permissions"] == expected, f"{path.name}: job {name}"


def test_only_notify_can_write_and_only_run_sees_the_sites_secrets(daily) -> None:
    for name, job in daily["jobs"].items():
        text = yaml.safe_dump(job)
        assert ("secrets." in text) == (name == "run"), name
        assert ("write" in job["permissions"].values()) == (name == "notify"), name


def test_one_run_at_a_time_and_never_cancelled_mid_submit(daily) -> None:
    assert daily["concurrency"] == {"group": "dailyplan", "cancel-in-progress": False}


def test_every_job_and_the_slow_steps_have_timeouts(workflow) -> None:
    path, data = workflow
    for name, job in data["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{path.name}: job {name}"
        for step in job["steps"]:
            if "run" in step and "python -m runner" in step["run"]:
                assert step.get("timeout-minutes", 99) < job["timeout-minutes"], step["name"]


@pytest.mark.catalogue("fault", "a hung step in the run job",
                       "its own timeout fails the step (job `failure`) before the job's timeout could cancel it")
def test_the_run_jobs_step_timeouts_add_up_to_less_than_the_job_timeout(daily) -> None:
    """So the job's own timeout (a `cancelled` job) cannot come first: cancelled means a person."""
    for name, job in daily["jobs"].items():
        timeouts = [step.get("timeout-minutes") for step in job["steps"]]
        assert all(isinstance(t, int) for t in timeouts), f"{name}: every step needs timeout-minutes"
        assert sum(timeouts) < job["timeout-minutes"], name


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version(workflow) -> None:
    path, data = workflow
    text = path.read_text(encoding="utf-8")
    for step in steps(data):
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{path.name}: {step['uses']} is not pinned by SHA"
            assert re.search(re.escape(step["uses"]) + r" # v\d+\.\d+\.\d+$", text, re.M), (
                f"{path.name}: {step['uses']} needs a `# vX.Y.Z` comment")


def _version(tag: str) -> tuple[int, ...]:
    return tuple(int(n) for n in tag.lstrip("v").split("."))


def test_every_action_is_a_verified_node24_release_or_newer(workflow) -> None:
    path, data = workflow
    text = path.read_text(encoding="utf-8")
    used = {step["uses"].split("@")[0] for step in steps(data) if "uses" in step}
    assert used <= set(PINS), f"{path.name}: verify {used - set(PINS)} and add it to PINS"
    for action in used:
        sha, version, runtime = PINS[action]
        assert runtime == "node24", f"{action}: Node 20 actions stop running on GitHub's runners"
        pins = set(re.findall(rf"uses: {re.escape(action)}@(\S+) # (\S+)", text))
        assert len(pins) == 1, f"{path.name}: {action} is pinned to {len(pins)} different commits"
        [(used_sha, used_version)] = pins
        assert _version(used_version) >= _version(version), f"{path.name}: {action} went back"
        if used_version == version:
            assert used_sha == sha, f"{path.name}: {action} {version} is {sha}, not {used_sha}"


def test_dependabot_keeps_actions_and_pip_current_weekly_and_grouped() -> None:
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    for ecosystem, update in updates.items():
        assert update["directory"] == "/" and update["schedule"]["interval"] == "weekly", ecosystem
        assert update["groups"], f"{ecosystem}: one pull request per week, not one per package"


@pytest.mark.catalogue("security", "template injection in workflows", "no `${{ }}` inside any `run:`; inputs and secrets via `env:`")
def test_no_expression_is_spliced_into_a_shell_script(workflow) -> None:
    path, data = workflow
    for step in steps(data):
        if "run" in step:
            assert "${{" not in step["run"], f"{path.name}: pass {step['run']!r} values via env:"


def test_checkouts_do_not_leave_the_token_behind(workflow) -> None:
    path, data = workflow
    checkouts = [s for s in steps(data) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False, path.name


def test_run_step_gets_secrets_and_inputs_through_env_only(daily) -> None:
    run = next(s for s in daily["jobs"]["run"]["steps"] if s.get("id") == "run")
    assert run["run"] == "python -m runner run --if-configured --result result.json"
    assert run["env"] == {
        **{name: f"${{{{ secrets.{name} }}}}" for name in (
            "DAILYPLAN_CONFIG", "DAILYPLAN_BASE_URL", "DAILYPLAN_PASSWORD", "DAILYPLAN_TOKEN",
            "DAILYPLAN_SECRETS")},
        "DAILYPLAN_HEARTBEAT_URL": "${{ secrets.DAILYPLAN_HEARTBEAT_URL || vars.DAILYPLAN_HEARTBEAT_URL }}",
        "DAILYPLAN_DATE": "${{ inputs.date }}", "DAILYPLAN_DRY_RUN": "${{ inputs.dry_run }}",
        "DAILYPLAN_FORCE": "${{ inputs.force }}", "DAILYPLAN_ACCOUNT": "${{ inputs.account }}"}


def context(event: str = "schedule", paused: str | None = None, result: str = "success",
            notify: str | None = None) -> dict[str, Any]:
    return {"github": {"event_name": event}, "vars": {"DAILYPLAN_PAUSED": paused} if paused else {},
            "needs": {"run": {"result": result, "outputs": {"notify": notify} if notify else {}}}}


@pytest.mark.parametrize(("event", "paused", "runs"), [
    ("schedule", None, True), ("schedule", "true", False), ("schedule", "TRUE", False),
    ("schedule", "false", True), ("workflow_dispatch", "true", True), ("workflow_dispatch", None, True)])
def test_paused_skips_scheduled_runs_at_the_if_level_but_not_manual_ones(daily, event, paused, runs):
    job = daily["jobs"]["run"]
    assert job_runs(job["if"], context(event, paused), upstream_failed=False) is runs
    if not runs:  # skipped: notify must not start either (no runner, nothing billed)
        notify = daily["jobs"]["notify"]
        ctx = context(event, paused, result="skipped")
        assert job_runs(notify["if"], ctx, upstream_failed=True) is False


@pytest.mark.parametrize(("result", "output", "runs"), [
    ("success", "false", False),  # a healthy day: one job billed, not two
    ("success", "true", True),  # something to report, or an open issue to keep
    ("success", None, True),  # the run job never said: notify decides
    ("failure", "false", True), ("failure", None, True),
    ("cancelled", None, True),  # a timeout or a person: notify asks the jobs API which
    ("skipped", None, False)])
def test_notify_runs_when_the_run_job_failed_timed_out_never_reported_or_asked(daily, result, output, runs):
    notify = daily["jobs"]["notify"]
    ctx = context(result=result, notify=output)
    upstream_failed = result != "success"
    assert job_runs(notify["if"], ctx, upstream_failed=upstream_failed) is runs
    assert job_runs(notify["if"], {**ctx, "github": {"event_name": "workflow_dispatch"}},
                    upstream_failed=upstream_failed) is runs


def test_the_run_job_reports_whether_notify_has_work(daily) -> None:
    run = daily["jobs"]["run"]
    assert run["outputs"] == {"notify": "${{ steps.triage.outputs.needed }}"}
    triage = run["steps"][-1]
    assert (triage["id"], triage["if"]) == ("triage", "always()")
    assert triage["run"] == "python -m runner notify --needed --result result.json"
    assert triage["env"] == {"GITHUB_TOKEN": "${{ github.token }}",
                             "DAILYPLAN_RUN_OUTCOME": "${{ steps.run.outcome }}",
                             "DAILYPLAN_DRY_RUN": "${{ inputs.dry_run }}"}


def test_notify_runs_after_any_outcome_of_run_with_the_job_token(daily) -> None:
    notify = daily["jobs"]["notify"]
    assert notify["needs"] == "run"
    step = notify["steps"][-1]
    assert step["run"] == "python -m runner notify --result result.json"
    run = daily["jobs"]["run"]
    assert step["env"] == {"GITHUB_TOKEN": "${{ github.token }}",
                           "DAILYPLAN_RUN_OUTCOME": "${{ needs.run.result }}",
                           "DAILYPLAN_DRY_RUN": "${{ inputs.dry_run }}",
                           "DAILYPLAN_RUN_JOB": run["name"],
                           "DAILYPLAN_RUN_TIMEOUT": str(run["timeout-minutes"])}
    upload = next(s for s in daily["jobs"]["run"]["steps"] if "upload-artifact" in s.get("uses", ""))
    download = next(s for s in notify["steps"] if "download-artifact" in s.get("uses", ""))
    assert upload["if"] == "always()" and upload["with"]["if-no-files-found"] == "ignore"
    assert download["continue-on-error"] is True
    assert upload["with"]["name"] == download["with"]["name"]


def test_dependencies_install_from_the_hash_pinned_runtime_lock(daily) -> None:
    for job in daily["jobs"].values():
        installs = [s["run"] for s in job["steps"] if "pip install" in s.get("run", "")]
        assert installs == ["python -m pip install --disable-pip-version-check --require-hashes "
                            "-r requirements.lock"]
    assert (ROOT / "requirements.lock").is_file()


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed here; `make` installs it from requirements-dev.lock")
    return found


@pytest.mark.catalogue("security", "zizmor --offline on the workflows", "no findings")
def test_zizmor_finds_nothing() -> None:
    proc = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", str(WORKFLOWS)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_workflows_match_githubs_schema() -> None:
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           str(DAILY), str(CI)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
