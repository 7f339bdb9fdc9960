"""The outside check of the third promise across every sink: failure paths invented from outside
(a login page echoing the password in an attribute, a site answer naming the private host, an
HTML error page whose stack trace holds the password) must leave no secret and no private host
(``DAILYPLAN_BASE_URL``, given as a secret) in stdout, stderr, the result file, the step summary,
or the issues the fake GitHub receives from ``notify`` run on that result file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import pytest
from fake_github import FakeGitHub

from runner.cli import main
from runner.github import main as notify
from tests.outside_systems import SITES, JavaOA, serve

PASSWORD = "Pw-7&x?z"
USER = "wangfang"
TOKEN = "ghs_outsidePromiseToken42"
REPO = "octo/plans"
KEYS = SITES["java-oa"][1]


@pytest.fixture
def oa() -> Iterator[JavaOA]:
    system = JavaOA(users={USER: PASSWORD})
    system.plans[USER] = {date(2026, 11, 19): "2026.11.19\n修复登录 bug"}
    stop = serve(system)
    yield system
    stop()


def forbidden(system: JavaOA) -> list[str]:
    netloc = urlsplit(system.url).netloc
    return [PASSWORD, quote(PASSWORD, safe=""), quote_plus(PASSWORD), PASSWORD.replace("&", "&amp;"),
            json.dumps(PASSWORD)[1:-1], netloc, netloc.split(":")[0], system.url]


def run_and_notify(system: JavaOA, tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: str,
                   password: str) -> tuple[dict, str]:
    """The run job as Actions runs it (the host only in the secret), then the notify job."""
    config = tmp_path / "dailyplan.toml"
    config.write_text(f'[site]\n{keys}\n[[accounts]]\nid = "wang"\nusername = "{USER}"\nplan = "继续"\n',
                      encoding="utf-8")
    result, summary = tmp_path / "result.json", tmp_path / "summary.md"
    code = main(["run", "--config", str(config), "--date", "2026-11-20", "--result", str(result)],
                {"DAILYPLAN_PASSWORD": password, "DAILYPLAN_BASE_URL": system.url,
                 "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 1
    out = capsys.readouterr()
    stdout = "\n".join(line for line in out.out.splitlines() if not line.startswith("::add-mask::"))
    with FakeGitHub(TOKEN, REPO) as github:
        env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url,
               "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "7", "GITHUB_RUN_ATTEMPT": "1",
               "GITHUB_ACTIONS": "true", "DAILYPLAN_RUN_OUTCOME": "failure"}
        assert notify.run(result, env, sleep=lambda s: None, now=lambda: 1_800_000_000.0, timeout=1.0) == 0
        issues = [f"{i.title}\n{i.body}\n" + "\n".join(i.comments) for i in github.issues]
        sent = json.dumps([body for _, _, _, body in github.sent], ensure_ascii=False)
    notified = capsys.readouterr()
    assert issues, "notify opened no issue for a failed account"
    sinks = {"stdout": stdout, "stderr": out.err, "result": result.read_text(encoding="utf-8"),
             "summary": summary.read_text(encoding="utf-8"), "issues": "\n".join(issues), "sent": sent,
             "notify output": notified.out + notified.err}
    for name, text in sinks.items():
        for secret in forbidden(system):
            assert secret not in text, f"{secret!r} reached the {name}:\n{text}"
    [account] = json.loads(sinks["result"])["accounts"]
    return account, sinks["stderr"] + sinks["stdout"]


def test_a_login_page_echoing_the_password_and_the_host(oa: JavaOA, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    oa.users[USER] = "another"  # the secret is wrong: the login page comes back holding it
    oa.echo = f"({urlsplit(oa.url).netloc})"
    account, _ = run_and_notify(oa, tmp_path, capsys, KEYS, PASSWORD)
    assert (account["status"], account["reason"]) == ("failed", "auth")


def test_a_refusal_naming_the_private_host_and_the_password(oa: JavaOA, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    oa.echo = f"at {oa.url}/oa/plan.do for {USER}:{PASSWORD}"
    keys = KEYS.replace("[site.submit_fields]\nformId = 7\n", "")  # the required field forgotten
    account, _ = run_and_notify(oa, tmp_path, capsys, keys, PASSWORD)
    assert (account["status"], account["reason"]) == ("failed", "rejected")
    assert "formId required" in account["message"]  # the site's words are quoted, redacted


def test_a_stack_trace_holding_the_password(oa: JavaOA, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    oa.crash_submit = True
    oa.echo = f"jdbc:mysql://{urlsplit(oa.url).hostname}/oa?user={USER}&password={quote(PASSWORD)} {PASSWORD}"
    account, _ = run_and_notify(oa, tmp_path, capsys, KEYS, PASSWORD)
    assert account["status"] == "failed"
    assert date(2026, 11, 20) not in oa.plans[USER]
