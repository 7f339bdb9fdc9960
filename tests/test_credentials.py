"""Secret names explain themselves: what to set, and what was probably set instead."""

from __future__ import annotations

import pytest

from runner import credentials
from runner.config import SecretKind, load, secret_variable
from runner.errors import UsageError

HINT = "(repository → Settings → Secrets and variables → Actions, or export it)"


def config_for(*ids: str, auth: str = "cookie", username: str = "") -> object:
    accounts = "".join(f'[[accounts]]\nid = "{i}"\nusername = "{username or i}"\n' for i in ids)
    return load(None, {"DAILYPLAN_CONFIG": f'[site]\nbase_url = "https://x.test"\nauth = "{auth}"\n{accounts}'})


def why(config: object, secrets: dict[str, str]) -> str:
    with pytest.raises(UsageError) as err:
        credentials.find_all(config, config.accounts, secrets)
    return str(err.value)


def test_one_formula_for_the_names() -> None:
    assert secret_variable(SecretKind.PASSWORD, "li.lei-2") == "DAILYPLAN_PASSWORD_LI_LEI_2"
    assert secret_variable(SecretKind.TOKEN) == "DAILYPLAN_TOKEN"
    assert secret_variable(SecretKind.COOKIE, "bob") == "DAILYPLAN_COOKIE_BOB"


def test_each_auth_takes_its_kinds() -> None:
    found = credentials.find(config_for("alice", auth="bearer"), config_for("alice").accounts[0],
                             {"DAILYPLAN_TOKEN": "t", "DAILYPLAN_PASSWORD_ALICE": "p"})
    assert (found.kind, found.variable) == (SecretKind.TOKEN, "DAILYPLAN_TOKEN")
    assert credentials.kinds(config_for("a", auth="cookie")) == (SecretKind.PASSWORD,)


def test_one_account_says_the_short_name_works_too() -> None:
    assert why(config_for("alice"), {}) == (
        "missing secret for account alice: set DAILYPLAN_PASSWORD_ALICE (or DAILYPLAN_PASSWORD, as it "
        f"is the only account) {HINT}")


def test_a_near_miss_gets_a_did_you_mean() -> None:
    assert why(config_for("alice", "bob"), {"DAILYPLAN_PASSWRD_ALICE": "x", "DAILYPLAN_PASSWORD_BOB": "y"}) == (
        f"missing secret for account alice: set DAILYPLAN_PASSWORD_ALICE {HINT}; "
        "DAILYPLAN_PASSWRD_ALICE is set: did you mean DAILYPLAN_PASSWORD_ALICE?")


def test_the_username_instead_of_the_id() -> None:
    assert why(config_for("alice", "bob", username="li.lei"), {"DAILYPLAN_PASSWORD_LI_LEI": "x"}).endswith(
        "DAILYPLAN_PASSWORD_LI_LEI is set, but secret names use the account's id ('alice'), not its "
        "username; rename it DAILYPLAN_PASSWORD_ALICE")


def test_a_token_while_auth_is_cookie_and_the_reverse() -> None:
    assert why(config_for("alice"), {"DAILYPLAN_TOKEN_ALICE": "t"}).endswith(
        "DAILYPLAN_TOKEN_ALICE is set, but site.auth = 'cookie' does not use a token; set "
        "DAILYPLAN_PASSWORD_ALICE, or site.auth = 'bearer'")
    assert why(config_for("alice", "bob"), {"DAILYPLAN_COOKIE_ALICE": "c"}).endswith(
        "DAILYPLAN_COOKIE_ALICE is set, but site.auth = 'cookie' does not use a cookie; set "
        "DAILYPLAN_PASSWORD_ALICE, or site.auth = 'cookie-secret'")


def test_the_bare_password_is_ignored_with_several_accounts() -> None:
    assert why(config_for("alice", "bob"), {"DAILYPLAN_PASSWORD": "p"}) == (
        f"missing secret for account alice: set DAILYPLAN_PASSWORD_ALICE {HINT}; DAILYPLAN_PASSWORD is set "
        "but ignored: with 2 accounts each needs its own, named by its id")


def test_another_accounts_secret_is_no_near_miss() -> None:
    assert why(config_for("alice", "alicf"), {"DAILYPLAN_PASSWORD_ALICF": "p"}) == (
        f"missing secret for account alice: set DAILYPLAN_PASSWORD_ALICE {HINT}")


def test_is_configured() -> None:
    assert not credentials.is_configured({"DAILYPLAN_BASE_URL": "https://x"})
    assert credentials.is_configured({"DAILYPLAN_COOKIE_BOB": "c"})
    assert credentials.is_configured({}, "timezone = 'UTC'")


def test_with_one_account_the_closest_name_is_suggested() -> None:
    assert why(config_for("me"), {"DAILYPLAN_PASSWRD": "x"}).endswith(
        "DAILYPLAN_PASSWRD is set: did you mean DAILYPLAN_PASSWORD?")


def test_a_lower_case_name_is_a_near_miss_too() -> None:
    from runner.inputs import Inputs

    secrets = Inputs.read({"dailyplan_password_alice": "pw"}, "run").secrets
    assert why(config_for("alice", "bob"), secrets).endswith(
        "dailyplan_password_alice is set: did you mean DAILYPLAN_PASSWORD_ALICE?")
