"""The sandbox answers exactly as reference-system.md says, and each fault knob does what it claims.

The runner's own tests trust the sandbox; these tests are why that trust is earned. The first one
is a client written from the reference document alone, in the original script's style, so the
sandbox cannot drift into agreeing with the runner instead of with the real system.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import date, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path
from urllib import parse

import pytest
import requests
from bs4 import BeautifulSoup

from runner.sandbox import DEMO_ACCOUNTS, LogEntry, Sandbox, demo_plans
from runner.sandbox import app as sandbox_module
from runner.sandbox.cli import run_cli

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Everything that breaks a naive decoder: CJK, a non-BMP emoji, HTML specials, a Windows path,
# a literal backslash-u typed by the user, quotes, a blank line splitting the two parts.
TRICKY = '2026.11.20\n继续 🚀 <b> & "引号" C:\\new\\table 正则 \\u4e2d 单\'引\n\n2026.11.19\n完成'


def json_text(response: requests.Response) -> str:
    """Decode a JSON-kind answer the right way, after checking it really is one."""
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.text.endswith("\n")
    return json.loads(response.text)


def login(sb: Sandbox, user: str = "alice", password: str = "pw-alice") -> requests.Session:
    """A requests session holding a fresh sandbox cookie; never follows redirects by itself."""
    client = requests.Session()
    response = client.get(f"{sb.url}/login", params={"username": user, "password": password})
    assert json_text(response) == "登录成功"
    return client


def submit(client: requests.Session, sb: Sandbox, day: str, content: str) -> requests.Response:
    return client.post(
        f"{sb.url}/routine/daily", data={"date": day, "content": content}, allow_redirects=False
    )


def history(client: requests.Session, sb: Sandbox, start: str, end: str) -> BeautifulSoup:
    response = client.get(
        f"{sb.url}/routine/daily",
        params={"start_date": start, "end_date": end},
        allow_redirects=False,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return BeautifulSoup(response.text, "html.parser")


def rows(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(date, decoded plan) for each `.routine` row, decoded as JSON (never unicode-escape)."""
    return [
        (row.select_one(".date").get_text(), json.loads('"' + row.textarea.get_text() + '"'))
        for row in soup.select(".routine")
    ]


@pytest.fixture
def sb(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", "pw-alice")
    sandbox.add_account("bob", "pw-bob", {"2026-11-20": "2026.11.20\n鲍勃的计划，足够长的一段文字"})
    return sandbox


# --- a client written from the reference document only --------------------------------------------
def test_reference_client_round_trips_a_tricky_plan(sb: Sandbox) -> None:
    response = requests.get(f"{sb.url}/login?username=alice&password=pw-alice")
    session = response.cookies["session"]
    headers = {"Cookie": f"session={session}", "Accept": "*/*", **FORM}
    payload = parse.urlencode({"date": "2026-11-20", "content": TRICKY})
    response = requests.post(f"{sb.url}/routine/daily", headers=headers, data=payload)
    assert response.text == '"\\u4fee\\u6539\\u6210\\u529f"\n'
    assert json.loads(response.text) == "修改成功"

    url = f"{sb.url}/routine/daily?start_date=2026-11-20&end_date=2026-11-20"
    page = requests.get(url, headers={"Cookie": f"session={session}"}).text
    raw = BeautifulSoup(page, "html.parser").select(".routine textarea")[0].get_text()
    assert "\\ud83d\\ude80" in raw and "<b> &" in raw and "\\\\u4e2d" in raw
    assert json.loads('"' + raw + '"') == TRICKY
    assert "&lt;b&gt; &amp;" in page  # HTML-escaped on the wire
    assert sb.plans["alice"]["2026-11-20"] == TRICKY


def test_the_originals_unicode_escape_decoding_mangles_plans(sb: Sandbox) -> None:
    client = login(sb)
    submit(client, sb, "2026-11-20", TRICKY)
    raw = history(client, sb, "2026-11-20", "2026-11-20").select("textarea")[0].get_text()
    # The original: split on a literal \n\n, turn \n into newlines, then unicode-escape.
    original = raw.split(r"\n\n")[0].replace("\\n", "\n").encode("utf-8").decode("unicode-escape")
    assert original != TRICKY.split("\n\n")[0]
    assert "\ud83d" in original  # a lone surrogate, not 🚀: unprintable, unencodable
    assert "C:\\new" not in original  # the \n in C:\new became a line break
    # And on real UTF-8 text (the team page's placeholder) it makes mojibake.
    team = client.get(f"{sb.url}/routine/daily", params={"mode": "1", "date": "2026-11-21"})
    cell = BeautifulSoup(team.text, "html.parser").select("textarea")[0].get_text()
    assert cell == "未填写"
    assert cell.encode("utf-8").decode("unicode-escape") == "æ\x9c\xaaå¡«å\x86\x99"
    assert json.loads('"' + cell + '"') == "未填写"


# --- login ----------------------------------------------------------------------------------------
def test_cookie_login_right_sets_an_httponly_session(sb: Sandbox) -> None:
    response = requests.get(f"{sb.url}/login", params={"username": "alice", "password": "pw-alice"})
    assert response.status_code == 200
    assert response.content == b'"\\u767b\\u5f55\\u6210\\u529f"\n'
    assert re.fullmatch(r"session=[0-9a-f]{32}; HttpOnly; Path=/", response.headers["Set-Cookie"])
    assert sb.log[-1] == LogEntry("GET", "/login", "alice", 200, "login")


def test_cookie_login_wrong_is_200_without_cookie(sb: Sandbox) -> None:
    response = requests.get(f"{sb.url}/login", params={"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert json_text(response) == "用户名或密码错误"
    assert "Set-Cookie" not in response.headers
    assert sb.log[-1] == LogEntry("GET", "/login", None, 200, "login")


def test_bearer_login_gives_a_working_token_and_401_when_wrong(sb: Sandbox) -> None:
    right = requests.post(f"{sb.url}/api/login", json={"username": "alice", "password": "pw-alice"})
    wrong = requests.post(f"{sb.url}/api/login", json={"username": "alice", "password": "x"})
    junk = requests.post(f"{sb.url}/api/login", data=b"not json")
    assert right.status_code == 200 and set(right.json()) == {"token"}
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid credentials"})
    assert junk.status_code == 401
    bearer = {"Authorization": f"Bearer {right.json()['token']}", **FORM}
    answer = requests.post(
        f"{sb.url}/routine/daily", headers=bearer, data="date=2026-11-20&content=x"
    )
    assert json_text(answer) == "修改成功"
    assert [e.kind for e in sb.log] == ["api-login", "api-login", "api-login", "submit"]
    assert sb.log[-1].user == "alice"


# --- authentication -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "query"),
    [
        ("POST", ""),
        ("GET", "?start_date=2026-11-20&end_date=2026-11-20"),
        ("GET", "?mode=1&date=2026-11-20"),
    ],
)
def test_routine_without_auth_redirects_to_login(sb: Sandbox, method: str, query: str) -> None:
    for headers in ({}, {"Cookie": "session=" + "0" * 32}, {"Authorization": "Bearer a.b.c"}):
        url = f"{sb.url}/routine/daily{query}"
        response = requests.request(method, url, headers=headers, allow_redirects=False)
        assert (response.status_code, response.headers["Location"]) == (302, "/login")
    assert {e.user for e in sb.log} == {None}


def test_issued_token_works_as_bearer_and_expired_or_forged_ones_do_not(sb: Sandbox) -> None:
    def team_status(token: str) -> int:
        url = f"{sb.url}/routine/daily?mode=1&date=2026-11-20"
        auth = {"Authorization": f"Bearer {token}"}
        return requests.get(url, headers=auth, allow_redirects=False).status_code

    token = sb.issue_token("alice")
    claims = json.loads(sandbox_module._unb64(token.split(".")[1]))
    assert claims["sub"] == "alice"
    assert abs(claims["exp"] - (time.time() + 30 * 86400)) < 60
    assert team_status(token) == 200
    assert team_status(sb.issue_token("alice", exp=datetime.now() - timedelta(seconds=5))) == 302
    assert team_status(sb.issue_token("alice", exp=int(time.time()) + 60)) == 200
    assert team_status(sb.issue_token("nobody")) == 302
    assert team_status(Sandbox().issue_token("alice")) == 302  # another sandbox's key
    header, _, signature = token.split(".")
    forged = sandbox_module._b64(json.dumps({"sub": "bob", "exp": 2**40}).encode())
    assert team_status(f"{header}.{forged}.{signature}") == 302


# --- submitting -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "body", "answer"),
    [
        (
            {"Content-Type": "application/json"},
            '{"date": "2026-11-20", "content": "x"}',
            "参数错误",
        ),
        ({}, "date=2026-11-20&content=x", "参数错误"),
        (FORM, "date=2026-13-01&content=x", "日期格式错误"),
        (FORM, "date=20261120&content=x", "日期格式错误"),
        (FORM, "date=2026.11.20&content=x", "日期格式错误"),
        (FORM, "content=x", "日期格式错误"),
        (FORM, "date=2026-11-20", "内容不能为空"),
        (FORM, "date=2026-11-20&content=", "内容不能为空"),
        (FORM, "date=2026-11-20&content=%20%0A%E3%80%80", "内容不能为空"),
    ],
)
def test_submit_rejections_store_nothing(
    sb: Sandbox, headers: dict[str, str], body: str, answer: str
) -> None:
    client = login(sb)
    response = client.post(f"{sb.url}/routine/daily", headers=headers, data=body.encode())
    assert (response.status_code, json_text(response)) == (200, answer)
    assert sb.plans["alice"] == {}


def test_submit_overwrites_silently_and_accepts_charset_parameter(sb: Sandbox) -> None:
    client = login(sb)
    assert json_text(submit(client, sb, "2026-11-20", "手写的计划")) == "修改成功"
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    body = parse.urlencode({"date": "2026-11-20", "content": "机器写的"})
    response = client.post(f"{sb.url}/routine/daily", headers=headers, data=body)
    assert json_text(response) == "修改成功"
    assert sb.plans["alice"] == {"2026-11-20": "机器写的"}


# --- reading --------------------------------------------------------------------------------------
def test_history_lists_the_range_newest_first_then_the_draft_box(sb: Sandbox) -> None:
    client = login(sb)
    for day in ("2026-11-17", "2026-11-19", "2026-11-18", "2026-11-21"):
        submit(client, sb, day, f"plan {day}\n第二行")
    soup = history(client, sb, "2026-11-18", "2026-11-20")
    assert rows(soup) == [
        ("2026-11-19", "plan 2026-11-19\n第二行"),
        ("2026-11-18", "plan 2026-11-18\n第二行"),
    ]
    assert soup.select(".routine textarea")[0]["name"] == "content"
    draft = soup.select("textarea")[-1]
    assert draft["name"] == "draft" and draft.find_parent(class_="routine") is None
    raw = client.get(f"{sb.url}/routine/daily?start_date=2026-11-19&end_date=2026-11-19").text
    row = '<div class="routine"><span class="date">2026-11-19</span>\n  <textarea name="content" '
    assert row + "readonly>plan 2026-11-19\\n\\u7b2c\\u4e8c\\u884c</textarea></div>" in raw


def test_history_without_plans_shows_one_empty_row(sb: Sandbox) -> None:
    soup = history(login(sb), sb, "2026-01-01", "2026-01-31")
    assert rows(soup) == [("", "")]
    assert len(soup.select("textarea")) == 2  # the empty row, then the hidden draft


@pytest.mark.parametrize("query", ["start_date=2026-11-20", "start_date=2026-11-20&end_date=x", ""])
def test_history_with_bad_dates_answers_date_error(sb: Sandbox, query: str) -> None:
    response = login(sb).get(f"{sb.url}/routine/daily?{query}")
    assert (response.status_code, json_text(response)) == (200, "日期格式错误")


def test_team_page_has_a_row_per_member_sorted_with_placeholder(sb: Sandbox) -> None:
    client = login(sb)
    response = client.get(f"{sb.url}/routine/daily", params={"mode": "1", "date": "2026-11-20"})
    soup = BeautifulSoup(response.text, "html.parser")
    members = [td.get_text() for td in soup.select("td.member")]
    texts = [t.get_text() for t in soup.select("textarea")]
    assert members == ["alice", "bob"]
    assert texts[0] == "未填写"
    assert json.loads('"' + texts[1] + '"') == "2026.11.20\n鲍勃的计划，足够长的一段文字"
    assert sb.log[-1] == LogEntry("GET", "/routine/daily", "alice", 200, "team")
    bad = client.get(f"{sb.url}/routine/daily", params={"mode": "1", "date": "tomorrow"})
    assert json_text(bad) == "日期格式错误"


def test_unknown_paths_are_404_and_logged_as_other(sb: Sandbox) -> None:
    client = login(sb)
    assert requests.get(f"{sb.url}/nope").status_code == 404
    assert client.get(f"{sb.url}/routine/weekly").status_code == 404
    assert requests.post(f"{sb.url}/login").status_code == 404
    assert [(e.kind, e.user, e.status) for e in sb.log[1:]] == [
        ("other", None, 404),
        ("other", "alice", 404),
        ("other", None, 404),
    ]


def test_keep_alive_serves_several_requests_on_one_connection(sb: Sandbox) -> None:
    connection = HTTPConnection(sb.url.removeprefix("http://"), timeout=5)
    connection.request("GET", "/login?username=alice&password=pw-alice")
    first = connection.getresponse()
    first.read()
    sock = connection.sock
    connection.request("GET", "/routine/daily?mode=1&date=2026-11-20")
    second = connection.getresponse()
    second.read()
    assert (first.status, second.status) == (200, 302)
    assert connection.sock is sock  # the same socket: the server kept it open
    connection.close()


def test_log_never_holds_secrets_and_can_be_filtered(sb: Sandbox) -> None:
    client = login(sb)
    token = requests.post(f"{sb.url}/api/login", json={"username": "bob", "password": "pw-bob"})
    submit(client, sb, "2026-11-20", "x")
    dump = repr(sb.log)
    for secret in ("pw-alice", "pw-bob", token.json()["token"], client.cookies["session"]):
        assert secret not in dump
    assert [e.kind for e in sb.requests_by(user="alice")] == ["login", "submit"]
    assert [e.user for e in sb.requests_by(kind="api-login")] == ["bob"]
    sb.clear_log()
    assert sb.log == [] and sb.requests_by() == []


def test_concurrent_submits_are_all_stored(sb: Sandbox) -> None:
    cookie = login(sb).cookies["session"]

    def post(day: int) -> None:
        data = {"date": f"2026-11-{day:02d}", "content": f"第{day}天"}
        requests.post(f"{sb.url}/routine/daily", data=data, cookies={"session": cookie})

    threads = [threading.Thread(target=post, args=(day,)) for day in range(1, 21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sb.plans["alice"]) == 20 and sb.plans["alice"]["2026-11-07"] == "第7天"


# --- faults ---------------------------------------------------------------------------------------
def test_latency_delays_every_answer(sb: Sandbox) -> None:
    sb.faults.latency_ms = 30
    started = time.perf_counter()
    requests.get(f"{sb.url}/nope")
    assert time.perf_counter() - started >= 0.03


def test_submit_errors_are_consumed_one_per_submit_and_store_nothing(sb: Sandbox) -> None:
    client = login(sb)
    sb.faults.submit_errors = [502, 503]
    statuses = [submit(client, sb, "2026-11-20", f"try {i}").status_code for i in range(3)]
    assert statuses == [502, 503, 200]
    assert sb.plans["alice"] == {"2026-11-20": "try 2"}
    assert [(e.status, e.user) for e in sb.requests_by(kind="submit")] == [
        (502, "alice"),
        (503, "alice"),
        (200, "alice"),
    ]


def test_resets_drop_the_connection_then_recover(sb: Sandbox) -> None:
    client = login(sb)
    sb.faults.resets = 2
    with pytest.raises(requests.ConnectionError):
        submit(client, sb, "2026-11-20", "lost")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sb.url}/login", params={"username": "alice", "password": "pw-alice"})
    assert json_text(submit(client, sb, "2026-11-20", "kept")) == "修改成功"
    assert sb.plans["alice"] == {"2026-11-20": "kept"}
    assert [(e.kind, e.user, e.status) for e in sb.log[1:]] == [
        ("submit", "alice", 0),
        ("login", None, 0),
        ("submit", "alice", 200),
    ]


def test_session_ttl_expires_cookies_and_tokens_after_k_requests(sb: Sandbox) -> None:
    sb.faults.session_ttl = 2
    client = login(sb)
    token = requests.post(f"{sb.url}/api/login", json={"username": "bob", "password": "pw-bob"})
    bearer = {"Authorization": f"Bearer {token.json()['token']}", **FORM}
    url = f"{sb.url}/routine/daily"
    body = "date=2026-11-20&content=x"
    cookie_statuses = [submit(client, sb, "2026-11-20", "x").status_code for _ in range(3)]
    bearer_statuses = [
        requests.post(url, headers=bearer, data=body, allow_redirects=False).status_code
        for _ in range(3)
    ]
    assert cookie_statuses == bearer_statuses == [200, 200, 302]
    assert json_text(submit(login(sb), sb, "2026-11-21", "y")) == "修改成功"  # a new login works


def test_lost_writes_say_success_and_store_nothing(sb: Sandbox) -> None:
    client = login(sb)
    sb.faults.lost_writes = 1
    assert json_text(submit(client, sb, "2026-11-20", "gone")) == "修改成功"
    assert sb.plans["alice"] == {}
    assert rows(history(client, sb, "2026-11-20", "2026-11-20")) == [("", "")]
    submit(client, sb, "2026-11-20", "kept")
    assert sb.plans["alice"] == {"2026-11-20": "kept"}


def test_layout_changed_history_has_no_routine_rows_and_a_naive_parser_reads_the_draft(
    sb: Sandbox,
) -> None:
    client = login(sb)
    submit(client, sb, "2026-11-20", "真的计划")
    sb.faults.layout_changed = True
    soup = history(client, sb, "2026-11-20", "2026-11-20")
    assert soup.select(".routine") == []
    assert [tr.select_one(".day").get_text() for tr in soup.select("tr.plan-row")] == ["2026-11-20"]
    naive = json.loads('"' + soup.select("textarea")[0].get_text() + '"')
    assert naive.startswith("草稿") and "2026-01-05" in naive  # the trap: the draft, not the plan
    team = client.get(f"{sb.url}/routine/daily", params={"mode": "1", "date": "2026-11-20"})
    assert len(BeautifulSoup(team.text, "html.parser").select("td.member")) == 2  # team page as is


def test_login_broken_refuses_right_credentials_both_ways(sb: Sandbox) -> None:
    sb.faults.login_broken = True
    cookie = requests.get(f"{sb.url}/login", params={"username": "alice", "password": "pw-alice"})
    assert json_text(cookie) == "用户名或密码错误" and "Set-Cookie" not in cookie.headers
    bearer = requests.post(
        f"{sb.url}/api/login", json={"username": "alice", "password": "pw-alice"}
    )
    assert (bearer.status_code, bearer.json()) == (401, {"error": "invalid credentials"})


# --- state file, demo data, CLI -------------------------------------------------------------------
def test_state_file_persists_atomically_and_reloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append((a, b)), real_replace(a, b)))
    with Sandbox(state_file=state) as first:
        first.add_account("alice", "pw-alice")
        submit(login(first), first, "2026-11-20", TRICKY)
    assert len(replaced) == 2
    assert all(Path(tmp).parent == tmp_path and dest == state for tmp, dest in replaced)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temp left behind
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["plans"] == {"alice": {"2026-11-20": TRICKY}}
    with Sandbox(state_file=state) as second:
        assert second.plans == {"alice": {"2026-11-20": TRICKY}}
        assert json_text(submit(login(second), second, "2026-11-21", "more")) == "修改成功"
    assert set(json.loads(state.read_text(encoding="utf-8"))["plans"]["alice"]) == {
        "2026-11-20",
        "2026-11-21",
    }


def test_demo_plans_cover_recent_workdays_in_the_reference_shape() -> None:
    today = date(2026, 11, 23)  # a Monday
    plans = demo_plans(today)
    assert set(plans) == set(DEMO_ACCOUNTS) and DEMO_ACCOUNTS["demo"] == "demo"
    assert "2026-11-23" not in plans["demo"]
    assert all("2026-11-23" in plans[user] for user in DEMO_ACCOUNTS if user != "demo")
    assert sorted(plans["demo"]) == [
        "2026-11-16",
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
    ]
    friday = plans["demo"]["2026-11-20"]
    assert re.fullmatch(r"2026\.11\.20\n[^\n].*\n\n2026\.11\.19\n.+", friday, re.DOTALL)
    assert friday.split("\n\n")[1] == plans["demo"]["2026-11-19"].split("\n\n")[0]
    assert all(len(text) > 15 for days in plans.values() for text in days.values())


def ctrl_c(sb: Sandbox, served: list[Sandbox]) -> None:
    """Stands in for serving until Ctrl-C: remember the sandbox, close it, raise the interrupt."""
    served.append(sb)
    sb.stop()
    raise KeyboardInterrupt


def test_run_cli_seeds_prints_how_to_connect_and_stops_cleanly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[Sandbox] = []
    monkeypatch.setattr(Sandbox, "serve_forever", lambda self: ctrl_c(self, served))
    assert run_cli("127.0.0.1", 0, None) == 0
    out = capsys.readouterr().out
    url = served[0].url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and not url.endswith(":0")
    assert f"sandbox serving at {url}" in out
    for username, password in DEMO_ACCOUNTS.items():
        assert f"  {username} / {password}\n" in out
    assert f"curl -i -c jar.txt '{url}/login?username=demo&password=demo'" in out
    assert out.endswith("sandbox stopped\n")
    assert date.today().isoformat() not in served[0].plans["demo"]


def test_run_cli_keeps_existing_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"accounts": {"carol": "pw"}, "plans": {"carol": {}}}))
    monkeypatch.setattr(Sandbox, "serve_forever", lambda self: ctrl_c(self, []))
    assert run_cli("127.0.0.1", 0, state) == 0
    out = capsys.readouterr().out
    assert "  carol / pw\n" in out and "demo / demo" not in out
    assert f"state: {state}" in out
