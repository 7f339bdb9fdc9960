"""The outside check of #13/#15: systems the bundled profiles do not play, configured from the
README's ``[site]`` table alone, run end to end: submit and read back, skip a day already filed,
quote the previous plan, never touch a hand-written plan, and fail a wrong password as ``auth``
after one login.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from runner.cli import main
from runner.workday import today_in
from tests.outside_systems import SITES, GbkAsp, JavaOA, JsonRows, System, serve

PASSWORD = "Pw-7&x?z"
USER = "wangfang"

PREVIOUS = "2026.11.19\n修复登录 bug\n联调导出\n\n2026.11.18\n旧的计划"


@pytest.fixture(params=sorted(SITES))
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[System, Path]]:
    kind, keys = SITES[request.param]
    system = kind(users={USER: PASSWORD})
    # a month of plans, so a paged history (10 rows a page, newest first) has more than one page
    system.plans[USER] = {date(2026, 11, d): f"2026.11.{d:02d}\n第 {d} 天" for d in range(2, 19)
                          if date(2026, 11, d).weekday() < 5}
    system.plans[USER][date(2026, 11, 19)] = PREVIOUS
    stop = serve(system)
    config = tmp_path / "dailyplan.toml"
    config.write_text(f'[site]\nbase_url = "{system.url}"\n{keys}\n[workday]\naudit_days = 0\n'
                      f'[[accounts]]\nid = "wang"\nusername = "{USER}"\nplan = "继续重构支付接口"\n',
                      encoding="utf-8")
    yield system, config
    stop()


def run(config: Path, day: str, password: str = PASSWORD, *more: str) -> tuple[int, dict, str]:
    result = config.parent / "result.json"
    code = main(["run", "--config", str(config), "--date", day, "--result", str(result), *more],
                {"DAILYPLAN_PASSWORD": password})
    [account] = json.loads(result.read_text(encoding="utf-8"))["accounts"]
    return code, account, f"{account['status']} {account['reason']}: {account['message']}"


def kinds(system: System) -> list[str]:
    return [kind for kind, _, _ in system.log if kind != "index"]


def test_submits_reads_back_and_quotes_the_previous_plan(site: tuple[System, Path]) -> None:
    system, config = site
    code, account, said = run(config, "2026-11-20")
    assert (code, account["status"]) == (0, "submitted"), said
    assert system.plans[USER][date(2026, 11, 20)] == "2026.11.20\n继续重构支付接口\n\n2026.11.19\n修复登录 bug\n联调导出"
    assert account["previous_date"] == "2026-11-19"
    assert kinds(system) == ["login", "history", "history", "submit", "history"]


def test_a_second_run_skips_the_day_already_filed(site: tuple[System, Path]) -> None:
    system, config = site
    run(config, "2026-11-20")
    filed = system.plans[USER][date(2026, 11, 20)]
    system.log.clear()
    code, account, said = run(config, "2026-11-20")
    assert (code, account["status"], account["reason"]) == (0, "skipped", "already-submitted"), said
    assert "submit" not in kinds(system)
    assert system.plans[USER][date(2026, 11, 20)] == filed


def test_a_hand_written_plan_is_never_overwritten(site: tuple[System, Path]) -> None:
    system, config = site
    system.plans[USER][date(2026, 11, 20)] = "我自己写的\n今天开会"
    code, account, said = run(config, "2026-11-20")
    assert (code, account["status"], account["reason"]) == (0, "skipped", "already-submitted"), said
    assert system.plans[USER][date(2026, 11, 20)] == "我自己写的\n今天开会"
    assert "submit" not in kinds(system)


def test_a_wrong_password_fails_auth_after_one_login(site: tuple[System, Path]) -> None:
    system, config = site
    code, account, said = run(config, "2026-11-20", "not-the-password")
    assert (code, account["status"], account["reason"]) == (1, "failed", "auth"), said
    assert kinds(system).count("login") == 1
    assert "submit" not in kinds(system)
    assert date(2026, 11, 20) not in system.plans[USER]


def test_check_says_ready(site: tuple[System, Path], capsys: pytest.CaptureFixture[str]) -> None:
    system, config = site
    system.plans[USER][today_in("Asia/Shanghai") - timedelta(days=1)] = "昨天的计划"  # check reads today
    code = main(["check", "--config", str(config)], {"DAILYPLAN_PASSWORD": PASSWORD})
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert "ready (logged in with DAILYPLAN_PASSWORD" in out.out


@pytest.fixture
def java_oa(tmp_path: Path) -> Iterator[tuple[JavaOA, Path]]:
    system = JavaOA(users={USER: PASSWORD})
    system.plans[USER] = {date(2026, 11, 19): PREVIOUS}
    stop = serve(system)
    config = tmp_path / "dailyplan.toml"
    config.write_text(f'[site]\nbase_url = "{system.url}"\n{SITES["java-oa"][1]}\n'
                      f'[[accounts]]\nid = "wang"\nusername = "{USER}"\nplan = "继续"\n', encoding="utf-8")
    yield system, config
    stop()


def test_an_empty_table_for_today_is_no_plan_yet_but_a_page_without_it_is_site_changed(
        java_oa: tuple[JavaOA, Path]) -> None:
    """Found from outside: a history that shows a day without a plan as an empty table (no row
    at all, the common case) failed every workday as site-changed, so it could never be filed.
    Zero rows is now believed on a page that still has the table this run's ranged read found
    rows in; an error page without it stays site-changed and nothing is submitted."""
    system, config = java_oa
    system.busy_single_day = True
    code, account, said = run(config, "2026-11-20")
    assert (code, account["reason"]) == (1, "site-changed"), said
    assert "submit" not in kinds(system)
    system.busy_single_day = False
    code, account, said = run(config, "2026-11-20")
    assert (code, account["status"]) == (0, "submitted"), said


def test_no_plan_at_all_in_the_lookback_is_site_changed_not_a_blind_submit(
        java_oa: tuple[JavaOA, Path]) -> None:
    """With no row anywhere the selectors are unproven: the runner cannot tell 'no plan' from
    'wrong selectors', so it submits nothing (README: file one plan by hand first)."""
    system, config = java_oa
    system.plans[USER] = {}
    code, account, said = run(config, "2026-11-20")
    assert (code, account["reason"]) == (1, "site-changed"), said
    assert "submit" not in kinds(system)


@pytest.mark.parametrize("dates", ["jackson", "epoch-ms"])
def test_a_json_history_writing_days_as_moments_is_read_in_china_time(
        dates: str, tmp_path: Path) -> None:
    """Found from outside: Spring's Jackson writes a plan dated 2026-11-20 (midnight in China) as
    ``2026-11-19T16:00:00.000+00:00``; read by its first ten characters it was the 19th, so today's
    plan was never found and nothing could be filed (site-changed). A time with an offset is now
    read as a moment, as a Unix time already was."""
    system = JsonRows(users={USER: PASSWORD})
    system.dates = dates
    system.plans[USER] = {date(2026, 11, 19): PREVIOUS}
    stop = serve(system)
    try:
        config = tmp_path / "dailyplan.toml"
        config.write_text(f'[site]\nbase_url = "{system.url}"\n{SITES["json-rows"][1]}\n'
                          f'[[accounts]]\nid = "wang"\nusername = "{USER}"\nplan = "继续重构支付接口"\n',
                          encoding="utf-8")
        code, account, said = run(config, "2026-11-20")
        assert (code, account["status"], account["previous_date"]) == (0, "submitted", "2026-11-19"), said
        code, account, said = run(config, "2026-11-20")
        assert (code, account["status"], account["reason"]) == (0, "skipped", "already-submitted"), said
    finally:
        stop()


def test_a_history_whose_end_date_leaves_the_day_out_is_named_by_check_and_configurable(
        java_oa: tuple[JavaOA, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Found from outside: a system comparing its end date with a datetime (the common SQL
    ``BETWEEN`` on a create_time) shows nothing for a day alone, so run took 'no plan yet' on
    a day already filed by hand and submitted over it, while check said ready. check now reads
    the newest plan's day alone and names site.history_end; with it the hand-written plan stays."""
    system, config = java_oa
    system.end_exclusive = True
    yesterday = today_in("Asia/Shanghai") - timedelta(days=1)
    system.plans[USER][yesterday] = "昨天的计划"
    assert main(["check", "--config", str(config)], {"DAILYPLAN_PASSWORD": PASSWORD}) == 1
    assert capsys.readouterr().out.splitlines()[-1].endswith(
        f"history: the range shows a plan for {yesterday}, but a read of {yesterday} alone (start = end) "
        "shows none: the site's end date leaves the day out; set site.history_end = \"next-day\"")
    config.write_text(config.read_text(encoding="utf-8").replace(
        'end_param = "to"\n', 'end_param = "to"\nhistory_end = "next-day"\n'), encoding="utf-8")
    assert main(["check", "--config", str(config)], {"DAILYPLAN_PASSWORD": PASSWORD}) == 0
    system.plans[USER][date(2026, 11, 20)] = "我自己写的"
    code, account, said = run(config, "2026-11-20")
    assert (code, account["status"], account["reason"]) == (0, "skipped", "already-submitted"), said
    assert system.plans[USER][date(2026, 11, 20)] == "我自己写的"
    del system.plans[USER][date(2026, 11, 20)]
    code, account, said = run(config, "2026-11-20")
    assert (code, account["status"], account["previous_date"]) == (0, "submitted", "2026-11-19"), said


def test_a_list_without_years_is_read_within_the_range_asked_for(tmp_path: Path) -> None:
    """Found from outside: a history list writing 11月20日 (no year), as many OA lists do, failed
    every run as site-changed ('no readable date'): it could not be configured. A year-less day
    is now the latest such day not after the end of the range asked for, so December's plans
    read on the first workday of January are last year's."""
    system = GbkAsp(users={USER: PASSWORD})
    system.year_less = True
    system.plans[USER] = {date(2025, 12, 30): "2025.12.30\n年终总结", date(2025, 12, 31): "2025.12.31\n年终总结 2"}
    stop = serve(system)
    try:
        config = tmp_path / "dailyplan.toml"
        config.write_text(f'[site]\nbase_url = "{system.url}"\n{SITES["gbk-asp"][1]}\n[workday]\naudit_days = 0\n'
                          f'[[accounts]]\nid = "wang"\nusername = "{USER}"\nplan = "新年计划"\n', encoding="utf-8")
        code, account, said = run(config, "2026-01-05")
        assert (code, account["status"], account["previous_date"]) == (0, "submitted", "2025-12-31"), said
        assert system.plans[USER][date(2026, 1, 5)] == "2026.01.05\n新年计划\n\n2025.12.31\n年终总结 2"
        code, account, said = run(config, "2026-01-05")
        assert (code, account["status"], account["reason"]) == (0, "skipped", "already-submitted"), said
    finally:
        stop()


def test_a_history_paged_oldest_first_is_named_by_check(
        java_oa: tuple[JavaOA, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Found from outside: a history paged oldest first (page 1 = the oldest 10 plans of the
    31 days) made run quote a plan weeks old as the previous one and report every newer filed
    day as missed (false missed-day issues that never close). check now reads the days after the
    newest plan shown and names site.lookback_days; with a range one page holds, run is right."""
    system, config = java_oa
    system.oldest_first = True
    today = today_in("Asia/Shanghai")
    system.plans[USER] = {today - timedelta(days=n): f"计划 {n}" for n in range(1, 29)}
    assert main(["check", "--config", str(config)], {"DAILYPLAN_PASSWORD": PASSWORD}) == 1
    days = sorted(system.plans[USER])
    newest = days[9]  # page 1 of the 31-day read: the 10 oldest plans
    shown = [d for d in days if d > newest][9]  # page 1 of the read after it
    assert capsys.readouterr().out.splitlines()[-1].endswith(
        f"history: the 31-day read shows no plan after {newest}, but a read of the days after it shows one "
        f"for {shown}: the answer is paged, oldest first; lower site.lookback_days until "
        f"one page holds it (at most {31 - (today - newest).days - 1})")
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[site.submit_fields]", "lookback_days = 8\n[site.submit_fields]"), encoding="utf-8")
    assert main(["check", "--config", str(config)], {"DAILYPLAN_PASSWORD": PASSWORD}) == 0
