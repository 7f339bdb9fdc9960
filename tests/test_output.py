"""Where words leave: redaction of every form, escaped workflow commands, atomic files."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from runner import output
from runner.output import atomic_write, workflow_command
from runner.redact import Redactor

SECRET = 'p@ss wörd&"<1>%/\''


@pytest.mark.parametrize("form", [
    SECRET, quote(SECRET, safe=""), quote(SECRET), quote_plus(SECRET), html.escape(SECRET),
    html.escape(SECRET, quote=False), json.dumps(SECRET)[1:-1], json.dumps(SECRET, ensure_ascii=False)[1:-1],
    SECRET.replace(" ", "+"), html.escape(quote_plus(SECRET)),
    re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(SECRET, safe="")),  # lower-case hex
    html.escape(SECRET).replace("&#x27;", "&#39;").replace("&quot;", "&#34;"),  # numeric entities
    json.dumps(SECRET)[1:-1].replace("/", "\\/"),  # JSON as PHP writes it
])
def test_every_form_of_a_secret_is_removed(form: str) -> None:
    redact = Redactor.for_secrets({"DAILYPLAN_PASSWORD_ALICE": SECRET})
    assert redact(f"<input value=\"{form}\"> and again {form}") == '<input value="***"> and again ***'


def test_the_base_url_host_is_a_secret_in_any_case() -> None:
    redact = Redactor.for_secrets({"DAILYPLAN_BASE_URL": "https://Plans.Corp.Internal:8443/app"})
    assert redact("GET https://plans.corp.internal:8443/x failed; PLANS.CORP.INTERNAL down") == (
        "GET https://***/x failed; *** down")
    assert "plans.corp.internal:8443" in [m.lower() for m in redact.masks()]


def test_short_values_are_left_alone() -> None:
    assert Redactor(["ab"])("ab cd") == "ab cd"


@pytest.mark.parametrize(("args", "line"), [
    (("warning", "50% done\r\nnext"), "::warning::50%25 done%0D%0Anext"),
    (("error", "::error::pwned", {"title": "dailyplan a,b:c"}),
     "::error title=dailyplan a%2Cb%3Ac::::error::pwned"),
    (("notice", "x", {"title": "t", "file": "f%\n"}), "::notice title=t,file=f%25%0A::x"),
])
def test_workflow_commands_escape_as_github_specifies(args: tuple, line: str) -> None:
    command, data, *props = args
    assert workflow_command(command, data, **(props[0] if props else {})) == line


def test_site_text_cannot_start_a_command_of_its_own() -> None:
    line = workflow_command("warning", "ok\n::error::forged", title="dailyplan")
    assert line == "::warning title=dailyplan::ok%0A::error::forged"  # one line: no command starts it


def test_atomic_write_leaves_old_or_new_never_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deep" / "result.json"
    atomic_write(path, "old")
    assert path.read_text() == "old"

    def broken(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError):
        atomic_write(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in path.parent.iterdir()) == ["result.json"]  # no temporary left


def test_check_writable(tmp_path: Path) -> None:
    assert output.check_writable(tmp_path / "new" / "r.json") is None
    assert output.check_writable(tmp_path) == "is a folder"
    (tmp_path / "file").write_text("x")
    assert output.check_writable(tmp_path / "file" / "r.json") == f"is inside {tmp_path / 'file'}, which is not a folder"


def test_site_text_on_a_line_of_its_own_is_no_workflow_command(capsys: pytest.CaptureFixture[str]) -> None:
    from runner.inputs import Inputs
    from runner.report import Reporter

    Reporter(Redactor(), Inputs(actions=True)).line("said:\n::error::forged\n  ::set-env name=x::y")
    assert capsys.readouterr().out == "said:\n: :error::forged\n  : :set-env name=x::y\n"


def test_a_bare_scheme_is_not_a_secret_worth_blanking() -> None:
    assert Redactor(["https://", "https://x"])("see https://example.org") == "see https://example.org"
    assert Redactor(["https://hc-ping.com/abc"])("GET https://hc-ping.com/abc") == "GET ***"


def test_masks_are_one_line_each() -> None:
    assert Redactor(["line-one\nline-two", "solo-pw"], ["plans.corp"]).masks() == [
        "line-one", "line-two", "solo-pw", "plans.corp"]


def test_every_file_the_runner_writes_goes_through_atomic_write() -> None:
    """Appends (the step summary, GITHUB_OUTPUT) are the only other writes: GitHub owns those files."""
    root = Path(__file__).resolve().parent.parent / "runner"
    for path in root.rglob("*.py"):
        if path.name == "output.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert ".write_text(" not in text and ".write_bytes(" not in text, path
        assert not re.search(r"open\([^)]*[\"'][wx]b?[\"']", text), path
        assert "mkstemp(" not in text, path


def test_only_a_regular_file_is_ever_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert output.check_writable(fifo) == "is not a regular file (a device or a pipe)"
    assert output.check_writable(Path("/dev/null")) == "is not a regular file (a device or a pipe)"
    with pytest.raises(OSError, match="is not a regular file"):
        atomic_write(fifo, "x")
    assert fifo.is_fifo()
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    atomic_write(link, "new")
    assert link.is_symlink() and target.read_text() == "new"  # the link kept, its file written
