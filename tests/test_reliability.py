"""The fault and bad-input catalogue: every row of docs/reliability.md is a test here.

Each case drives the real command line against the in-process sandbox through ``Harness``, which
checks the case's own outcome and three things that must hold in every case: no traceback, no
secret in any output or file, and no plan lost or overwritten (except by ``--force``). The
counts are recorded on the test (``user_properties``) so ``docs/reliability.py`` can total them.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from runner.cli import main
from runner.lock import run_lock
from runner.sandbox import Sandbox

DAY = "2026-11-20"
PREVIOUS = {"2026-11-19": "2026.11.19\n修复登录 bug\n\n2026.11.18\n更早"}
SECRETS = {"alice": "pw-alice-REL-91c", "bob": "pw-bob-REL-27d"}


def catalogue(kind: str, case: str, outcome: str) -> pytest.MarkDecorator:
    return pytest.mark.catalogue(kind, case, outcome)


def cases(table: list[tuple[Any, ...]], outcome: str, kind: str = "fault",
          title: str = "{}") -> list[Any]:
    """One catalogue row per ``(case, *values)`` entry of a table, the case named by ``title``."""
    return [pytest.param(*rest, id=case, marks=catalogue(kind, title.format(case), outcome))
            for case, *rest in table]


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    result: dict[str, Any] | None

    @property
    def account(self) -> dict[str, Any]:
        assert self.result is not None
        return self.result["accounts"][0]


class Harness:
    def __init__(self, sandbox: Sandbox, tmp: Path, capfd: pytest.CaptureFixture[str],
                 node: pytest.Item) -> None:
        self.sb, self.tmp, self.capfd, self.node = sandbox, tmp, capfd, node
        self.secrets = dict(SECRETS)
        self.counts = {"tracebacks": 0, "secrets_leaked": 0, "plans_lost": 0}
        for user, pw in SECRETS.items():
            sandbox.add_account(user, pw, plans=dict(PREVIOUS))

    def env(self, *accounts: str, site: str = "", extra: str = "", plan: str = "继续重构支付接口",
            **more: str) -> dict[str, str]:
        accounts = accounts or ("alice",)
        blocks = "".join(f'[[accounts]]\nid = "{a}"\nusername = "{a}"\nplan = {json.dumps(plan, ensure_ascii=False)}\n'
                         for a in accounts)
        config = f'[site]\nbase_url = "{self.sb.url}"\n{site}\n{extra}\n{blocks}'
        secrets = {f"DAILYPLAN_PASSWORD_{a.upper()}": self.secrets[a] for a in accounts if a in self.secrets}
        return {"DAILYPLAN_CONFIG": config, "DAILYPLAN_LOCK_FILE": str(self.tmp / "lock"), **secrets, **more}

    def run(self, *argv: str, env: dict[str, str] | None = None) -> Outcome:
        env = self.env() if env is None else env
        before = {u: dict(p) for u, p in self.sb.plans.items()}
        result_file = self.tmp / f"result-{time.monotonic_ns()}.json"
        args = list(argv)
        if args and args[0] == "run":
            args += ["--result", str(result_file)]
        try:
            code = main(args, env)
        except SystemExit as exc:  # argparse's own usage errors
            code = int(exc.code or 0)
        captured = self.capfd.readouterr()
        result = json.loads(result_file.read_text()) if result_file.exists() else None
        summary = Path(env.get("GITHUB_STEP_SUMMARY") or self.tmp / "no-summary")
        sinks = [captured.out, captured.err, result_file.read_text() if result else "",
                 summary.read_text() if summary.is_file() else ""]
        self._check(argv, "\n".join(sinks), before)
        return Outcome(code, captured.out, captured.err, result)

    def _check(self, argv: tuple[str, ...], text: str, before: dict[str, dict[str, str]]) -> None:
        forced_day = DAY if "--force" in argv else None
        if "--date" in argv and forced_day:
            forced_day = argv[argv.index("--date") + 1]
        lost = sum(1 for user, plans in before.items() for day, plan in plans.items()
                   if self.sb.plans.get(user, {}).get(day) != plan and day != forced_day)
        self.counts["tracebacks"] += text.count("Traceback (most recent call last)")
        # ``::add-mask::`` is GitHub's instruction to hide a value: the one place it may appear
        shown = "\n".join(line for line in text.splitlines() if not line.startswith("::add-mask::"))
        self.counts["secrets_leaked"] += sum(shown.count(s) for s in self.secrets.values())
        self.counts["plans_lost"] += lost
        for name, value in self.counts.items():
            self.node.user_properties = [p for p in self.node.user_properties if p[0] != name]
            self.node.user_properties.append((name, value))
        assert self.counts == {"tracebacks": 0, "secrets_leaked": 0, "plans_lost": 0}


@pytest.fixture
def h(sandbox: Sandbox, tmp_path: Path, capfd: pytest.CaptureFixture[str],
      request: pytest.FixtureRequest, sleeps: list[float]) -> Harness:
    return Harness(sandbox, tmp_path, capfd, request.node)


def submits(sb: Sandbox) -> int:
    return len(sb.requests_by(kind="submit"))


# -- faults -----------------------------------------------------------------------------------------


@catalogue("fault", "502 then 503 on submit", "retried with backoff, submitted")
def test_gateway_errors_twice(h: Harness, sleeps: list[float]) -> None:
    h.sb.faults.submit_errors = [502, 503]
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"], o.account["requests"]) == (0, "submitted", 7)
    assert o.account["message"] == "submitted and read back after 2 retries"  # a flaky site shows
    assert len(sleeps) == 2


@catalogue("fault", "504 on every submit", "failed `network` after 4 tries; exit 1 within a bounded time")
def test_gateway_errors_always(h: Harness, sleeps: list[float]) -> None:
    h.sb.faults.submit_errors = [504] * 50
    started = time.monotonic()
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"], o.account["reason"]) == (1, "failed", "network")
    assert submits(h.sb) == 4 and len(sleeps) == 3
    assert sum(sleeps) <= 3 * 9  # waits of at most 8 s plus 1 s jitter: under half a minute in all
    assert time.monotonic() - started < 5  # the rest is fast: nothing else waits


@catalogue("fault", "connection reset during submit", "retried, submitted")
def test_reset_during_submit(h: Harness) -> None:
    h.sb.faults.resets, h.sb.faults.reset_kind = 1, "submit"
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert [e.status for e in h.sb.requests_by(kind="submit")] == [0, 200]


@catalogue("fault", "connection reset during the history read", "retried, submitted")
def test_reset_during_history(h: Harness) -> None:
    h.sb.faults.resets, h.sb.faults.reset_kind = 2, "history"
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert [e.status for e in h.sb.requests_by(kind="history")] == [0, 0, 200, 200, 200]


@catalogue("fault", "read timeout (latency above site.timeout)", "retried 4 times, then failed `network`")
def test_read_timeout(h: Harness, sleeps: list[float]) -> None:
    h.sb.faults.latency_ms = 250
    o = h.run("run", "--date", DAY, env=h.env(site="timeout = 0.05"))
    assert (o.code, o.account["reason"]) == (1, "network")
    assert o.account["message"] == "127.0.0.1 did not answer GET /login within 0.05 s (4 tries)"
    assert len(sleeps) == 3


@catalogue("fault", "an answer dripping one byte every 40 ms (stuck proxy)",
           "cut at site.timeout for the whole answer (status line and headers included), not "
           "retried: failed `network` in bounded time")
def test_dripping_answer(h: Harness, sleeps: list[float]) -> None:
    h.sb.faults.drip_ms = 40
    started = time.monotonic()
    o = h.run("run", "--date", DAY, env=h.env(site="timeout = 0.3"))
    assert (o.code, o.account["reason"], o.account["requests"]) == (1, "network", 1)
    assert o.account["message"] == ("127.0.0.1 was still sending its answer to GET /login after "
                                    "0.3 s (site.timeout); not tried again")
    assert time.monotonic() - started < 1.5 and sleeps == []


@catalogue("fault", "a gzip answer inflating to 64 MB (compression bomb)",
           "stops reading at 10 MB decompressed, failed `network`, nothing submitted")
def test_gzip_bomb(h: Harness) -> None:
    h.sb.faults.gzip_bomb = "history"
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "network")
    assert o.account["message"] == ("127.0.0.1's answer to GET /routine/daily is over 10 MB once "
                                    "decompressed; stopped reading it")
    assert submits(h.sb) == 0


@catalogue("fault", "every answer gzip-compressed", "read as usual, submitted")
def test_gzip_answers(h: Harness) -> None:
    h.sb.faults.gzip_answers = True
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"]) == (0, "submitted")


@catalogue("fault", "429 with Retry-After: 7 on the login", "waits 7 s as told (once), then submitted")
def test_rate_limited_within_budget(h: Harness, sleeps: list[float]) -> None:
    h.sb.faults.rate_limits = [7]
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert sleeps == [7]


@catalogue("fault", "429 with Retry-After: 3600", "failed `network` at once, naming the wait; no sleeping")
def test_rate_limited_beyond_budget(h: Harness, sleeps: list[float]) -> None:
    h.sb.faults.rate_limits = [3600]
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"], o.account["requests"]) == (1, "network", 1)
    assert o.account["message"] == ("127.0.0.1 asked to wait 3600 s before GET /login (429 "
                                    "Retry-After), longer than this run can wait (60 s)")
    assert sleeps == []


@catalogue("fault", "a slow site that outlasts the run's deadline (DAILYPLAN_RUN_DEADLINE)",
           "unfinished accounts failed `network` saying so; result file written before the step timeout")
def test_run_deadline(h: Harness) -> None:
    h.sb.faults.latency_ms = 150
    started = time.monotonic()
    o = h.run("run", "--date", DAY, env=h.env("alice", "bob", DAILYPLAN_RUN_DEADLINE="0.5"))
    assert time.monotonic() - started < 2  # four requests of 150 ms each would not fit
    assert o.code == 1 and o.result is not None
    for account in o.result["accounts"]:
        assert (account["status"], account["reason"]) == ("failed", "network")
        assert account["message"].startswith("the run's 0.5 s deadline (DAILYPLAN_RUN_DEADLINE) "
                                             "passed before")


@catalogue("fault", "ten accounts on a dripping site whose site.timeout (30 s) outlasts the run deadline (1 s)",
           "every account failed `network` naming the deadline; the run ends within about 2 s")
def test_run_deadline_beats_a_long_site_timeout(h: Harness) -> None:
    h.sb.faults.drip_ms = 30
    accounts = [f"user{n}" for n in range(10)]
    for user in accounts:
        h.sb.add_account(user, f"pw-{user}-DL")
        h.secrets[user] = f"pw-{user}-DL"
    started = time.monotonic()
    o = h.run("run", "--date", DAY, env=h.env(*accounts, site="timeout = 30", DAILYPLAN_RUN_DEADLINE="1"))
    assert time.monotonic() - started < 3
    assert o.code == 1 and o.result is not None
    for account in o.result["accounts"]:
        assert account["reason"] == "network" and "DAILYPLAN_RUN_DEADLINE" in account["message"]


@catalogue("fault", "the run's own deadline against the workflow step that runs it",
           "DAILYPLAN_RUN_DEADLINE (default 480 s) ends the run at least a minute before the step's "
           "timeout, so the result file is written and uploaded")
def test_run_deadline_is_shorter_than_the_workflow_step() -> None:
    import yaml

    from runner.inputs import DEFAULT_RUN_SECONDS

    workflow = yaml.safe_load((Path(__file__).parent.parent / ".github/workflows/daily-plan.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])
             if "runner run" in step.get("run", "")]
    assert steps, "no step runs `python -m runner run`"
    for step in steps:
        deadline = float(step.get("env", {}).get("DAILYPLAN_RUN_DEADLINE", DEFAULT_RUN_SECONDS))
        assert deadline + 60 <= step["timeout-minutes"] * 60


@catalogue("fault", "session expiring between read and submit", "one new login, submitted")
def test_session_expires_mid_run(h: Harness) -> None:
    h.sb.faults.session_ttl = 2
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert [e.kind for e in h.sb.log] == ["login", "history", "history", "submit", "login",
                                          "submit", "history"]
    assert h.sb.plans["alice"][DAY].startswith("2026.11.20\n")


@catalogue("fault", "a session that ends on every request", "failed `auth` after 3 logins, no loop")
def test_session_ends_always(h: Harness) -> None:
    h.sb.faults.session_ttl = 0
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "auth")
    assert len(h.sb.requests_by(kind="login")) <= 3


@catalogue("fault", "submit answers 修改成功 but stores nothing (once)", "caught by the read-back, resubmitted")
def test_lost_write_once(h: Harness) -> None:
    h.sb.faults.lost_writes = 1
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert o.account["message"] == "submitted and read back on the second try"


@catalogue("fault", "submit answers 修改成功 but stores nothing (always)", "failed `verify`, run red")
def test_lost_write_always(h: Harness) -> None:
    h.sb.faults.lost_writes = 9
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "verify")


@catalogue("fault", "history page layout changed", "failed `site-changed`, nothing submitted")
def test_layout_changed(h: Harness) -> None:
    h.sb.faults.layout_changed = True
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "site-changed")
    assert submits(h.sb) == 0


WRONG_PASSWORDS = [
    ("wrong password (200 without a cookie)", {},
     "login refused for alice (the site answered '用户名或密码错误'); check DAILYPLAN_PASSWORD_ALICE"),
    ("wrong password answered with the login form, the password refilled in it", {"login_echo": True},
     "login refused for alice (the site answered a login page); check DAILYPLAN_PASSWORD_ALICE"),
    ("wrong password on a site that sets a cookie on every answer", {"cookie_always": True}, None),
]


@pytest.mark.parametrize(("faults", "message"), cases(
    WRONG_PASSWORDS, "failed `auth` after one login, never retried; the answer quoted as its words "
    "or as 'a login page', never the page"))
def test_wrong_password(h: Harness, faults: dict[str, Any], message: str | None) -> None:
    h.secrets["alice"] = "not-the-password-REL"
    for name, value in faults.items():
        setattr(h.sb.faults, name, value)
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "auth")
    assert len(h.sb.requests_by(kind="login")) == 1 and submits(h.sb) == 0
    assert message is None or o.account["message"] == message


@catalogue("fault", "a refusal 6,000 characters long, over several lines",
           "failed `rejected`, quoting one line of at most 200 characters")
def test_long_refusal_is_quoted_short(h: Harness) -> None:
    h.sb.faults.submit_refusal = "本周计划已锁定，\n请联系管理员。" * 400
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "rejected")
    quoted = o.account["message"].split(": ", 1)[1].split("; reading")[0]
    assert quoted.startswith("'本周计划已锁定， 请联系管理员。") and quoted.endswith("…'")
    assert len(quoted) == 200 + 2 and "\n" not in o.account["message"]


@catalogue("fault", "bearer login answering 401", "failed `auth`, 1 request, never retried")
def test_bearer_401(h: Harness) -> None:
    h.sb.faults.login_broken = True
    o = h.run("run", "--date", DAY, env=h.env(site='auth = "bearer"'))
    assert (o.code, o.account["reason"], o.account["requests"]) == (1, "auth", 1)


@catalogue("fault", "expired JWT in DAILYPLAN_TOKEN_ALICE", "failed `auth` with 'renew' message, 0 requests")
def test_expired_jwt(h: Harness) -> None:
    h.secrets["alice_token"] = h.sb.issue_token("alice", exp=int(time.time()) - 3600)
    env = h.env(site='auth = "bearer"', DAILYPLAN_TOKEN_ALICE=h.secrets["alice_token"])
    o = h.run("run", "--date", DAY, env=env)
    assert (o.code, o.account["reason"], o.account["requests"]) == (1, "auth", 0)
    assert "copy a fresh token from the browser" in o.account["message"]


@catalogue("fault", "a plan written by hand before the run", "left untouched (`already-submitted`)")
def test_hand_written_plan_untouched(h: Harness) -> None:
    h.sb.plans["alice"][DAY] = "2026.11.20\n我自己写的计划"
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (0, "already-submitted")
    assert submits(h.sb) == 0


def _busy_month(h: Harness) -> None:
    """Ten earlier plans in the 31-day range, and one the person wrote by hand this morning."""
    for n in range(1, 11):
        h.sb.plans["alice"][f"2026-11-{n:02d}"] = f"2026.11.{n:02d}\n旧计划 {n}"
    h.sb.plans["alice"][DAY] = "2026.11.20\n我自己写的计划"


@catalogue("fault", "history paged (first 5 rows only) and oldest first, plan written by hand",
           "today asked for alone: left untouched (`already-submitted`), 3 requests")
def test_paged_oldest_first_history_keeps_the_hand_written_plan(h: Harness) -> None:
    _busy_month(h)
    h.sb.faults.history_page, h.sb.faults.history_oldest_first = 5, True
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"], o.account["requests"]) == (0, "already-submitted", 3)
    assert h.sb.plans["alice"][DAY] == "2026.11.20\n我自己写的计划" and submits(h.sb) == 0


@catalogue("fault", "history oldest first, no plan yet", "today asked for alone: submitted in 5 requests")
def test_oldest_first_history_without_a_plan_submits(h: Harness) -> None:
    h.sb.faults.history_oldest_first = True
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"], o.account["requests"]) == (0, "submitted", 5)
    assert o.account["previous_date"] == "2026-11-19"


@catalogue("fault", "history paged newest first, plan written by hand",
           "the ranged read proves it: left untouched in 2 requests")
def test_ranged_read_proves_a_plan_is_there(h: Harness) -> None:
    _busy_month(h)
    h.sb.faults.history_page = 5
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"], o.account["requests"]) == (0, "already-submitted", 2)


@catalogue("fault", "history ignoring the dates asked for (first page of everything)",
           "failed `site-changed`, nothing submitted, the hand-written plan survives")
def test_history_ignoring_the_dates_is_site_changed(h: Harness) -> None:
    _busy_month(h)
    h.sb.faults.history_ignores_dates, h.sb.faults.history_oldest_first = True, True
    h.sb.faults.history_page = 5
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "site-changed")
    assert o.account["message"] == (
        "asked for 2026-11-20 alone, the history page listed plans of other days (2026-11-01, "
        "2026-11-02, 2026-11-03 …); the site ignores site.start_param/site.end_param, so whether "
        "today's plan is there cannot be told; nothing was submitted")
    assert submits(h.sb) == 0


TEAM_PAGES = [
    ("a login form", '<html><head><title>登录</title></head><body><form><input name="username">'
                     '<input type="password" name="password"></form></body></html>', ""),
    ("a permission page", "<html><head><title>403 无权限</title></head><body><h1>无权访问团队计划"
                          "</h1></body></html>", "an HTML page titled '403 无权限'"),
    ("a redesign without the entries", '<html><body><ul class="members"><li>alice</li>'
                                       "<li>bob</li></ul></body></html>", "an HTML page without a title"),
]


@pytest.mark.parametrize(("page", "shown"), cases(
    TEAM_PAGES, "failed `site-changed` (never `skipped quorum`), nothing submitted, run red",
    title="quorum set, the team page is {}"))
def test_team_page_without_entries_is_site_changed(h: Harness, page: str, shown: str) -> None:
    h.sb.faults.team_page = page
    o = h.run("run", "--date", DAY, env=h.env(extra="[workday]\nquorum = 1"))
    assert (o.code, o.account["status"], o.account["reason"]) == (1, "failed", "site-changed")
    if "password" in page:  # the session looked ended: one new login, then it is the page's fault
        assert o.account["message"] == (
            "GET /routine/daily answers with a login page even right after a new login, though "
            "alice's login works for other pages; the account may lack a permission, or the path is wrong")
    else:
        assert o.account["message"].startswith(f"the team page ({shown}) has no 'textarea' entries")
    assert submits(h.sb) == 0


SUCCESS_ANSWERS = [  # a BOM is stripped when the answer is decoded, so it needs no warning
    ("with a UTF-8 BOM", '\ufeff"修改成功"\n'.encode(), False),
    ("as a JSON object", '{"code": 0, "msg": "修改成功"}'.encode(), True),
    ("as invalid JSON", b'"\\u4fee\\u6539\\u6210', True),
]


@catalogue("fault", "the success answer a 303 redirect (post/redirect/get)",
           "read back: `submitted`, with a warning naming the redirect and site.success_text")
def test_redirect_after_submit_is_checked_by_reading_back(h: Harness) -> None:
    h.sb.faults.success_redirect = "/routine/daily?saved=1"
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"], o.account["requests"]) == (0, "submitted", 5)
    assert ("warning: the site answered the submit with a redirect to /routine/daily instead of the "
            "success answer") in o.err
    assert submits(h.sb) == 1


@catalogue("fault", "the submit stored, then answered 500 (the app failed on the way out)",
           "read back: `submitted`, with a warning quoting the error; submitted once")
def test_a_500_after_storing_is_checked_by_reading_back(h: Harness) -> None:
    h.sb.faults.stored_then_status = 500
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"], o.account["requests"]) == (0, "submitted", 5)
    assert ("warning: the submit ended in an error (127.0.0.1 answered 500 to POST /routine/daily), "
            "yet the plan reads back identical, so it counts as submitted") in o.err
    assert submits(h.sb) == 1


@catalogue("fault", "the submit answered 500 and stored nothing",
           "read back: `failed network` saying the plan is not there; never resubmitted")
def test_a_500_that_stored_nothing_fails_after_reading_back(h: Harness) -> None:
    h.sb.faults.submit_errors = [500]
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"], o.account["reason"]) == (1, "failed", "network")
    assert o.account["message"] == ("127.0.0.1 answered 500 to POST /routine/daily; reading 2026-11-20 "
                                    "back shows no plan there")
    assert submits(h.sb) == 1 and DAY not in h.sb.plans["alice"]


@pytest.mark.parametrize(("body", "warned"), cases(
    SUCCESS_ANSWERS, "read back before believing it: `submitted` (with a warning naming "
    "site.success_text unless it is the success text after all)", title="the success answer {}"))
def test_unexpected_success_answer_is_checked_by_reading_back(h: Harness, body: bytes,
                                                              warned: bool) -> None:
    h.sb.faults.success_body = body
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"], o.account["requests"]) == (0, "submitted", 5)
    warnings = [line for line in o.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == warned
    for warning in warnings:
        assert warning.startswith("warning: the site answered the submit with ") and warning.endswith(
            "instead of the success answer, yet the plan reads back identical, so it counts as "
            "submitted; if that answer means success on your system, set site.success_text to it (or "
            "site.success_field for a JSON answer)")
    assert submits(h.sb) == 1


REFUSALS = [
    ("the submit refused in words (200, nothing stored)", {"submit_refusal": "本周计划已锁定"},
     "the site refused the plan for 2026-11-20: '本周计划已锁定'"),
    ("the submit answered 403", {"submit_errors": [403]}, "127.0.0.1 answered 403 to POST /routine/daily"),
]


@pytest.mark.parametrize(("faults", "said"), cases(
    REFUSALS, "read back: absent, so failed `rejected` with the site's words; never resubmitted"))
def test_refusal_confirmed_by_reading_back(h: Harness, faults: dict[str, Any], said: str) -> None:
    for name, value in faults.items():
        setattr(h.sb.faults, name, value)
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["reason"]) == (1, "rejected")
    assert o.account["message"] == f"{said}; reading 2026-11-20 back shows no plan there"
    assert submits(h.sb) == 1


@catalogue("fault", "a plan written by hand, with --force", "replaced, read back")
def test_force_replaces(h: Harness) -> None:
    h.sb.plans["alice"][DAY] = "2026.11.20\n我自己写的计划"
    o = h.run("run", "--date", DAY, "--force")
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert o.account["message"] == "replaced the existing plan and read back"


@catalogue("fault", "two runs at the same moment on one machine", "one submission: the second waits, then skips")
def test_overlapping_runs(h: Harness, capfd: pytest.CaptureFixture[str]) -> None:
    h.sb.faults.latency_ms = 40
    env = h.env()
    codes: list[int] = []
    threads = [threading.Thread(target=lambda: codes.append(main(["run", "--date", DAY], env)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    out = capfd.readouterr().out
    assert codes == [0, 0]
    assert submits(h.sb) == 1
    assert out.count("skipped (already-submitted)") == 1 and out.count("alice  submitted") == 1
    h.run("run", "--date", DAY)  # and the invariants hold afterwards


def signal_on(sb: Sandbox, kind: str, signum: int) -> threading.Thread:
    """Send ``signum`` to this process the moment the sandbox sees the first request of ``kind``."""
    def watch() -> None:
        deadline = time.monotonic() + 10
        while not sb.requests_by(kind=kind) and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(os.getpid(), signum)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def interrupted_run(h: Harness, kind: str, signum: int) -> list[dict[str, Any]]:
    """alice then bob, one at a time; ``signum`` arrives at alice's first request of ``kind``.

    Each request then takes 400 ms: the main thread acts on a signal within 50 ms when the machine
    is quiet, and this leaves it 800 ms (two reads) on a loaded CI runner, where 400 ms once fell short.
    """
    h.sb.faults.latency_ms = 400
    signal_on(h.sb, kind, signum)
    env = h.env("alice", "bob")
    o = h.run("run", "--date", DAY, env={**env, "DAILYPLAN_CONFIG": "parallel = 1\n" + env["DAILYPLAN_CONFIG"]})
    assert o.code == 130 and o.result is not None
    return o.result["accounts"]


@catalogue("fault", "SIGTERM while the first account's submit is on its way",
           "that submit read back and reported; the next account never starts (`interrupted`); "
           "result file written; exit 130")
def test_sigterm_during_a_submit(h: Harness) -> None:
    alice, bob = interrupted_run(h, "submit", signal.SIGTERM)
    assert (alice["status"], alice["message"]) == ("submitted", "submitted and read back")
    assert (bob["status"], bob["reason"], bob["message"]) == (
        "failed", "interrupted",
        "interrupted (Ctrl-C or SIGTERM) before this account started; nothing was sent for it")
    assert submits(h.sb) == 1 and "2026-11-20" not in h.sb.plans["bob"]


@catalogue("fault", "Ctrl-C while the first account reads its history",
           "no submit starts after it; both accounts `interrupted`, result file written, exit 130")
def test_ctrl_c_before_any_submit(h: Harness) -> None:
    alice, bob = interrupted_run(h, "history", signal.SIGINT)
    assert [(a["status"], a["reason"]) for a in (alice, bob)] == [("failed", "interrupted")] * 2
    assert alice["message"] == ("interrupted (Ctrl-C or SIGTERM) before the plan for 2026-11-20 "
                                "was submitted; nothing was sent for it")
    assert submits(h.sb) == 0


@catalogue("fault", "Ctrl-C while waiting for another run's lock",
           "every account `interrupted` (none started), result file written, exit 130")
def test_ctrl_c_while_waiting_for_the_lock(h: Harness) -> None:
    env = h.env()
    with run_lock(env["DAILYPLAN_LOCK_FILE"]):
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        o = h.run("run", "--date", DAY, env=env)
    assert o.code == 130 and o.result is not None
    assert (o.account["status"], o.account["reason"]) == ("failed", "interrupted")
    assert h.sb.log == []


def planted_symlink(tmp: Path) -> str:
    (tmp / "victim").write_text("keep me")
    (tmp / "planted").symlink_to(tmp / "victim")
    return str(tmp / "planted")


def a_directory(tmp: Path) -> str:
    (tmp / "a-dir").mkdir()
    return str(tmp / "a-dir")


LOCKS = [
    ("the run lock is a symlink planted by someone else", planted_symlink,
     "the run lock {} is a symbolic link, which dailyplan never follows; remove it, or set "
     "DAILYPLAN_LOCK_FILE to a file of your own"),
    ("the run lock cannot be opened (a directory in its place)", a_directory,
     "cannot open the run lock {} (Is a directory); set DAILYPLAN_LOCK_FILE to a file of your own"),
]


@pytest.mark.parametrize(("make", "expected"), cases(
    LOCKS, "every account failed `locked` with one line naming the lock and the fix; nothing sent"))
def test_a_lock_that_cannot_be_had(h: Harness, make: Any, expected: str) -> None:
    path = make(h.tmp)
    o = h.run("run", "--date", DAY, env=h.env("alice", "bob", DAILYPLAN_LOCK_FILE=path))
    assert o.code == 1 and o.result is not None
    assert [(a["status"], a["reason"], a["message"]) for a in o.result["accounts"]] == [
        ("failed", "locked", expected.format(path))] * 2
    assert "unexpected" not in o.out + o.err and h.sb.log == []
    assert not (h.tmp / "victim").exists() or (h.tmp / "victim").read_text() == "keep me"


@catalogue("fault", "another run holds the lock past DAILYPLAN_LOCK_WAIT",
           "failed `locked`: 'another dailyplan run has held …'; nothing sent")
def test_lock_held_past_the_wait(h: Harness) -> None:
    env = h.env(DAILYPLAN_LOCK_WAIT="0.2")
    with run_lock(env["DAILYPLAN_LOCK_FILE"]):
        o = h.run("run", "--date", DAY, env=env)
    assert (o.code, o.account["reason"]) == (1, "locked")
    assert o.account["message"] == (f"another dailyplan run has held {env['DAILYPLAN_LOCK_FILE']} "
                                    "for over 0.2 s; nothing was submitted by this run")
    assert h.sb.log == []


@catalogue("data", "a previous plan holding a lone surrogate (\\ud800)",
           "read as U+FFFD, submitted; never a failed account")
def test_lone_surrogate_in_a_previous_plan(h: Harness) -> None:
    h.sb.plans["alice"]["2026-11-19"] = "2026.11.19\n坏字符 \ud800 与 \udfff 结束"
    o = h.run("run", "--date", DAY)
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert h.sb.plans["alice"][DAY].endswith("\n\n2026.11.19\n坏字符 \ufffd 与 \ufffd 结束")


INJECTED = "::error::injected%0A::warning::twice\n@octocat @team/all 请看"
RUNNER_COMMANDS = ("::add-mask::", "::error title=", "::warning title=", "::notice title=",
                   "::group::", "::endgroup::")


@catalogue("security", "site text with ::error:: workflow commands, %0A and @mentions (refusals)",
           "quoted on one line; no line of output starts a workflow command the runner did not write; "
           "'%' escaped in annotations")
def test_site_text_cannot_become_workflow_commands(h: Harness) -> None:
    h.secrets["alice"] = "wrong-password-INJ"
    h.sb.faults.login_refusal = h.sb.faults.submit_refusal = INJECTED
    summary = h.tmp / "summary.md"
    o = h.run("run", "--date", DAY, env=h.env("alice", "bob", GITHUB_ACTIONS="true",
                                              GITHUB_STEP_SUMMARY=str(summary)))
    assert o.code == 1 and o.result is not None
    assert [a["reason"] for a in o.result["accounts"]] == ["auth", "rejected"]
    for account in o.result["accounts"]:
        assert "::error::injected%0A::warning::twice @octocat" in account["message"]
    for line in (o.out + o.err).splitlines():
        assert not line.startswith("::") or line.startswith(RUNNER_COMMANDS), line
        if line.startswith(RUNNER_COMMANDS) and "injected" in line:
            assert "%250A" in line and "%0A::warning" not in line  # GitHub would decode %0A
    assert summary.exists()


def _set(**faults: Any) -> Any:
    def setup(h: Harness) -> dict[str, str]:
        for name, value in faults.items():
            setattr(h.sb.faults, name, value)
        return {}
    return setup


def _wrong_password(**faults: Any) -> Any:
    def setup(h: Harness) -> dict[str, str]:
        h.secrets["alice"] = "wrong-pw-CANARY-e1"
        return _set(**faults)(h)
    return setup


def _lock_symlink(h: Harness) -> dict[str, str]:
    return {"DAILYPLAN_LOCK_FILE": planted_symlink(h.tmp)}


CANARY_PATHS = [  # every failure path #10 added, each run with a distinctive secret and host
    ("504 on every submit", _set(submit_errors=[504] * 9), "network"),
    ("a dripping answer", lambda h: _set(drip_ms=40)(h) or {"DAILYPLAN_CONFIG_TIMEOUT": "0.3"}, "network"),
    ("a gzip bomb", _set(gzip_bomb="history"), "network"),
    ("429 beyond the budget", _set(rate_limits=[3600]), "network"),
    ("the run deadline", lambda h: _set(latency_ms=150)(h) or {"DAILYPLAN_RUN_DEADLINE": "0.4"}, "network"),
    ("history ignoring the dates", _set(history_ignores_dates=True, history_page=1,
                                        history_oldest_first=True), "site-changed"),
    ("a team page without entries", lambda h: _set(team_page="<html><title>无权限</title></html>")(h)
     or {"DAILYPLAN_CONFIG_QUORUM": "1"}, "site-changed"),
    ("a refusal in words", _set(submit_refusal=INJECTED), "rejected"),
    ("a 403 on submit", _set(submit_errors=[403]), "rejected"),
    ("a login page echoing the password", _wrong_password(login_echo=True), "auth"),
    ("a cookie on every answer", _wrong_password(cookie_always=True), "auth"),
    ("words of a refused login", _wrong_password(login_refusal=INJECTED), "auth"),
    ("a planted lock symlink", _lock_symlink, "locked"),
]


@pytest.mark.parametrize(("setup", "reason"), cases(
    CANARY_PATHS, "no secret and no private host in stdout, stderr, annotations, the result file or "
    "the step summary", "security", title="secret canary under Actions, private host: {}"))
def test_canary_on_every_new_failure_path(h: Harness, setup: Any, reason: str) -> None:
    extra = setup(h)
    host = urlsplit(h.sb.url).hostname or ""
    h.secrets["host"] = host  # counted as a leak wherever it shows
    site = "timeout = 0.3" if extra.pop("DAILYPLAN_CONFIG_TIMEOUT", None) else ""
    workday = "[workday]\nquorum = 1" if extra.pop("DAILYPLAN_CONFIG_QUORUM", None) else ""
    env = h.env(site=site, extra=workday, GITHUB_ACTIONS="true",
                GITHUB_STEP_SUMMARY=str(h.tmp / "summary.md"), DAILYPLAN_BASE_URL=h.sb.url, **extra)
    env["DAILYPLAN_CONFIG"] = env["DAILYPLAN_CONFIG"].replace(h.sb.url, "http://unused.invalid")
    o = h.run("run", "--date", DAY, env=env)
    assert o.code == 1 and o.account["reason"] == reason  # the failure path really ran
    assert (h.tmp / "summary.md").read_text()  # and the summary, a sink too, was written


# -- bad input: one line naming the fix, exit 2, no traceback -----------------------------------

GOOD = '[site]\nbase_url = "https://x.example"\n[[accounts]]\nid = "alice"\nusername = "alice"\n'
BAD_INPUTS = [
    ("missing config file", ["run", "--config", "nope.toml"], None, "config file nope.toml not found"),
    ("broken TOML", ["run"], "[site\n", "not valid TOML"),
    ("unknown key", ["run"], GOOD + "plna = 'x'\n", "unknown key accounts[0].plna (did you mean 'plan'?)"),
    ("wrong type", ["run"], "parallel = 'many'\n" + GOOD, "parallel must be a whole number ≥ 1, got 'many'"),
    ("empty accounts", ["run"], "accounts = []\n[site]\nbase_url = 'https://x.example'\n", "no [[accounts]]"),
    ("duplicate ids", ["run"], GOOD + GOOD.split("\n", 2)[2], "accounts[1].id 'alice' is used twice"),
    ("bad date in holidays", ["run"], GOOD + "[workday]\nholidays = ['2026-11-31']\n", "'2026-11-31' is not a date"),
    ("reversed range in leave", ["run"], GOOD + "leave = ['2026-12-28..2026-12-24']\n", "ends before it starts"),
    ("bad time zone", ["run"], "timezone = 'Beijing'\n" + GOOD, "timezone 'Beijing' is not known"),
    ("bad URL", ["run"], GOOD.replace("https://x.example", "ftp://x"), "is not an http(s) URL"),
    ("unknown auth", ["run"], GOOD.replace("[site]", "[site]\nauth = 'basic'"), "site.auth 'basic' is not known"),
    ("unknown calendar", ["run"], GOOD + "[workday]\ncalendar = 'us'\n", "workday.calendar 'us' is not known"),
    ("template missing", ["run"], GOOD + "template = 'gone.j2'\n", "template 'gone.j2' not found"),
    ("template with an undefined name", ["run"], GOOD + "template = 'bad.j2'\n", "'yesterday' is undefined"),
    ("missing secret", ["run"], GOOD.replace('"alice"', '"carol"'), "set DAILYPLAN_PASSWORD_CAROL"),
    ("a secret in the config file", ["run"], GOOD + "password = 'hunter2'\n", "secrets do not belong in the config"),
    ("--date malformed", ["run", "--date", "20/11/2026"], GOOD, "--date '20/11/2026' is not a date"),
    ("--account not in the config", ["run", "--account", "zed"], GOOD, "--account zed is not in"),
    ("unknown option", ["run", "--dryrun"], GOOD, "unrecognized arguments: --dryrun"),
    ("site.timeout = nan", ["run"], GOOD.replace("[site]", "[site]\ntimeout = nan"),
     "site.timeout must be a number of seconds above 0"),
    ("site.timeout = inf", ["run"], GOOD.replace("[site]", "[site]\ntimeout = inf"),
     "site.timeout must be a number of seconds above 0"),
]
BAD_ENV = [
    ("DAILYPLAN_RUN_DEADLINE=soon", {"DAILYPLAN_RUN_DEADLINE": "soon"},
     "error: DAILYPLAN_RUN_DEADLINE is 'soon'; use a number of seconds such as 300, or 5m"),
    ("DAILYPLAN_LOCK_WAIT=5x", {"DAILYPLAN_LOCK_WAIT": "5x"},
     "error: DAILYPLAN_LOCK_WAIT is '5x'; use a number of seconds such as 300, or 5m"),
    ("DAILYPLAN_DRY_RUN=maybe", {"DAILYPLAN_DRY_RUN": "maybe"},
     "error: DAILYPLAN_DRY_RUN is 'maybe'; use true or false (also 1/0, yes/no, on/off)"),
]


@pytest.mark.parametrize(("env", "expected"), cases(
    BAD_ENV, "one line naming the variable, exit 2, nothing sent", "input"))
def test_bad_environment(h: Harness, env: dict[str, str], expected: str) -> None:
    o = h.run("run", "--date", DAY, env={**h.env(), **env})
    assert (o.code, o.err.strip(), o.result) == (2, expected, None)
    assert h.sb.log == []


@pytest.mark.parametrize(("argv", "toml", "expected"), cases(
    BAD_INPUTS, "one line naming the fix, exit 2, nothing sent", "input"))
def test_bad_input(h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   argv: list[str], toml: str | None, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.j2").write_text("{{ today }}\n{{ yesterday }}\n")
    if toml is not None:
        (tmp_path / "dailyplan.toml").write_text(toml)
    o = h.run(*argv, env={"DAILYPLAN_PASSWORD_ALICE": SECRETS["alice"]})
    assert o.code == 2
    lines = o.err.strip().splitlines()
    assert expected in lines[-1]
    assert len(lines) == 1 or lines[0].startswith("usage:")  # argparse prints its usage line first
    assert h.sb.log == []


PASTED = [  # what people paste into secrets and config files, accepted as meant
    ("a UTF-8 BOM before the config", lambda env: {**env, "DAILYPLAN_CONFIG": "\ufeff" + env["DAILYPLAN_CONFIG"]}),
    ("`export NAME='value'` lines in DAILYPLAN_SECRETS",
     lambda env: {**{k: v for k, v in env.items() if k != "DAILYPLAN_PASSWORD_ALICE"},
                  "DAILYPLAN_SECRETS": f"export DAILYPLAN_PASSWORD_ALICE='{SECRETS['alice']}'\n"}),
    ("a trailing newline on the password secret",
     lambda env: {**env, "DAILYPLAN_PASSWORD_ALICE": SECRETS["alice"] + "\n"}),
]


@pytest.mark.parametrize("paste", cases(PASTED, "accepted as meant: submitted", "input"))
def test_pasted_values_are_accepted(h: Harness, paste: Any) -> None:
    o = h.run("run", "--date", DAY, env=paste(h.env()))
    assert (o.code, o.account["status"]) == (0, "submitted")


@catalogue("input", "--result inside a file (a path that cannot be written)",
           "exit 2 naming the path, before any account runs; nothing sent")
def test_unwritable_result_path_is_found_first(h: Harness) -> None:
    (h.tmp / "afile").write_text("x")
    code = main(["run", "--date", DAY, "--result", str(h.tmp / "afile" / "r.json")], h.env())
    err = h.capfd.readouterr().err.strip()
    assert code == 2 and err == (f"error: --result {h.tmp}/afile/r.json is inside {h.tmp}/afile, which "
                                 "is not a folder; choose a writable path")
    assert h.sb.log == []


@catalogue("fault", "the step summary cannot be written", "a warning; the result file is written all the same")
def test_unwritable_summary_is_a_warning(h: Harness) -> None:
    (h.tmp / "afile").write_text("x")
    o = h.run("run", "--date", DAY, env=h.env(GITHUB_ACTIONS="true",
                                              GITHUB_STEP_SUMMARY=str(h.tmp / "afile" / "s.md")))
    assert (o.code, o.account["status"]) == (0, "submitted")
    assert "could not be written (NotADirectoryError); the result file and the log have it all" in o.err


@catalogue("input", "`check` with a garbage bearer token", "not 'ready': the authenticated read fails; exit 1")
def test_check_does_not_call_a_garbage_token_ready(h: Harness) -> None:
    h.secrets["alice_token"] = "garbage-token-CHECK"
    o = h.run("check", env=h.env(site='auth = "bearer"', DAILYPLAN_TOKEN_ALICE="garbage-token-CHECK"))
    assert o.code == 1 and "ready" not in o.out.splitlines()[-1]
    assert h.sb.requests_by(kind="history")  # it did try an authenticated read


# -- data that must round-trip exactly ----------------------------------------------------------

TRICKY_PLAN = '中文计划 🚀🧪 <script>&amp; "引号" C:\\new\\temp 字面 \\u4fee 与 \\\\ 结尾'
DATA_CASES = [
    ("Chinese, emoji outside the BMP, <, &, quotes, C:\\new, a literal \\u", TRICKY_PLAN, PREVIOUS),
    ("a previous plan with \\r\\n line ends", "计划", {"2026-11-19": "2026.11.19\r\n上次\r\n\r\n更早"}),
    ("a 20,000-character plan", "长" * 20_000, PREVIOUS),
    ("an empty previous plan (only blank text)", "计划", {"2026-11-19": "   "}),
    ("no history at all", "计划", {}),
]


@pytest.mark.parametrize(("plan", "history"), cases(
    DATA_CASES, "submitted; stored text equals the rendered plan", "data"))
def test_data_round_trips_exactly(h: Harness, plan: str, history: dict[str, str]) -> None:
    h.sb.plans["alice"] = dict(history)
    o = h.run("run", "--date", DAY, env=h.env(plan=plan))
    assert (o.code, o.account["status"]) == (0, "submitted")
    previous = {"2026-11-19": "\n\n2026.11.19\n修复登录 bug", "2026-11-19r": "\n\n2026.11.19\n上次"}
    tail = previous["2026-11-19r" if "\r" in history.get("2026-11-19", "") else "2026-11-19"]
    expected = f"2026.11.20\n{plan}" + (tail if history.get("2026-11-19", "").strip() else "")
    assert h.sb.plans["alice"][DAY] == expected


# -- security ---------------------------------------------------------------------------------------


@catalogue("security", "TLS verification", "always on; `site.ca_bundle` for a company CA, no switch to turn it off")
def test_tls_verification_cannot_be_turned_off(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    from runner.config import Secret, Site
    from runner.site.client import SiteClient

    secret = Secret("password", "x", "DAILYPLAN_PASSWORD")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert SiteClient(Site(base_url="https://x"), "a", secret)._http.verify is True
    # honoured, as requests does, read once by inputs.py (and a missing file is exit 2)
    from runner.commands import prepare
    from runner.inputs import Inputs

    ca = h.tmp / "env-ca.pem"
    ca.write_text("PEM")
    config, _ = prepare(None, Inputs.read({**h.env(), "REQUESTS_CA_BUNDLE": str(ca)}, "run"))
    assert SiteClient(config.site, "a", secret)._http.verify == str(ca)
    o = h.run("run", "--date", DAY, env={**h.env(), "REQUESTS_CA_BUNDLE": "/etc/nowhere.pem"})
    assert (o.code, o.err) == (2, "error: REQUESTS_CA_BUNDLE is '/etc/nowhere.pem'; point it at "
                                  "an existing file (PEM certificates) or unset it\n")
    assert SiteClient(Site(base_url="https://x", ca_bundle="/etc/corp.pem"), "a", secret)._http.verify == "/etc/corp.pem"
    for key in ("verify = false", "insecure = true", "verify_tls = false"):
        o = h.run("run", "--date", DAY, env=h.env(site=key))
        assert o.code == 2 and "unknown key site." in o.err


@catalogue("security", "credentials in the login URL", "never printed: errors name host and path, not the URL")
def test_login_url_never_printed(h: Harness) -> None:
    env = h.env()
    env["DAILYPLAN_CONFIG"] = env["DAILYPLAN_CONFIG"].replace(h.sb.url, "http://127.0.0.1:9")  # nothing listens
    o = h.run("run", "--date", DAY, env=env)
    assert (o.code, o.account["reason"]) == (1, "network")
    assert o.account["message"] == "could not connect to 127.0.0.1 for GET /login (4 tries)"
    assert "password=" not in o.out + o.err


def test_the_unexpected_success_warning_names_the_setting_that_decides() -> None:
    from runner.config import Config, Site, Workday
    from runner.errors import Rejected
    from runner.pipeline import _unexpected_success

    refused = Rejected("refused", '{"code": 0}')
    by_field = Config(Site(base_url="http://x", success_field="code", success_value=200), Workday(), ())
    by_text = Config(Site(base_url="http://x"), Workday(), ())
    assert _unexpected_success(None, by_text) is None
    assert (_unexpected_success(refused, by_field) or "").endswith(
        "set site.success_field and site.success_value to match it")
    assert (_unexpected_success(refused, by_text) or "").endswith(
        "set site.success_text to it (or site.success_field for a JSON answer)")


@catalogue("fault", "SIGTERM to a real `python -m runner run` process (a cancelled workflow)",
           "the process exits 130 within seconds, its result file written with the account `interrupted`")
def test_sigterm_to_a_real_process(h: Harness) -> None:
    import subprocess
    import sys

    h.sb.faults.latency_ms = 300
    result = h.tmp / "result.json"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DAILYPLAN_"))}
    env = {**inherited, **h.env(), "PYTHONPATH": str(Path(__file__).parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "runner", "run", "--date", DAY, "--result", str(result)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not h.sb.requests_by(kind="history") and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    [account] = json.loads(result.read_text())["accounts"]
    assert (account["status"], account["reason"]) == ("failed", "interrupted")
    assert submits(h.sb) == 0 and "Traceback" not in out + err
    assert SECRETS["alice"] not in out + err + result.read_text()
