"""The README's configuration tables and the schema cannot drift apart.

Every key the README documents (the example `dailyplan.toml` for the top level, `[workday]` and
`[[accounts]]`, the `[site]` table for the site) is set on its own to a valid value other than its
default, and the config must load and carry that value; and every key the config accepts must be
in the README.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from runner.config import Account, Config, Site, Workday, parse

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BASE = {"site": {"base_url": "https://routine.example.com"},
        "accounts": [{"id": "alice", "username": "alice"}]}

# valid values other than the default, where a generic one (a path, a name, a number) would not do
SITE_VALUES: dict[str, Any] = {
    "base_url": "https://plans.example.org", "auth": "bearer", "login_method": "post-form",
    "submit_method": "PUT", "submit_format": "json", "history_format": "json",
    "content_encoding": "plain", "history_end": "next-day", "date_format": "%Y/%m/%d", "form_charset": "gbk",
    "headers": {"X-Requested-With": "XMLHttpRequest"}, "submit_fields": {"formId": 7},
    "success_value": 0, "history_items": "data.list", "team_items": "data",
    "csrf_field": "_csrf", "success_field": "code", "team_mode_param": "",
}
OTHER_VALUES: dict[str, Any] = {
    "timezone": "Europe/Berlin", "parallel": 3,
    "workday.calendar": "weekdays", "workday.quorum": 2, "workday.holidays": ["2026-12-31"],
    "workday.workdays": ["2026-11-28"], "workday.audit_days": 3,
    "accounts.id": "bob", "accounts.username": "bob.b", "accounts.plan": "继续重构",
    "accounts.github": "bob-gh", "accounts.leave": ["2026-12-24..2026-12-28"],
}


def readme_example() -> dict[str, Any]:
    """The example dailyplan.toml in README → Configuration."""
    section = README.split("## Configuration", 1)[1]
    return tomllib.loads(section.split("```toml\n", 1)[1].split("```", 1)[0])


def readme_site_keys() -> list[str]:
    """Every key named in the first column of the `[site]` table."""
    section = README.split("### `[site]`", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [key for row in rows for key in re.findall(r"`([a-z_]+)`", row.split("|")[1])]


def documented() -> list[str]:
    example = readme_example()
    keys = [k for k, v in example.items() if not isinstance(v, dict | list)]
    keys += [f"workday.{k}" for k in example["workday"]]
    keys += [f"accounts.{k}" for k in example["accounts"][0]]
    return keys + [f"site.{k}" for k in readme_site_keys()]


def accepted() -> list[str]:
    top = [f.name for f in fields(Config)
           if f.name not in ("site", "workday", "accounts", "source", "base", "text")]  # not keys
    return (top + [f"workday.{f.name}" for f in fields(Workday)]
            + [f"accounts.{f.name}" for f in fields(Account)] + [f"site.{f.name}" for f in fields(Site)])


def site_value(name: str) -> Any:
    if name in SITE_VALUES:
        return SITE_VALUES[name]
    default = getattr(Site(), name)
    if name.endswith("_path"):
        return "/other/page.do?method=list"
    if isinstance(default, bool):
        return not default
    if isinstance(default, int | float):
        return default + 3
    return f"other_{name}"


def test_the_readme_documents_every_accepted_key_and_nothing_else() -> None:
    assert sorted(set(documented())) == sorted(accepted())


@pytest.mark.parametrize("key", documented())
def test_each_documented_key_loads_with_a_non_default_value(key: str, tmp_path: Path) -> None:
    table, _, name = key.rpartition(".")
    data: dict[str, Any] = {"site": dict(BASE["site"]), "accounts": [dict(BASE["accounts"][0])]}
    if table == "site":
        value = site_value(name)
        data["site"][name] = value
    elif table == "accounts" and name == "template":
        (tmp_path / "mine.j2").write_text("{{ today }}\n", encoding="utf-8")
        value = "mine.j2"
        data["accounts"][0][name] = value
    elif table == "accounts":
        value = OTHER_VALUES[key]
        data["accounts"][0][name] = value
    elif table == "workday":
        value = OTHER_VALUES[key]
        data["workday"] = {name: value}
    else:
        value = OTHER_VALUES[key]
        data[name] = value
    config = parse(data, source="t.toml", base=tmp_path)
    holder = {"site": config.site, "workday": config.workday, "accounts": config.accounts[0]}.get(table, config)
    loaded = getattr(holder, name)
    default = {"site": Site(), "workday": Workday(), "accounts": Account("alice", "alice"), "": None}[table]
    assert loaded != (getattr(default, name) if default is not None else getattr(Config, name)), key
