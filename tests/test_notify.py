"""notify against the in-process fake GitHub: every assertion runs on every ``make test``.

Each test gives notify a result file and the environment Actions would, then asserts on what
notify printed, on the requests that reached the fake (``log``, ``sent``) and on what the fake
holds afterwards (``issues``, ``labels``). No cassettes: replaying our own fake proves nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_github import FakeGitHub

from runner.github import main
from runner.github.text import code, mention

TOKEN = "ghs_CANARYnotifytoken123"
REPO = "octo/plans"
RUN_URL = "https://github.com/octo/plans/actions/runs/4242"
ISSUES = f"/repos/{REPO}/issues"
ALICE = "dailyplan: account alice is failing"
MARK = "<!-- dailyplan:run-4242.1 -->"
DISABLED = (
    "::error title=dailyplan::Issues are turned off for octo/plans, so no failure issue was "
    "opened. Turn them on under Settings → General → Features → Issues (or ignore this: the "
    "red run already emailed you).")
NOW = 1_800_000_000.0


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN, REPO) as fake:
        yield fake


def env_for(github: FakeGitHub, **extra: str) -> dict[str, str]:
    return {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url,
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1", "GITHUB_ACTIONS": "true",
            "DAILYPLAN_RUN_OUTCOME": "success", **extra}


def result_file(tmp_path: Path, day: str, *accounts: dict[str, Any], **run: Any) -> Path:
    path = tmp_path / f"result-{day}.json"
    path.write_text(json.dumps({"date": day, "timezone": "Asia/Shanghai",
                                "accounts": list(accounts), "warnings": [], **run}), encoding="utf-8")
    return path


def failed(account: str = "alice", reason: str = "auth", **extra: Any) -> dict[str, Any]:
    return {"id": account, "status": "failed", "reason": reason,
            "message": "login refused: wrong user name or password", **extra}


def ok(account: str = "alice", status: str = "submitted", reason: str | None = None,
       **extra: Any) -> dict[str, Any]:
    return {"id": account, "status": status, "reason": reason, "message": "submitted and read back",
            **extra}


class Sleeps(list[float]):
    """Stands in for time.sleep: records the waits, never sleeps."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def notify(github: FakeGitHub, result: Path | None, sleeps: Sleeps | None = None, **env: str) -> int:
    return main.run(result, env_for(github, **env), sleep=sleeps if sleeps is not None else Sleeps(),
                    now=lambda: NOW, timeout=1.0)


def writes(github: FakeGitHub) -> list[str]:
    return [entry for entry in github.log if not entry.startswith("GET ")]


# -- failure issues: open, comment, close on proof of health ---------------------------------

def test_first_failure_opens_an_issue_and_creates_the_label(github, tmp_path, capsys):
    result = result_file(tmp_path, "2026-11-20", failed(github="alice-gh"), ok("bob"))

    assert notify(github, result, DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert capsys.readouterr().out == f"opened #1: {ALICE}\n"
    assert github.log == [f"GET {ISSUES}", f"GET /repos/{REPO}/labels/dailyplan",
                          f"POST /repos/{REPO}/labels", f"POST {ISSUES}"]
    assert github.sent[0][2] == {"labels": "dailyplan", "state": "open", "per_page": "100"}
    [issue] = github.issues
    assert (issue.title, issue.labels, issue.state) == (ALICE, ["dailyplan"], "open")
    assert issue.body.splitlines() == [
        "The daily plan for account `alice` was not filed on 2026-11-20.", "",
        "- reason: `auth`", "- message: `login refused: wrong user name or password`",
        f"- run: {RUN_URL}", "",
        "What to do: the site refused the login: check the DAILYPLAN_PASSWORD_<ID> or "
        "DAILYPLAN_TOKEN_<ID> secret.", "", "@alice-gh", "",
        "Every failing run comments here; the next run that files or finds the plan closes this issue."]
    assert github.labels["dailyplan"]["color"] == "d93f0b"


def test_a_repeat_failure_comments_instead_of_opening_a_second_issue(github, tmp_path, capsys):
    notify(github, result_file(tmp_path, "2026-11-20", failed()), DAILYPLAN_RUN_OUTCOME="failure")
    capsys.readouterr()
    github.log.clear()

    assert notify(github, result_file(tmp_path, "2026-11-23", failed(reason="network")),
                  DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert capsys.readouterr().out == f"commented on #1: {ALICE}\n"
    assert github.log == [f"GET {ISSUES}", f"POST {ISSUES}/1/comments"]
    assert [i.title for i in github.issues] == [ALICE]
    assert github.issues[0].comments == [
        "Still failing on 2026-11-23: `network`: `login refused: wrong user name or password`"
        f"\n\nRun: {RUN_URL}\n\n{MARK}"]


@pytest.mark.parametrize("day_off", [
    ok(status="skipped", reason="weekend"), ok(status="skipped", reason="holiday"),
    ok(status="skipped", reason="leave"), ok(status="skipped", reason="quorum"),
    ok(status="previewed")], ids=lambda a: a["reason"] or a["status"])
def test_a_day_off_or_a_dry_run_neither_closes_nor_comments(github, tmp_path, capsys, day_off):
    issue = github.add_issue(ALICE, ["dailyplan"])

    assert notify(github, result_file(tmp_path, "2026-11-21", day_off)) == 0

    assert writes(github) == [] and issue.state == "open" and issue.comments == []


@pytest.mark.parametrize("proof", [ok(), ok(status="skipped", reason="already-submitted")],
                         ids=["submitted", "already-submitted"])
def test_proof_of_health_comments_recovered_and_closes(github, tmp_path, capsys, proof):
    issue = github.add_issue(ALICE, ["dailyplan"])

    assert notify(github, result_file(tmp_path, "2026-11-23", proof)) == 0

    assert capsys.readouterr().out == f"commented on #1: {ALICE}\nclosed #1: {ALICE}\n"
    assert github.log == [f"GET {ISSUES}", f"POST {ISSUES}/1/comments", f"PATCH {ISSUES}/1"]
    assert issue.comments == [f"Recovered: 2026-11-23 {proof['status']}: `submitted and read back`"
                              f"\n\nRun: {RUN_URL}\n\n{MARK}"]
    assert (issue.state, issue.state_reason) == ("closed", "completed")
    assert github.sent[-1][3] == {"state": "closed", "state_reason": "completed"}


def test_a_dry_run_touches_no_issue_even_when_an_account_fails(github, tmp_path, capsys):
    github.add_issue(ALICE, ["dailyplan"])
    result = result_file(tmp_path, "2026-11-23", failed())

    assert notify(github, result, DAILYPLAN_RUN_OUTCOME="failure", DAILYPLAN_DRY_RUN="true") == 0

    assert capsys.readouterr().out == "dry run: the dailyplan issues are left as they are\n"
    assert github.log == []


def test_site_text_and_account_ids_cannot_mention_or_inject_markdown(github, tmp_path):
    evil = failed(account="@team", github="not a handle!",
                  message="see @boss **now** [x](http://evil) `tick` <!-- -->\n# heading")
    notify(github, result_file(tmp_path, "2026-11-20", evil), DAILYPLAN_RUN_OUTCOME="failure")

    body = github.issues[0].body
    assert "- message: ``see @boss **now** [x](http://evil) `tick` <!-- --> # heading``" in body
    assert "account `@team` was not filed" in body
    outside_code = re.sub(r"(`+).*?\1", "", body)
    assert "@" not in outside_code and "**" not in outside_code and "\n#" not in outside_code
    assert code("``a`") == "``` ``a` ```" and code("") == "(none)" and code("x" * 400).endswith("…`")
    assert mention("alice-gh") == "@alice-gh" and mention("-x") is None and mention("a--b") is None


# -- GitHub's rules: rate limits and writes that are never duplicated ------------------------

def test_429_waits_as_retry_after_says_then_carries_on(github, tmp_path, capsys):
    github.rate_limit(2, status=429, retry_after=7)
    sleeps = Sleeps()

    assert notify(github, result_file(tmp_path, "2026-11-20", failed()), sleeps,
                  DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert sleeps == [7.0, 7.0, 1.0]  # then a second between the label's POST and the issue's
    assert capsys.readouterr().out == f"opened #1: {ALICE}\n"
    assert github.log[:3] == [f"GET {ISSUES}"] * 3 and len(github.issues) == 1


def test_no_requests_left_waits_for_a_reset_within_a_minute(github, tmp_path, capsys):
    github.rate_limit(1, status=403, reset=int(NOW) + 30)
    sleeps = Sleeps()

    assert notify(github, result_file(tmp_path, "2026-11-20", failed()), sleeps,
                  DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert sleeps == [30.0, 1.0]
    assert capsys.readouterr().out == f"opened #1: {ALICE}\n"


@pytest.mark.catalogue("fault", "GitHub rate limit whose reset is more than a minute away",
                       "stops at once with one warning, no retry; exit 0, the next run catches up")
def test_a_reset_more_than_a_minute_away_stops_at_once_with_one_warning(github, tmp_path, capsys):
    github.rate_limit(4, status=403, reset=int(NOW) + 900)
    sleeps = Sleeps()

    assert notify(github, result_file(tmp_path, "2026-11-20", failed()), sleeps,
                  DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert sleeps == [] and github.log == [f"GET {ISSUES}"]
    assert capsys.readouterr().out == (
        f"::warning title=dailyplan::notify: GitHub's rate limit (GET {ISSUES} answered 403, and "
        "asks for a wait of 900 s), so the dailyplan issues were not updated (at most 4 tries, a "
        "minute's wait each); the next run catches up.\n")


@pytest.mark.catalogue("fault", "GitHub rate limit (429) outlasting the retries during notify",
                       "waits as GitHub asks (capped at a minute), then one explaining line; exit 0")
def test_a_limit_that_outlasts_the_retries_is_explained_not_raised(github, tmp_path, capsys):
    github.rate_limit(4, status=429)  # a secondary limit that names no time: a minute each
    sleeps = Sleeps()

    assert notify(github, result_file(tmp_path, "2026-11-20", failed()), sleeps,
                  DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert sleeps == [60.0, 60.0, 60.0] and github.log == [f"GET {ISSUES}"] * 4
    assert capsys.readouterr().out.startswith(
        f"::warning title=dailyplan::notify: GitHub's rate limit (GET {ISSUES} answered 429)")


def test_a_write_refused_by_a_secondary_limit_is_resent_after_the_wait(github, tmp_path, capsys):
    from fake_github import Fault

    github.labels["dailyplan"] = {"name": "dailyplan", "color": "d93f0b", "description": None}
    github.faults.append(Fault(403, retry_after=3, method="POST"))
    sleeps = Sleeps()

    notify(github, result_file(tmp_path, "2026-11-20", failed()), sleeps, DAILYPLAN_RUN_OUTCOME="failure")

    assert [i.title for i in github.issues] == [ALICE]
    assert github.log[-2:] == [f"POST {ISSUES}", f"POST {ISSUES}"]  # refused, so no read to look for it
    assert sleeps == [3.0, 1.0]


def test_writes_are_at_least_a_second_apart(github, tmp_path, capsys):
    sleeps = Sleeps()
    result = result_file(tmp_path, "2026-11-20", failed(), failed("bob"), failed("carol"))

    notify(github, result, sleeps, DAILYPLAN_RUN_OUTCOME="failure")

    assert writes(github) == [f"POST /repos/{REPO}/labels"] + [f"POST {ISSUES}"] * 3
    assert sleeps == [1.0, 1.0, 1.0]  # the clock stands still here, so every gap is waited in full


@pytest.mark.catalogue("fault", "an issue POST that landed but answered 502 (or dropped the connection)",
                       "a read finds the issue by title and label; nothing is sent twice")
@pytest.mark.parametrize("status", [502, 504, 0], ids=["502", "504", "dropped"])
def test_an_issue_whose_answer_was_lost_is_found_not_opened_twice(github, tmp_path, capsys, status):
    github.labels["dailyplan"] = {"name": "dailyplan", "color": "d93f0b", "description": None}
    github.lose_answer("POST", status)

    assert notify(github, result_file(tmp_path, "2026-11-20", failed()),
                  DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert [i.title for i in github.issues] == [ALICE]
    assert github.log == [f"GET {ISSUES}", f"GET /repos/{REPO}/labels/dailyplan", f"POST {ISSUES}",
                          f"GET {ISSUES}"]
    assert capsys.readouterr().out == f"opened #1: {ALICE}\n"


def test_an_issue_post_that_timed_out_but_landed_is_found_not_opened_twice(github, tmp_path, capsys):
    github.labels["dailyplan"] = {"name": "dailyplan", "color": "d93f0b", "description": None}
    github.lose_answer("POST", -1)
    github.slow_seconds = 0.3

    assert main.run(result_file(tmp_path, "2026-11-20", failed()), env_for(
        github, DAILYPLAN_RUN_OUTCOME="failure"), sleep=Sleeps(), now=lambda: NOW, timeout=0.1) == 0

    assert [i.title for i in github.issues] == [ALICE]
    assert writes(github) == [f"POST {ISSUES}"] and github.log[-1] == f"GET {ISSUES}"


def test_an_issue_post_that_failed_before_it_landed_is_sent_again(github, tmp_path, capsys):
    github.labels["dailyplan"] = {"name": "dailyplan", "color": "d93f0b", "description": None}
    github.fail("POST", 503)
    sleeps = Sleeps()

    notify(github, result_file(tmp_path, "2026-11-20", failed()), sleeps, DAILYPLAN_RUN_OUTCOME="failure")

    assert [i.title for i in github.issues] == [ALICE]
    assert writes(github) == [f"POST {ISSUES}", f"POST {ISSUES}"]
    assert sleeps == [1.0, 1.0]  # the back-off, then the write gap (the clock stands still)


@pytest.mark.parametrize("status", [502, 0], ids=["502", "dropped"])
def test_a_comment_whose_answer_was_lost_is_found_by_its_marker(github, tmp_path, capsys, status):
    issue = github.add_issue(ALICE, ["dailyplan"])
    issue.comments.append("an older comment\n\n<!-- dailyplan:run-4100.1 -->")
    github.lose_answer("POST", status)

    notify(github, result_file(tmp_path, "2026-11-23", failed()), DAILYPLAN_RUN_OUTCOME="failure")

    assert len(issue.comments) == 2 and issue.comments[1].endswith(MARK)
    assert github.log == [f"GET {ISSUES}", f"POST {ISSUES}/1/comments", f"GET {ISSUES}/1/comments"]


def test_a_lost_patch_is_simply_sent_again(github, tmp_path, capsys):
    issue = github.add_issue(ALICE, ["dailyplan"])
    github.lose_answer("PATCH", 502)

    notify(github, result_file(tmp_path, "2026-11-23", ok()))

    assert issue.state == "closed" and len(issue.comments) == 1
    assert writes(github) == [f"POST {ISSUES}/1/comments", f"PATCH {ISSUES}/1", f"PATCH {ISSUES}/1"]


# -- the run itself: died, timed out, or cancelled by a person --------------------------------

def test_a_run_that_died_without_a_result_opens_the_run_issue_and_recovers(github, tmp_path, capsys):
    assert notify(github, tmp_path / "result.json", DAILYPLAN_RUN_OUTCOME="failure") == 0
    assert capsys.readouterr().out == "opened #1: dailyplan: the run failed\n"
    assert github.issues[0].body.splitlines()[:3] == [
        "The dailyplan run ended `failure` before it wrote a result, so no account was reported.",
        "", f"- run: {RUN_URL}"]

    assert notify(github, result_file(tmp_path, "2026-11-23", ok())) == 0

    assert capsys.readouterr().out == ("commented on #1: dailyplan: the run failed\n"
                                       "closed #1: dailyplan: the run failed\n")
    assert github.open_titles() == []


@pytest.mark.catalogue("fault", "the run job killed by its timeout-minutes (it ends `cancelled`)",
                       "the jobs API shows it ran its full time: the run issue opens")
def test_a_run_job_stopped_by_its_timeout_is_a_failure(github, tmp_path, capsys):
    github.add_job("file the plan", "2026-11-20T01:17:05Z", "2026-11-20T01:32:06Z", "cancelled")

    assert notify(github, None, DAILYPLAN_RUN_OUTCOME="cancelled") == 0

    assert capsys.readouterr().out == "opened #1: dailyplan: the run failed\n"
    assert github.log[0] == f"GET /repos/{REPO}/actions/runs/4242/attempts/1/jobs"
    assert github.issues[0].body.startswith(
        "The dailyplan run was stopped by its job's `timeout-minutes` before it wrote a result")


@pytest.mark.catalogue("fault", "a person cancelling the run", "not a failure: no issue, no comment")
def test_a_person_cancelling_the_run_is_not_a_failure(github, tmp_path, capsys):
    github.add_job("file the plan", "2026-11-20T01:17:05Z", "2026-11-20T01:19:40Z", "cancelled")
    github.add_issue(RUN_TITLE := "dailyplan: the run failed", ["dailyplan"])

    assert notify(github, None, DAILYPLAN_RUN_OUTCOME="cancelled") == 0

    assert capsys.readouterr().out == ("the run was cancelled by hand before its timeout: not a "
                                       "failure, no issue\n")
    assert writes(github) == [] and github.open_titles() == [RUN_TITLE]
    assert github.issues[0].comments == []


def test_a_cancel_the_jobs_api_cannot_explain_counts_as_a_failure(github, tmp_path, capsys):
    github.actions_readable = False

    notify(github, None, DAILYPLAN_RUN_OUTCOME="cancelled")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"::warning title=dailyplan::notify: cannot read this run's jobs (GET "
                      f"/repos/{REPO}/actions/runs/4242/attempts/1/jobs answered 403); give the "
                      "notify job `actions: read`. Treating the cancel as a failure.")
    assert out[1] == "opened #1: dailyplan: the run failed"
    assert "by its timeout or by hand" in github.issues[0].body


# -- missed days --------------------------------------------------------------------------------

MISSED = "dailyplan: alice has no plan for 2026-11-18"


def test_each_missed_day_opens_one_issue_once(github, tmp_path, capsys):
    alice = ok(status="skipped", reason="already-submitted", github="alice-gh",
               missed=["2026-11-18", "2026-11-19", "not a date"])

    notify(github, result_file(tmp_path, "2026-11-20", alice))
    notify(github, result_file(tmp_path, "2026-11-20", alice))  # the next slot: nothing new

    assert github.open_titles() == [MISSED, "dailyplan: alice has no plan for 2026-11-19"]
    assert capsys.readouterr().out == (f"opened #1: {MISSED}\n"
                                       "opened #2: dailyplan: alice has no plan for 2026-11-19\n")
    body = github.issues[0].body
    assert body.startswith("Account `alice` has no plan on the team system for 2026-11-18 (a "
                           "Wednesday, a workday by its calendar), and no dailyplan run filed one")
    assert "60 days" in body and "`DAILYPLAN_RUNS_ON`" in body and "enabled" in body
    assert "`dailyplan run --date 2026-11-18 --account alice`" in body
    assert "gh workflow run daily-plan.yml -f date=2026-11-18 -f account=alice" in body
    assert "\n@alice-gh\n" in body


def test_a_missed_day_closed_by_hand_is_not_opened_again(github, tmp_path):
    github.add_issue(MISSED, ["dailyplan"], state="closed")

    notify(github, result_file(tmp_path, "2026-11-20", ok(missed=["2026-11-18"])))

    assert len(github.issues) == 1 and writes(github) == []
    assert github.sent[1][2] == {"labels": "dailyplan", "state": "closed", "since": "2026-10-20T00:00:00Z",
                                 "per_page": "100"}


def test_a_missed_day_closes_once_a_run_that_read_the_history_no_longer_lists_it(github, tmp_path):
    issue = github.add_issue(MISSED, ["dailyplan"])

    notify(github, result_file(tmp_path, "2026-11-21", ok(status="skipped", reason="weekend",
                                                          missed=[])))
    assert issue.state == "open"  # a weekend read nothing: no proof
    notify(github, result_file(tmp_path, "2026-11-23", ok(missed=["2026-11-18"])))
    assert issue.state == "open"  # still missing
    notify(github, result_file(tmp_path, "2026-11-24", ok(missed=[])))

    assert issue.state == "closed"
    assert issue.comments == ["The run of 2026-11-24 read the history of `alice` and no longer "
                              f"lists 2026-11-18 as missed: a plan is there now.\n\nRun: {RUN_URL}"
                              f"\n\n{MARK}"]


def test_a_missed_day_closes_when_the_history_shows_its_plan_and_only_then(github, tmp_path):
    issue = github.add_issue(MISSED, ["dailyplan"])

    # out of the audit window now, but the history shows no plan: not proof, stays open
    notify(github, result_file(tmp_path, "2026-11-30", ok(missed=[], filed=["2026-11-27"])))
    assert issue.state == "open"
    # the history read shows a plan for the day (even on a run that then failed to submit)
    notify(github, result_file(tmp_path, "2026-12-01", failed(reason="verify", missed=[],
                                                              filed=["2026-11-18", "2026-11-30"])),
           DAILYPLAN_RUN_OUTCOME="failure")

    assert issue.state == "closed" and issue.comments[-1].startswith(
        "The run of 2026-12-01 read the history of `alice` and no longer lists 2026-11-18 as missed")


# -- heads-up issues ----------------------------------------------------------------------------

CALENDAR = "dailyplan: no statutory calendar for 2027"
TOKEN_ISSUE = "dailyplan: token for alice expires 2026-12-04"


def calendar(year: int = 2027) -> dict[str, Any]:
    return {"kind": "calendar", "year": year, "message": f"no statutory holidays for {year}"}


def token(expires: str = "2026-12-04") -> dict[str, Any]:
    return {"kind": "token", "variable": "DAILYPLAN_TOKEN_ALICE", "expires": expires,
            "message": f"DAILYPLAN_TOKEN_ALICE expires on {expires} 08:00 UTC"}


def test_no_calendar_for_next_year_opens_one_heads_up_and_closes_when_data_arrives(github, tmp_path,
                                                                                  capsys):
    result = result_file(tmp_path, "2026-12-01", ok(status="skipped", reason="weekend", github="alice-gh"),
                         warnings=[calendar()])
    notify(github, result)
    notify(github, result)

    assert github.open_titles() == [CALENDAR]
    body = github.issues[0].body
    assert "has no statutory holidays for 2027" in body and "merge the dependency update" in body
    assert "`[workday] holidays`" in body and "\n@alice-gh\n" in body

    notify(github, result_file(tmp_path, "2026-12-08", ok(status="skipped", reason="weekend")))

    assert github.issues[0].state == "closed"
    assert github.issues[0].comments[0].startswith(
        "The run of 2026-12-08 finds statutory data for 2027: the calendar is complete again.")


def test_a_token_about_to_expire_opens_a_heads_up_until_it_is_renewed(github, tmp_path, capsys):
    notify(github, result_file(tmp_path, "2026-11-30", ok(github="alice-gh", warnings=[token()])))
    assert github.open_titles() == [TOKEN_ISSUE]
    assert "(`DAILYPLAN_TOKEN_ALICE`) expires on 2026-12-04 (UTC)" in github.issues[0].body

    notify(github, result_file(tmp_path, "2026-12-01", ok(status="skipped", reason="weekend")))
    assert github.open_titles() == [TOKEN_ISSUE]  # no login, no proof of a new token

    notify(github, result_file(tmp_path, "2026-12-02", ok()))

    assert github.open_titles() == []
    assert github.issues[0].comments[0].startswith("The run of 2026-12-02 logged `alice` in with a "
                                                   "token that is not about to expire: renewed.")


# -- edges ------------------------------------------------------------------------------------

@pytest.mark.catalogue("fault", "Issues turned off (410, the default in forks)",
                       "one annotation saying how to turn them on; exit 0, the red run still emails")
def test_issues_turned_off_explains_in_one_annotation_and_exits_0(github, tmp_path, capsys):
    github.issues_enabled = False

    assert notify(github, result_file(tmp_path, "2026-11-20", failed()),
                  DAILYPLAN_RUN_OUTCOME="failure") == 0
    assert capsys.readouterr().out == DISABLED + "\n"

    assert notify(github, result_file(tmp_path, "2026-11-23", ok())) == 0  # a green run: no nagging
    assert capsys.readouterr().out == ""
    assert github.log == [f"GET {ISSUES}", f"GET {ISSUES}"]


def test_no_result_and_a_green_run_does_nothing(github, tmp_path, capsys):
    assert notify(github, tmp_path / "result.json") == 0
    assert notify(github, None, DAILYPLAN_RUN_OUTCOME="") == 0

    assert capsys.readouterr() == ("", "")
    assert github.log == []


def test_an_open_issue_on_a_later_page_is_found_not_duplicated(github, tmp_path, capsys):
    github.page_cap = 1  # one issue per page, so the account's issue is on page 2
    github.add_issue(ALICE, ["dailyplan"])
    github.add_issue("dailyplan: account bob is failing", ["dailyplan"])

    notify(github, result_file(tmp_path, "2026-11-20", failed()), DAILYPLAN_RUN_OUTCOME="failure")

    assert capsys.readouterr().out == f"commented on #1: {ALICE}\n"
    assert github.log == [f"GET {ISSUES}", f"GET {ISSUES}", f"POST {ISSUES}/1/comments"]
    assert github.sent[1][2]["page"] == "2" and len(github.issues) == 2


@pytest.mark.catalogue("fault", "the GitHub API failing during notify",
                       "one warning line naming the call; exit 0, so the run's own status stays the verdict")
def test_other_api_errors_warn_in_one_line_naming_the_call(github, tmp_path, capsys):
    result = result_file(tmp_path, "2026-11-20", failed())

    assert notify(github, result, GITHUB_TOKEN="ghs_wrong", DAILYPLAN_RUN_OUTCOME="failure") == 0

    assert capsys.readouterr().out == (
        f"::warning title=dailyplan::notify: GET {ISSUES} answered 401; is GITHUB_TOKEN set to "
        "the job's token?\n")
    assert github.log == [f"GET {ISSUES}"]


def test_an_unreadable_result_counts_as_none_and_says_so_outside_actions(github, tmp_path, capsys):
    broken = tmp_path / "result.json"
    broken.write_text("{half a file", encoding="utf-8")

    assert notify(github, broken, GITHUB_ACTIONS="") == 0

    assert capsys.readouterr() == ("", f"warning: notify: cannot read {broken} (JSONDecodeError); "
                                       "treating it as no result.\n")
    assert github.log == []


@pytest.mark.parametrize("missing", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_without_token_or_repository_it_is_a_usage_error(missing, tmp_path, capsys):
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO}
    del env[missing]

    assert main.run(tmp_path / "result.json", env) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"error: notify needs {missing}; in the workflow set GITHUB_TOKEN: "
                   "${{ github.token }} in the step's env (Actions sets GITHUB_REPOSITORY "
                   "itself).\n")


def test_no_issue_body_or_comment_holds_the_token(github, tmp_path):
    notify(github, result_file(tmp_path, "2026-11-20", failed(missed=["2026-11-18"]),
                               warnings=[calendar()]), DAILYPLAN_RUN_OUTCOME="failure")
    assert len(github.issues) == 3
    for issue in github.issues:
        assert TOKEN not in issue.title + issue.body + "".join(issue.comments)


# -- triage: does the notify job have anything to do? ------------------------------------------

def triage(github: FakeGitHub, tmp_path: Path, result: Path | None, capsys, **env: str) -> tuple[str, str]:
    output = tmp_path / "output"
    output.write_text("", encoding="utf-8")
    assert main.triage(result, {**env_for(github, GITHUB_OUTPUT=str(output)), **env},
                       sleep=Sleeps(), timeout=1.0) == 0
    return output.read_text(encoding="utf-8"), capsys.readouterr().out


def test_a_healthy_day_with_no_open_issue_needs_no_notify_job(github, tmp_path, capsys):
    output, out = triage(github, tmp_path, result_file(tmp_path, "2026-11-20", ok()), capsys)

    assert output == "needed=false\n"
    assert out == "notify needed: no (a healthy run and no open dailyplan issue)\n"
    assert github.log == [f"GET {ISSUES}"]
    assert github.sent[0][2] == {"labels": "dailyplan", "state": "open", "per_page": "1"}


@pytest.mark.parametrize("case", ["failed", "open-issue", "missed", "warning", "no-result", "api-down"])
def test_anything_to_report_or_unsure_needs_the_notify_job(github, tmp_path, capsys, case):
    accounts = {"failed": [failed()], "missed": [ok(missed=["2026-11-18"])],
                "warning": [ok(warnings=[token()])]}.get(case, [ok()])
    result = None if case == "no-result" else result_file(tmp_path, "2026-11-20", *accounts)
    if case == "open-issue":
        github.add_issue(ALICE, ["dailyplan"])
    extra = {"GITHUB_TOKEN": "ghs_wrong"} if case == "api-down" else {}

    output, out = triage(github, tmp_path, result, capsys, **extra)

    assert output == "needed=true\n", out
    assert writes(github) == []
    assert len(github.log) == (1 if case in ("open-issue", "api-down") else 0)
