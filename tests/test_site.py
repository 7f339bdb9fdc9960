"""The HTTP client against the in-process sandbox: the happy and refused paths asserted on what the
sandbox logged, and its fault knobs for retries and re-login, with tenacity's sleep recorded
instead of slept. (These once replayed cassettes of the sandbox itself, which proved nothing the
sandbox does not; vcrpy stays for recordings of real systems: `dailyplan record`.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from runner.config import Secret, Site
from runner.errors import AuthError, NetworkError, Rejected, SiteChanged
from runner.sandbox import Sandbox
from runner.site.client import SiteClient, jwt_expiry

DAY = date(2026, 11, 20)
PASSWORD = "s3cret-CANARY-pw"
TRICKY = '2026.11.20\n中文 🚀 <b>&amp; "q" C:\\new \\u4fee\r\nend'
HISTORY = {"2026-11-19": "2026.11.19\n修复 bug\n\n2026.11.18\n旧", "2026-11-10": "older"}


@pytest.fixture
def alice(sandbox: Sandbox) -> Sandbox:
    sandbox.add_account("alice", PASSWORD, plans=dict(HISTORY))
    sandbox.add_account("bob", "bob-pw", plans={"2026-11-20": "2026.11.20\n整理本周的发布说明与回归清单"})
    return sandbox


def client(sb: Sandbox, secret: str = PASSWORD, kind: str = "password", auth: str = "cookie",
           sleeps: list[float] | None = None, **site: object) -> SiteClient:
    record = sleeps.append if sleeps is not None else (lambda _s: None)
    return SiteClient(Site(base_url=sb.url, auth=auth, **site), "alice",  # type: ignore[arg-type]
                      Secret(kind, secret, "DAILYPLAN_PASSWORD_ALICE"), sleep=record)


# -- what the reference system answers ---------------------------------------------------------


def kinds(sb: Sandbox) -> list[tuple[str, int]]:
    return [(e.kind, e.status) for e in sb.log]


def test_cookie_day_login_history_submit_readback(alice: Sandbox) -> None:
    c = client(alice)
    c.login()
    rows = c.history(DAY - timedelta(days=31), DAY)
    assert [(r.day.isoformat(), r.text) for r in rows] == sorted(HISTORY.items(), reverse=True)
    c.submit(DAY, TRICKY)
    assert [(r.day, r.text) for r in c.history(DAY, DAY)] == [(DAY, TRICKY)]
    assert c.requests == 4
    assert kinds(alice) == [("login", 200), ("history", 200), ("submit", 200), ("history", 200)]
    assert alice.plans["alice"]["2026-11-20"] == TRICKY  # stored byte for byte


def test_cookie_wrong_password_is_auth_without_retry(alice: Sandbox) -> None:
    c = client(alice, secret="wrong")
    with pytest.raises(AuthError) as err:
        c.login()
    assert str(err.value) == ("login refused for alice (the site answered '用户名或密码错误'); "
                              "check DAILYPLAN_PASSWORD_ALICE")
    assert c.requests == 1
    assert kinds(alice) == [("login", 200)]  # one try: retrying a wrong password locks accounts


def test_bearer_login_then_read(alice: Sandbox) -> None:
    c = client(alice, auth="bearer")
    c.login()
    assert c.history(DAY, DAY) == []
    assert c.requests == 2
    assert kinds(alice) == [("api-login", 200), ("history", 200)]


def test_bearer_wrong_password_is_auth(alice: Sandbox) -> None:
    with pytest.raises(AuthError, match="login refused for alice; check DAILYPLAN_PASSWORD_ALICE"):
        client(alice, secret="wrong", auth="bearer").login()
    assert kinds(alice) == [("api-login", 401)]


def test_team_page_counts_real_plans(alice: Sandbox) -> None:
    assert client(alice).team_count(DAY) == 1  # bob's; alice shows the 未填写 placeholder
    assert kinds(alice) == [("login", 200), ("team", 200)]


def test_site_error_text_is_rejected(alice: Sandbox) -> None:
    with pytest.raises(Rejected) as err:
        client(alice).submit(DAY, "   ")
    assert str(err.value) == "the site refused the plan for 2026-11-20: '内容不能为空'"
    assert kinds(alice) == [("login", 200), ("submit", 200)] and "2026-11-20" not in alice.plans["alice"]


# -- live sandbox: faults ----------------------------------------------------------------------


def test_gateway_errors_are_retried_with_backoff(alice: Sandbox) -> None:
    alice.faults.submit_errors = [502, 504]
    sleeps: list[float] = []
    c = client(alice, sleeps=sleeps)
    c.submit(DAY, "2026.11.20\nplan")
    assert alice.plans["alice"]["2026-11-20"] == "2026.11.20\nplan"
    assert len(sleeps) == 2 and 1 <= sleeps[0] <= 2 and 2 <= sleeps[1] <= 3
    assert c.requests == 4  # login + three tries


def test_gateway_errors_every_time_end_as_network_after_four_tries(alice: Sandbox) -> None:
    alice.faults.submit_errors = [503] * 10
    sleeps: list[float] = []
    c = client(alice, sleeps=sleeps)
    with pytest.raises(NetworkError) as err:
        c.submit(DAY, "plan")
    assert str(err.value) == "127.0.0.1 kept answering 503 to POST /routine/daily (4 tries)"
    assert len(sleeps) == 3 and all(s <= 9 for s in sleeps)
    assert "2026-11-20" not in alice.plans["alice"]


def test_connection_resets_are_retried(alice: Sandbox) -> None:
    alice.faults.resets = 2
    sleeps: list[float] = []
    c = client(alice, sleeps=sleeps)
    c.login()
    assert len(sleeps) == 2 and c.requests == 3


def test_read_timeout_is_retried_then_a_clean_failure(alice: Sandbox) -> None:
    alice.faults.latency_ms = 300
    sleeps: list[float] = []
    c = client(alice, sleeps=sleeps, timeout=0.05)
    with pytest.raises(NetworkError) as err:
        c.login()
    assert str(err.value) == "127.0.0.1 did not answer GET /login within 0.05 s (4 tries)"
    assert len(sleeps) == 3


def test_expired_session_logs_in_again_once(alice: Sandbox) -> None:
    alice.faults.session_ttl = 1
    c = client(alice)
    c.login()
    c.history(DAY, DAY)  # uses the session's one request
    c.submit(DAY, "2026.11.20\nplan")  # 302 → login again → submit
    kinds = [e.kind for e in alice.requests_by(user=None)]
    assert kinds == ["login", "history", "submit", "login", "submit"]
    assert alice.plans["alice"]["2026-11-20"] == "2026.11.20\nplan"


def test_a_session_that_ends_twice_is_auth(alice: Sandbox) -> None:
    alice.faults.session_ttl = 0
    with pytest.raises(AuthError, match="refused alice right after logging in"):
        client(alice).history(DAY, DAY)


def test_plain_500_is_network_without_retry_and_404_is_rejected(alice: Sandbox) -> None:
    alice.faults.submit_errors = [500]
    sleeps: list[float] = []
    c = client(alice, sleeps=sleeps)
    with pytest.raises(NetworkError, match="answered 500 to POST /routine/daily"):
        c.submit(DAY, "plan")
    assert sleeps == []
    with pytest.raises(Rejected, match="answered 404 to GET /nowhere"):
        client(alice, plan_path="/nowhere").history(DAY, DAY)


def test_changed_layout_is_site_changed(alice: Sandbox) -> None:
    alice.faults.layout_changed = True
    with pytest.raises(SiteChanged, match=r"no '\.routine' rows"):
        client(alice).history(DAY, DAY)


def test_broken_login_is_auth_in_both_modes(alice: Sandbox) -> None:
    alice.faults.login_broken = True
    with pytest.raises(AuthError):
        client(alice).login()
    with pytest.raises(AuthError):
        client(alice, auth="bearer").login()
    assert len(alice.log) == 2  # never retried


def test_ready_token_is_used_as_is_and_an_expired_one_never_leaves(alice: Sandbox) -> None:
    token = alice.issue_token("alice")
    c = client(alice, secret=token, kind="token", auth="bearer")
    assert c.history(date(2026, 11, 19), date(2026, 11, 19))[0].text.startswith("2026.11.19")
    assert c.requests == 1 and [e.kind for e in alice.log] == ["history"]
    old = alice.issue_token("alice", exp=datetime(2026, 11, 1, 2, 0))
    with pytest.raises(AuthError) as err:
        client(alice, secret=old, kind="token", auth="bearer").login()
    assert "expired on 2026-11-01" in str(err.value) and "copy a fresh token" in str(err.value)
    assert len(alice.log) == 1


def test_jwt_expiry_reads_exp_and_tolerates_non_jwts(alice: Sandbox) -> None:
    assert jwt_expiry(alice.issue_token("alice", exp=1_800_000_000)).timestamp() == 1_800_000_000
    assert jwt_expiry("opaque-token") is None
    assert jwt_expiry("a.!!!.c") is None


def test_proxies_from_the_environment_are_honoured_once_per_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.corp")
    secret = Secret("password", "x", "DAILYPLAN_PASSWORD")
    outside = SiteClient(Site(base_url="https://routine.example.com"), "a", secret)
    inside = SiteClient(Site(base_url="https://routine.intranet.corp"), "a", secret)
    assert outside._http.proxies.get("https") == "http://proxy.corp:3128"
    assert "https" not in inside._http.proxies
    assert outside._http.trust_env is False  # not re-read on every request


def test_a_redirect_to_a_login_page_of_another_name_ends_the_session(alice: Sandbox) -> None:
    # the sandbox's 302 goes to /login; the config's login is elsewhere, but /login names a login
    c = client(alice, login_path="/sso/login")
    c._logged_in = True  # pretend an earlier login worked, so the first request meets the 302
    with pytest.raises(Rejected) as err:
        c.history(DAY, DAY)
    assert str(err.value) == "127.0.0.1 answered 404 to GET /sso/login; check site.login_path"
