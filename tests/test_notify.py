"""notify against a fake GitHub, recorded into cassettes (``make record``) and replayed offline.

The fake runs in both modes, but requests only reach it while recording; when replaying, vcr
answers from the cassette. So every test asserts on what works both ways: notify's exit code,
what it printed, and the requests in the cassette (which, replaying, must all have been played).
The fake's own state is checked too, but only while recording (``live``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_github import FakeGitHub

from runner.github import notify

TOKEN = "ghs_CANARYnotifytoken123"
REPO = "octo/plans"
RUN_URL = "https://github.com/octo/plans/actions/runs/4242"
ISSUES = f"/repos/{REPO}/issues"
ALICE = "dailyplan: account alice is failing"
CASSETTES = Path(__file__).parent / "cassettes" / "test_notify"
DISABLED = (
    "::error title=dailyplan::Issues are turned off for octo/plans, so no failure issue was "
    "opened. Turn them on under Settings → General → Features → Issues (or ignore this: the "
    "red run already emailed you).")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN, REPO) as fake:
        yield fake


@pytest.fixture
def live(request: pytest.FixtureRequest) -> bool:
    """True while recording: only then do requests reach the fake, so only then is its state real."""
    return (request.config.getoption("--record-mode") or "none") != "none"


def env_for(github: FakeGitHub, **extra: str) -> dict[str, str]:
    return {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url,
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "4242",
            "GITHUB_ACTIONS": "true", "DAILYPLAN_RUN_OUTCOME": "success", **extra}


def result_file(tmp_path: Path, day: str, *accounts: dict[str, Any]) -> Path:
    path = tmp_path / f"result-{day}.json"
    path.write_text(json.dumps({"date": day, "timezone": "Asia/Shanghai",
                                "accounts": list(accounts)}), encoding="utf-8")
    return path


def failed(account: str = "alice", reason: str = "auth", **extra: Any) -> dict[str, Any]:
    return {"id": account, "status": "failed", "reason": reason,
            "message": "login refused: wrong user name or password", **extra}


def ok(account: str = "alice", status: str = "submitted") -> dict[str, Any]:
    return {"id": account, "status": status, "reason": None, "message": "submitted and read back"}


def calls(cassette: Any) -> list[str]:
    """The requests notify made: recorded now, or replayed (then every one must have been)."""
    if cassette.rewound:
        assert cassette.all_played, "notify made fewer requests than the cassette holds"
    return [f"{r.method} {r.path}" for r in cassette.requests]


def made(cassette: Any) -> int:
    """How many requests notify has made so far in this test, in either mode."""
    return cassette.play_count if cassette.rewound else len(cassette.requests)


def sent(cassette: Any, index: int) -> dict[str, Any]:
    return json.loads(cassette.requests[index].body)


class Sleeps(list[float]):
    """Stands in for time.sleep: records the waits, never sleeps."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.mark.vcr
def test_first_failure_opens_an_issue_and_creates_the_label(github, live, vcr, tmp_path, capsys):
    result = result_file(tmp_path, "2026-11-20", failed(github="alice-gh"), ok("bob"))

    assert notify.run(result, env_for(github, DAILYPLAN_RUN_OUTCOME="failure")) == 0

    assert capsys.readouterr().out == f"opened #1: {ALICE}\n"
    assert calls(vcr) == [f"GET {ISSUES}", f"GET /repos/{REPO}/labels/dailyplan",
                          f"POST /repos/{REPO}/labels", f"POST {ISSUES}"]
    assert vcr.requests[0].query == [("labels", "dailyplan"), ("per_page", "100"),
                                     ("state", "open")]
    issue = sent(vcr, 3)
    assert issue["title"] == ALICE and issue["labels"] == ["dailyplan"]
    assert issue["body"].splitlines() == [
        "The daily plan for account `alice` was not filed on 2026-11-20.", "",
        "- reason: `auth`", "- message: login refused: wrong user name or password",
        f"- run: {RUN_URL}", "",
        "What to do: the site refused the login: check the DAILYPLAN_PASSWORD_<ID> or "
        "DAILYPLAN_TOKEN_<ID> secret.", "", "@alice-gh", "",
        "Every failing run comments here; the next healthy run closes this issue."]
    if live:
        assert github.open_titles() == [ALICE]
        assert github.labels["dailyplan"]["color"] == "d93f0b"


@pytest.mark.vcr
def test_a_repeat_failure_comments_instead_of_opening_a_second_issue(github, live, vcr, tmp_path,
                                                                      capsys):
    env = env_for(github, DAILYPLAN_RUN_OUTCOME="failure")
    notify.run(result_file(tmp_path, "2026-11-20", failed()), env)
    capsys.readouterr()

    assert notify.run(result_file(tmp_path, "2026-11-23", failed(reason="network")), env) == 0

    assert capsys.readouterr().out == f"commented on #1: {ALICE}\n"
    assert calls(vcr)[4:] == [f"GET {ISSUES}", f"POST {ISSUES}/1/comments"]
    assert sent(vcr, 5) == {"body": "Still failing on 2026-11-23: `network`: login refused: "
                                    f"wrong user name or password\n\nRun: {RUN_URL}"}
    if live:
        assert github.open_titles() == [ALICE] and len(github.issues[0].comments) == 1


@pytest.mark.vcr
def test_a_healthy_run_comments_recovered_and_closes(github, live, vcr, tmp_path, capsys):
    env = env_for(github, DAILYPLAN_RUN_OUTCOME="failure")
    notify.run(result_file(tmp_path, "2026-11-20", failed()), env)
    capsys.readouterr()
    env["DAILYPLAN_RUN_OUTCOME"] = "success"

    # a dry run proves nothing about submitting: it neither closes nor even looks
    assert notify.run(result_file(tmp_path, "2026-11-21", ok(status="previewed")), env) == 0
    assert made(vcr) == 4

    assert notify.run(result_file(tmp_path, "2026-11-23", ok()), env) == 0

    assert capsys.readouterr().out == f"commented on #1: {ALICE}\nclosed #1: {ALICE}\n"
    assert calls(vcr)[4:] == [f"GET {ISSUES}", f"POST {ISSUES}/1/comments", f"PATCH {ISSUES}/1"]
    assert sent(vcr, 5) == {"body": "Recovered: 2026-11-23 submitted: submitted and read back"
                                    f"\n\nRun: {RUN_URL}"}
    assert sent(vcr, 6) == {"state": "closed", "state_reason": "completed"}
    if live:
        assert github.issues[0].state == "closed"
        assert github.issues[0].state_reason == "completed"


@pytest.mark.catalogue("fault", "Issues turned off (410, the default in forks)",
                        "one annotation saying how to turn them on; exit 0, the red run still emails")
@pytest.mark.vcr
def test_issues_turned_off_explains_in_one_annotation_and_exits_0(github, vcr, tmp_path, capsys):
    github.issues_enabled = False
    env = env_for(github, DAILYPLAN_RUN_OUTCOME="failure")

    assert notify.run(result_file(tmp_path, "2026-11-20", failed()), env) == 0
    assert capsys.readouterr().out == DISABLED + "\n"

    # a green run has nothing to report, so it does not nag forks every day
    env["DAILYPLAN_RUN_OUTCOME"] = "success"
    assert notify.run(result_file(tmp_path, "2026-11-23", ok()), env) == 0
    assert capsys.readouterr().out == ""
    assert calls(vcr) == [f"GET {ISSUES}", f"GET {ISSUES}"]
    assert [r["status"]["code"] for r in vcr.responses] == [410, 410]


@pytest.mark.vcr
def test_429_waits_as_retry_after_says_then_carries_on(github, vcr, tmp_path, capsys):
    github.rate_limit(2, status=429, retry_after=7)
    sleeps = Sleeps()

    env = env_for(github, DAILYPLAN_RUN_OUTCOME="failure")
    assert notify.run(result_file(tmp_path, "2026-11-20", failed()), env, sleep=sleeps) == 0

    assert sleeps == [7.0, 7.0]
    assert capsys.readouterr().out == f"opened #1: {ALICE}\n"
    assert calls(vcr)[:3] == [f"GET {ISSUES}"] * 3
    assert [r["status"]["code"] for r in vcr.responses[:3]] == [429, 429, 200]


@pytest.mark.vcr
def test_403_with_no_requests_left_waits_for_the_reset_capped_at_a_minute(github, vcr, tmp_path,
                                                                          capsys):
    github.rate_limit(1, status=403, reset=1_800_000_030)
    github.rate_limit(1, status=403, reset=1_800_000_900)
    sleeps = Sleeps()

    env = env_for(github, DAILYPLAN_RUN_OUTCOME="failure")
    result = result_file(tmp_path, "2026-11-20", failed())
    assert notify.run(result, env, sleep=sleeps, now=lambda: 1_800_000_000.0) == 0

    assert sleeps == [30.0, 60.0]
    assert capsys.readouterr().out == f"opened #1: {ALICE}\n"
    assert [r["status"]["code"] for r in vcr.responses[:3]] == [403, 403, 200]


@pytest.mark.catalogue("fault", "GitHub rate limit (403/429) outlasting the retries during notify",
                        "waits as GitHub asks (capped), then one explaining line; exit 0")
@pytest.mark.vcr
def test_a_rate_limit_that_outlasts_the_retries_is_explained_not_raised(github, vcr, tmp_path,
                                                                         capsys):
    github.rate_limit(4, status=403, reset=1_800_000_600)
    sleeps = Sleeps()

    env = env_for(github, DAILYPLAN_RUN_OUTCOME="failure")
    result = result_file(tmp_path, "2026-11-20", failed())
    assert notify.run(result, env, sleep=sleeps, now=lambda: 1_800_000_000.0) == 0

    assert sleeps == [60.0, 60.0, 60.0]
    assert capsys.readouterr().out == (
        "::warning title=dailyplan::notify: GitHub's rate limit held after 4 attempts "
        f"(GET {ISSUES} answered 403), so the dailyplan issues were not updated; the next run "
        "catches up.\n")
    assert calls(vcr) == [f"GET {ISSUES}"] * 4


@pytest.mark.vcr
def test_a_run_that_died_without_a_result_opens_the_run_issue_and_recovers(github, live, vcr,
                                                                          tmp_path, capsys):
    env = env_for(github, DAILYPLAN_RUN_OUTCOME="cancelled")
    assert notify.run(tmp_path / "result.json", env) == 0
    assert capsys.readouterr().out == "opened #1: dailyplan: the run failed\n"
    assert made(vcr) == 4 and vcr.requests[3].method == "POST" and vcr.requests[3].path == ISSUES
    assert sent(vcr, 3)["body"].splitlines()[:3] == [
        "The dailyplan run ended `cancelled` before it wrote a result, so no account was "
        "reported.", "", f"- run: {RUN_URL}"]

    env["DAILYPLAN_RUN_OUTCOME"] = "success"
    assert notify.run(result_file(tmp_path, "2026-11-23", ok()), env) == 0

    assert capsys.readouterr().out == ("commented on #1: dailyplan: the run failed\n"
                                       "closed #1: dailyplan: the run failed\n")
    assert calls(vcr)[4:] == [f"GET {ISSUES}", f"POST {ISSUES}/1/comments", f"PATCH {ISSUES}/1"]
    if live:
        assert github.open_titles() == []


@pytest.mark.vcr
def test_no_result_and_a_green_run_does_nothing(github, vcr, tmp_path, capsys):
    assert notify.run(tmp_path / "result.json", env_for(github)) == 0
    assert notify.run(None, env_for(github, DAILYPLAN_RUN_OUTCOME="")) == 0

    assert capsys.readouterr() == ("", "")
    assert vcr.requests == [] and github.log == []


@pytest.mark.vcr
def test_an_open_issue_on_a_later_page_is_found_not_duplicated(github, live, vcr, tmp_path,
                                                               capsys):
    github.page_cap = 1  # one issue per page, so the account's issue is on page 2
    github.add_issue(ALICE, ["dailyplan"])
    github.add_issue("dailyplan: account bob is failing", ["dailyplan"])

    env = env_for(github, DAILYPLAN_RUN_OUTCOME="failure")
    assert notify.run(result_file(tmp_path, "2026-11-20", failed()), env) == 0

    assert capsys.readouterr().out == f"commented on #1: {ALICE}\n"
    assert calls(vcr) == [f"GET {ISSUES}", f"GET {ISSUES}", f"POST {ISSUES}/1/comments"]
    assert ("page", "2") in vcr.requests[1].query
    if live:
        assert len(github.issues) == 2


@pytest.mark.catalogue("fault", "the GitHub API failing during notify",
                        "one warning line naming the call; exit 0, so the run's own status stays the verdict")
@pytest.mark.vcr
def test_other_api_errors_warn_in_one_line_naming_the_call(github, vcr, tmp_path, capsys):
    env = env_for(github, GITHUB_TOKEN="ghs_wrong", DAILYPLAN_RUN_OUTCOME="failure")

    assert notify.run(result_file(tmp_path, "2026-11-20", failed()), env) == 0

    assert capsys.readouterr().out == (
        f"::warning title=dailyplan::notify: GET {ISSUES} answered 401; is GITHUB_TOKEN set to "
        "the job's token?\n")
    assert calls(vcr) == [f"GET {ISSUES}"]


def test_an_unreadable_result_counts_as_none_and_says_so_outside_actions(github, tmp_path, capsys):
    broken = tmp_path / "result.json"
    broken.write_text("{half a file", encoding="utf-8")
    env = {**env_for(github), "GITHUB_ACTIONS": ""}

    assert notify.run(broken, env) == 0

    assert capsys.readouterr() == ("", f"warning: notify: cannot read {broken} (JSONDecodeError); "
                                       "treating it as no result.\n")
    assert github.log == []


@pytest.mark.parametrize("missing", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_without_token_or_repository_it_is_a_usage_error(missing, tmp_path, capsys):
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO}
    del env[missing]

    assert notify.run(tmp_path / "result.json", env) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"error: notify needs {missing}; in the workflow set GITHUB_TOKEN: "
                   "${{ github.token }} in the step's env (Actions sets GITHUB_REPOSITORY "
                   "itself).\n")


def test_no_cassette_holds_the_token() -> None:
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert cassettes, "record them: make record"
    for cassette in cassettes:
        text = cassette.read_text(encoding="utf-8")
        assert TOKEN not in text and "CANARY" not in text, cassette.name
        assert "Bearer" not in text, cassette.name
