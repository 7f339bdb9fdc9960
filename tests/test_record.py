"""`dailyplan record` and the replay of every recorded cassette.

Recording runs against the sandbox (each profile standing in for someone's real system); the file
must hold no password, cookie, token, host or plan text, and replaying it through the pipeline
offline must decide exactly as the live dry run did.
"""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from runner import config as cfg
from runner.cli import main
from runner.record import placeholder, replay
from runner.sandbox import Sandbox
from runner.sandbox.profiles import PROFILES
from runner.status import Status

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RECORDED = ROOT / "tests" / "cassettes" / "site"
PASSWORD = "pw-demo-CANARY"
PREVIOUS = "2026.11.19\n修复登录 bug SECRETPLAN\n\n2026.11.18\n更早的工作"


def record(sb: Sandbox, tmp_path: Path, *args: str) -> tuple[int, Path]:
    env = {"DAILYPLAN_BASE_URL": sb.url}
    if sb.profile.login_path is None:
        env["DAILYPLAN_COOKIE_DEMO"] = f"{sb.profile.cookie_name}={sb.issue_cookie('demo')}"
    else:
        env["DAILYPLAN_PASSWORD_DEMO"] = PASSWORD
    code = main(["record", "--config", str(EXAMPLES / f"{sb.profile.name}.toml"), "--date", "2026-11-20",
                 "--out", str(tmp_path), *args], env)
    return code, tmp_path / "demo.yaml"


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_record_scrubs_and_the_replay_decides_the_same(profile: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox(profile=profile) as sb:
        sb.add_account("demo", PASSWORD, plans={"2026-11-19": PREVIOUS})
        sb.add_account("mate", "pw-mate", plans={"2026-11-20": "2026.11.20\n整理本周的发布说明与回归清单"})
        code, cassette = record(sb, tmp_path)
        live = [e.kind for e in sb.log]
        cookie_values = list(sb._sessions)
        host = sb.url.split("//")[1]
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"demo  previewed: dry run: would submit for 2026-11-20; nothing was sent → {cassette}" in out
    text = cassette.read_text(encoding="utf-8")
    assert text.startswith("# dailyplan record: account=demo date=2026-11-20 secret=")
    for private in (PASSWORD, host, "SECRETPLAN", "修复登录", "127.0.0.1", "eyJ", *cookie_values):
        assert private not in text, private
    assert "submit" not in live
    config = cfg.load(str(EXAMPLES / f"{profile}.toml"), {})
    result = replay(config, cassette)
    assert (result.status, result.message) == (Status.PREVIEWED, "dry run: would submit for 2026-11-20; nothing was sent")
    assert result.requests == len([k for k in live if k != "other"])
    assert result.plan.endswith("\n\n2026.11.19\nxxxx xxx xxxxxxxxxx")  # the previous plan, as placeholders


def test_keep_text_keeps_the_plans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox() as sb:
        sb.add_account("demo", PASSWORD, plans={"2026-11-19": PREVIOUS})
        code, cassette = record(sb, tmp_path, "--keep-text")
    assert code == 0
    assert "SECRETPLAN" in cassette.read_text(encoding="utf-8") and PASSWORD not in cassette.read_text()
    config = cfg.load(str(EXAMPLES / "reference.toml"), {})
    assert replay(config, cassette).plan.endswith("2026.11.19\n修复登录 bug SECRETPLAN")


def test_a_day_off_records_nothing_and_says_which_date_to_pass(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox() as sb:
        sb.add_account("demo", PASSWORD)
        env = {"DAILYPLAN_BASE_URL": sb.url, "DAILYPLAN_PASSWORD_DEMO": PASSWORD}
        code = main(["record", "--config", str(EXAMPLES / "reference.toml"), "--date", "2026-11-21",
                     "--out", str(tmp_path)], env)
    assert code == 1 and not list(tmp_path.iterdir()) and not sb.log
    assert capsys.readouterr().out.endswith("demo  nothing recorded: 2026-11-21 is a Saturday, a weekend (China's statutory calendar); pass --date with a workday\n")


def test_placeholders_keep_shape_digits_and_dates() -> None:
    assert placeholder("2026.11.19\n1. 完成登录 bug #42\n\n旧") == "2026.11.19\n1. xxxx xxx x42\n\nx"


def test_a_missing_vcrpy_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = builtins.__import__

    def no_vcr(name: str, *args: object, **kwargs: object) -> object:
        if name == "vcr":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vcr)
    assert main(["record", "--config", str(EXAMPLES / "reference.toml")], {"DAILYPLAN_PASSWORD": "x"}) == 2
    assert capsys.readouterr().err == ("error: record needs vcrpy, a development dependency: run `make test` once "
                                       "(it builds .venv with it) or `pip install vcrpy`\n")


@pytest.mark.parametrize("cassette", sorted(RECORDED.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_recorded_cassette_replays_with_this_config(cassette: Path) -> None:
    """Your own system's recordings (`dailyplan record`), against today's dailyplan.toml and template."""
    result = replay(cfg.load(str(ROOT / "dailyplan.toml"), {}), cassette)
    assert result.status != Status.FAILED, result.message
