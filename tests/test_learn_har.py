"""Reading a recording: what browsers write is read; anything else is one line and exit 2."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from runner import cli
from runner.learn import har

EXPORT = "in the Network panel choose Export HAR (Chrome/Edge) or Save All As HAR (Firefox)"


def _har(entries: list[dict]) -> dict:
    return {"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "133.0"}, "entries": entries}}


def _entry(url: str, **response: object) -> dict:
    return {"request": {"method": "GET", "url": url, "headers": [], "cookies": [], "queryString": []},
            "response": {"status": 200, "headers": [], "cookies": [], **response}}


def test_reads_text_base64_and_declared_charsets() -> None:
    gbk = "<html><head><meta charset=gbk></head><body>计划</body></html>".encode("gbk")
    entries = har.parse(json.dumps(_har([
        _entry("https://plans.example.com/a?x=1", content={"mimeType": "text/html", "text": "<p>好</p>"}),
        _entry("https://plans.example.com/b", content={"mimeType": "text/html",
                                                      "text": base64.b64encode(gbk).decode(),
                                                      "encoding": "base64"}),
        _entry("https://plans.example.com/c.png", content={"mimeType": "image/png", "encoding": "base64",
                                                          "text": base64.b64encode(b"\x89PNG\xff\xfe").decode()}),
        _entry("https://plans.example.com/d", content={"mimeType": "text/html"}),
    ])).encode(), "x.har")
    assert [e.index for e in entries] == [1, 2, 3, 4]
    assert entries[0].text == "<p>好</p>" and entries[0].query == [("x", "1")]
    assert "计划" in entries[1].text
    assert entries[2].content is None and entries[3].content is None  # an image; a HAR saved without content
    assert entries[0].where == "entry 1: GET /a"


@pytest.mark.parametrize(("content", "line"), [
    (b"", f"error: x.har is empty; record again and {EXPORT}"),
    (b"<html>not a recording</html>", f"error: x.har is not a HAR recording (not JSON); {EXPORT}"),
    (b'{"log": {"version": "1.2", "entries": [{"request": {"method": "GET", "url": "http://a/"',
     f"error: x.har is truncated (the JSON stops after 87 bytes); let the browser finish saving, or {EXPORT} again"),
    (b'{"log": {"entries": [}\n  , "x": 1}',
     f"error: x.har is not valid JSON (line 1, column 22); {EXPORT} again"),
    (b'{"cookies": []}', f"error: x.har is JSON but not a HAR recording (no log.entries); {EXPORT}"),
    (b'{"log": {"entries": []}}',
     "error: x.har holds no requests; turn on Preserve log, start recording before you log in, then export"),
    (b'{"log": {"entries": [{"response": {}}]}}',
     f"error: x.har: entry 1 has no request method and URL, so this is not a HAR as browsers save it; {EXPORT} again"),
])
def test_a_file_that_is_not_a_har_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        content: bytes, line: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.har").write_bytes(content)
    assert cli.main(["learn", "x.har"]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [line] and out == ""
    assert not (tmp_path / "dailyplan.toml").exists()


def test_a_missing_recording_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["learn", "nope.har"]) == 2
    assert capsys.readouterr().err == "error: recording nope.har not found; pass the .har file the browser saved\n"


def test_a_recording_of_another_site_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    page = _entry("https://news.example.org/today", content={"mimeType": "text/html",
                                                             "text": "<h1>Weather</h1><p>Sunny</p>"})
    (tmp_path / "x.har").write_text(json.dumps(_har([page, _entry("https://cdn.example.org/a.js")])))
    assert cli.main(["learn", "x.har"]) == 2
    assert capsys.readouterr().err == (
        "error: x.har: none of its 2 requests is a login, a plan list or a plan submit (hosts: "
        "cdn.example.org, news.example.org); record again with Preserve log on: log in, open your "
        "plans, submit one by hand, export\n")


def test_a_damaged_recording_is_never_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seeded damage to real-shaped recordings (values of the wrong type, keys gone, the file cut
    short): each run ends in 0 or one line and exit 2, never 'unexpected' (a traceback)."""
    import copy
    import random

    from har_recorder import sanitize
    from test_learn_shapes import gbk_app, java_app, json_api, sso_app

    rng = random.Random(17)
    bases = [json_api(), java_app(), gbk_app(), sso_app(), sanitize(java_app())]
    odd: list[object] = [None, 1, "x", [], {}, True, {"name": 1}, [{"a": 1}], -5, 1e308]

    def damage(node: object) -> None:
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            return
        key = rng.choice(keys)
        roll = rng.random()
        if roll < 0.3:
            node[key] = rng.choice(odd)  # type: ignore[index]
        elif roll < 0.4:
            del node[key]  # type: ignore[arg-type, attr-defined]
        else:
            damage(node[key])  # type: ignore[index]

    for _ in range(120):
        har = copy.deepcopy(rng.choice(bases))
        for _ in range(rng.randint(1, 6)):
            damage(har)
        text = json.dumps(har, ensure_ascii=False)
        if rng.random() < 0.15:
            text = text[: rng.randrange(1, len(text))]
        (tmp_path / "x.har").write_text(text, encoding="utf-8")
        code = cli.main(["learn", str(tmp_path / "x.har"), "--out", "-"])
        _, err = capsys.readouterr()
        assert code in (0, 2) and "unexpected" not in err, err
        if code == 2:
            assert len(err.splitlines()) >= 1 and err.splitlines()[-1].startswith("error: ")


@pytest.mark.parametrize(("given", "username", "wanted"), [
    (None, "li.lei", "li.lei"), (None, "Li.Lei@corp.example", "li.lei"), (None, "张伟", "me"),
    ("alice", "zhangwei", "alice")])
def test_the_account_id(given: str | None, username: str, wanted: str) -> None:
    from runner.learn.command import account_id

    assert account_id(given, username) == wanted


def test_a_recording_with_only_a_login_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    login = {"request": {"method": "POST", "url": "https://mail.example.org/session", "headers": [],
                         "postData": {"mimeType": "application/x-www-form-urlencoded",
                                      "text": "login=me&password=hunter2-secret"}},
             "response": {"status": 302, "headers": [], "content": {"mimeType": "text/html", "text": ""}}}
    (tmp_path / "x.har").write_text(json.dumps(_har([login])))
    assert cli.main(["learn", "x.har"]) == 2
    out, err = capsys.readouterr()
    assert err == ("error: x.har: no plan list and no plan submit among its 1 requests (only a login, at "
                   "mail.example.org); record again with Preserve log on: log in, open your plans, submit "
                   "one by hand, export\n")
    assert "hunter2" not in out + err


@pytest.mark.parametrize("name", ["password", "j_password", "LoginForm[password]", "pwd", "passwd",
                                  "userPass", "pass", "mima", "密码"])
def test_names_that_hold_a_password(name: str) -> None:
    from runner.learn.moments import is_password_name

    assert is_password_name(name)


@pytest.mark.parametrize("name", ["passage", "compass", "bypass", "username", "content"])
def test_names_that_do_not(name: str) -> None:
    from runner.learn.moments import is_password_name

    assert not is_password_name(name)
