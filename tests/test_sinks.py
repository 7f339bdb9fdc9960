"""The secret canary at every sink: console, annotations, step summary, result file, issue bodies.

A login page that echoes the password back (old Java web apps re-fill the field) is quoted into
the account's message, in every escaped form a page can hold; the account's plan carries the
password too (a dry run prints it). Nothing of either, nor the private host, may reach any sink.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import pytest
from fake_github import FakeGitHub

from runner.cli import main
from runner.errors import AuthError
from runner.github import main as notify
from runner.sandbox import Sandbox
from runner.site.client import SiteClient

PASSWORD = "Canary pw&7<x>"
FORMS = (PASSWORD, quote(PASSWORD, safe=""), quote_plus(PASSWORD), html.escape(PASSWORD),
         json.dumps(PASSWORD)[1:-1], PASSWORD.replace(" ", "+"))


def echoing_login(self: SiteClient) -> None:
    page = " ".join(f'<input type="password" name="password" value="{form}">' for form in FORMS)
    host = urlsplit(self.site.base_url).netloc
    raise AuthError(f"login refused for {self.username} on {host} ({page}); check {self.secret.variable}")


@pytest.mark.catalogue("security", "secret canary at every sink: an echoed password in every escaped form",
                       "no secret or private host in stdout, stderr, annotations, summary, result file, "
                       "issue bodies")
def test_no_form_of_a_secret_reaches_any_sink(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox() as sb:
        sb.add_account("alice", PASSWORD)
        sb.add_account("bob", "bob-pw")
        host = urlsplit(sb.url).netloc  # the sandbox stands in for the private host
        config = ('[site]\nbase_url = "http://unused.invalid"\n'
                  f'[[accounts]]\nid = "alice"\nusername = "alice"\nplan = "{PASSWORD} at {host}"\n'
                  '[[accounts]]\nid = "bob"\nusername = "bob"\nplan = "计划"\n')
        summary, result = tmp_path / "summary.md", tmp_path / "result.json"
        env = {"DAILYPLAN_CONFIG": config, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
               "DAILYPLAN_SECRETS": f"DAILYPLAN_PASSWORD_ALICE='{PASSWORD}'\nDAILYPLAN_PASSWORD_BOB=bob-pw",
               "DAILYPLAN_BASE_URL": sb.url, "DAILYPLAN_LOCK_FILE": str(tmp_path / "lock")}
        printed = ""
        assert main(["run", "--date", "2026-11-20", "--dry-run"], env) == 0  # plans printed
        printed += "".join(capfd.readouterr())
        monkeypatch.setattr(SiteClient, "login", echoing_login)
        assert main(["run", "--date", "2026-11-20", "--result", str(result)], env) == 1
        printed += "".join(capfd.readouterr())
        assert main(["check"], env) == 1
        printed += "".join(capfd.readouterr())

    data = json.loads(result.read_text(encoding="utf-8"))
    assert [a["reason"] for a in data["accounts"]] == ["auth", "auth"]  # the failure path really ran
    assert "***" in data["accounts"][0]["message"]
    with FakeGitHub("ghs_token", "octo/plans") as github:
        env = {"GITHUB_TOKEN": "ghs_token", "GITHUB_REPOSITORY": "octo/plans", "GITHUB_API_URL": github.url,
               "GITHUB_RUN_ID": "1", "GITHUB_ACTIONS": "true", "DAILYPLAN_RUN_OUTCOME": "failure"}
        assert notify.run(result, env) == 0
        bodies = [i.body for i in github.issues] + [c for i in github.issues for c in map(str, i.comments)]
    assert len(github.issues) == 2
    printed += "".join(capfd.readouterr())
    sinks = printed + summary.read_text(encoding="utf-8") + result.read_text(encoding="utf-8") + "".join(bodies)
    # GitHub's own ::add-mask:: is the one place a secret may appear: it tells the log to hide it
    sinks = "\n".join(line for line in sinks.splitlines() if not line.startswith("::add-mask::"))
    for form in (*FORMS, host):
        assert form not in sinks, form
    assert "alice" in sinks and "auth" in sinks  # the sinks did get the failure, only without secrets
