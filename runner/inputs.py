"""Every value the program reads from the environment, listed and validated in one place.

Standard library only, so ``github.notify`` can import it alone. Each command reads only the
variables it needs (``VARIABLES`` says which), so a bad value meant for ``run`` never stops the
notify step that must report on it. A bad value is one line naming the variable and what is
allowed, exit 2, never a traceback; a secret's value is never echoed. What people paste is
accepted: ``export NAME=…`` and quoted values in ``DAILYPLAN_SECRETS``, a trailing newline on a
token, a UTF-8 BOM at the start of a config.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from runner import envvalues as ev
from runner.envvalues import strip_bom
from runner.errors import UsageError

SECRET_PREFIXES = ("DAILYPLAN_PASSWORD", "DAILYPLAN_TOKEN", "DAILYPLAN_COOKIE")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# ---------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class Variable:
    name: str
    field: str  # the Inputs attribute it fills
    commands: tuple[str, ...]  # the commands that read it
    help: str  # what it is for, in --help
    parse: Callable[[str], Any] = ev.text
    secret: bool = False  # never echo its value


RUN, CHECK, NOTIFY, HISTORY = "run", "check", "notify", "history"
SITE = (RUN, CHECK, HISTORY)  # the commands that log in to the team system
DEFAULT_RUN_SECONDS = 480.0  # the workflow step's timeout is 10 minutes
VARIABLES: tuple[Variable, ...] = (
    Variable("DAILYPLAN_PASSWORD[_<ID>]", "secrets", SITE,
             "an account's password (DAILYPLAN_TOKEN_<ID> for a bearer token, DAILYPLAN_COOKIE_<ID> "
             "for a session cookie)", secret=True),
    Variable("DAILYPLAN_SECRETS", "secrets", SITE,
             "several NAME=value lines in one secret, for teams", secret=True),
    Variable("DAILYPLAN_CONFIG_FILE", "config_file", SITE, "the config file's path"),
    Variable("DAILYPLAN_CONFIG", "config_text", SITE, "the whole dailyplan.toml as text",
             parse=lambda raw: strip_bom(raw) if raw.strip() else None),
    Variable("DAILYPLAN_BASE_URL", "base_url", SITE,
             "the team system's address, kept secret (overrides site.base_url)", secret=True),
    Variable("DAILYPLAN_ACCOUNT", "accounts", (RUN,), "only these account ids (comma-separated)",
             parse=ev.ids),
    Variable("DAILYPLAN_DATE", "date", (RUN,), "pretend today is this date (YYYY-MM-DD)", parse=ev.day),
    Variable("DAILYPLAN_DRY_RUN", "dry_run", (RUN, NOTIFY), "true: submit nothing (notify: touch no issue)",
             parse=ev.flag),
    Variable("DAILYPLAN_FORCE", "force", (RUN,), "true: replace a plan already there", parse=ev.flag),
    Variable("DAILYPLAN_LOCK_FILE", "lock_file", (RUN,), "the run lock's path"),
    Variable("DAILYPLAN_LOCK_WAIT", "lock_wait", (RUN,),
             "how long to wait for another run's lock (seconds, or 5m; default 300)", parse=ev.seconds),
    Variable("XDG_RUNTIME_DIR", "runtime_dir", (RUN,), "the user's private runtime folder: the lock"),
    Variable("XDG_CACHE_HOME", "cache_home", (RUN,), "the user's cache folder: the lock otherwise"),
    Variable("DAILYPLAN_RUN_DEADLINE", "run_deadline", (RUN,),
             "the run stops itself after this long (seconds, or 8m; default 480)", parse=ev.seconds),
    Variable("DAILYPLAN_RUN_OUTCOME", "run_outcome", (NOTIFY,), "the run job's result",
             parse=ev.outcome),
    Variable("DAILYPLAN_HEARTBEAT_URL", "heartbeat_url", (RUN,),
             "ping this healthchecks.io-style URL at start and end of a run", parse=ev.heartbeat,
             secret=True),
    Variable("DAILYPLAN_RUN_JOB", "run_job", (NOTIFY,), "the run job's name (default: file the plan)"),
    Variable("DAILYPLAN_RUN_TIMEOUT", "run_timeout", (NOTIFY,),
             "the run job's timeout-minutes, to tell its timeout from a person's cancel",
             parse=ev.minutes),
    Variable("DAILYPLAN_ISSUE_LABEL", "issue_label", (NOTIFY,),
             "the label of failure issues (default dailyplan)", parse=ev.label),
    Variable("REQUESTS_CA_BUNDLE", "ca_bundle", SITE, "a company CA bundle (PEM)",
             parse=ev.existing),
    Variable("CURL_CA_BUNDLE", "ca_bundle", SITE, "used when REQUESTS_CA_BUNDLE is unset",
             parse=ev.existing),
    Variable("GITHUB_ACTIONS", "actions", (*SITE, NOTIFY), "set by Actions",
             parse=lambda raw: raw.strip() == "true"),
    Variable("GITHUB_STEP_SUMMARY", "step_summary", (RUN,), "set by Actions"),
    Variable("GITHUB_EVENT_PATH", "event_path", (RUN,), "set by Actions (is the repository public?)"),
    Variable("GITHUB_TOKEN", "github_token", (NOTIFY,), "the job's token", secret=True),
    Variable("GITHUB_REPOSITORY", "repository", (NOTIFY,), "set by Actions", parse=ev.repository),
    Variable("GITHUB_SERVER_URL", "server_url", (NOTIFY,), "set by Actions", parse=ev.url),
    Variable("GITHUB_API_URL", "api_url", (NOTIFY,), "set by Actions", parse=ev.url),
    Variable("GITHUB_RUN_ID", "run_id", (NOTIFY,), "set by Actions", parse=ev.run_id),
    Variable("GITHUB_RUN_ATTEMPT", "run_attempt", (NOTIFY,), "set by Actions", parse=ev.run_id),
    Variable("GITHUB_OUTPUT", "output", (NOTIFY,), "set by Actions (notify --needed writes there)"),
)
PLAIN_NAMES = frozenset(v.name for v in VARIABLES if v.name.startswith("DAILYPLAN_") and not v.secret)
WORKFLOW_NAMES = frozenset({"DAILYPLAN_RUNS_ON", "DAILYPLAN_NOTIFY_RUNS_ON"})  # read by the YAML only


READS_LIKE = {"record": CHECK}  # commands that read exactly another's variables


def variables_for(command: str) -> list[Variable]:
    """What ``--help`` lists for a command: only the DAILYPLAN_* ones a person sets."""
    command = READS_LIKE.get(command, command)
    return [v for v in VARIABLES if command in v.commands and v.name.startswith("DAILYPLAN_")]


@dataclass(frozen=True)
class Inputs:
    """The environment, parsed. Fields a command does not read keep their defaults."""

    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)  # every DAILYPLAN_* secret
    config_file: str = ""
    config_text: str | None = field(default=None, repr=False)
    base_url: str = field(default="", repr=False)
    accounts: tuple[str, ...] = ()
    date: date | None = None
    dry_run: bool = False
    force: bool = False
    lock_file: str = ""
    lock_wait: float = 300.0
    runtime_dir: str = ""
    cache_home: str = ""
    run_deadline: float = DEFAULT_RUN_SECONDS
    run_outcome: str = ""
    issue_label: str = ""
    heartbeat_url: str = field(default="", repr=False)
    run_job: str = ""
    run_timeout: int = 0
    ca_bundle: str | None = None
    actions: bool = False
    step_summary: str = ""
    event_path: str = ""
    github_token: str = field(default="", repr=False)
    repository: str = ""
    server_url: str = ""
    api_url: str = ""
    run_id: str = ""
    run_attempt: str = ""
    output: str = ""

    @classmethod
    def read(cls, env: Mapping[str, str], command: str) -> Inputs:
        """Parse what ``command`` reads, or raise UsageError naming the first bad variable."""
        merged = _merged(env) if command in SITE else dict(env)
        values: dict[str, Any] = {}
        for var in VARIABLES:
            if command not in var.commands or var.field == "secrets" or var.name not in merged:
                continue
            if values.get(var.field):
                continue  # REQUESTS_CA_BUNDLE wins over CURL_CA_BUNDLE
            try:
                values[var.field] = var.parse(merged[var.name])
            except ValueError as exc:
                shown = "(hidden)" if var.secret else repr(merged[var.name].strip())
                raise UsageError(f"{var.name} is {shown}; {exc}") from None
        if command in SITE:
            values["secrets"] = {k: v for k, v in merged.items()  # any case: `dailyplan_password`
                                 if k.upper().startswith("DAILYPLAN_")
                                 and k not in PLAIN_NAMES | WORKFLOW_NAMES
                                 and k not in ("DAILYPLAN_SECRETS", "DAILYPLAN_CONFIG")}
            _refuse_near_misses(values["secrets"])
        return cls(**values)

    @property
    def public_logs(self) -> bool:
        """Whether this run's log may be public: under Actions, unless the event proves private."""
        if not self.actions:
            return False
        try:
            event = json.loads(Path(self.event_path).read_text(encoding="utf-8"))
            return event["repository"]["private"] is not True
        except (OSError, ValueError, KeyError, TypeError):
            return True  # unknown: keep work data out of the log


def secrets_anyway(env: Mapping[str, str]) -> dict[str, str]:
    """Every value that may be a secret, even when DAILYPLAN_SECRETS does not parse: for
    redacting the error line that says so."""
    values = {k: v for k, v in env.items() if k.startswith("DAILYPLAN_") and k not in PLAIN_NAMES}
    for number, line in enumerate(env.get("DAILYPLAN_SECRETS", "").splitlines()):
        values[f"line {number}"] = line.partition("=")[2].strip().strip("\"'") or line.strip()
    values.pop("DAILYPLAN_SECRETS", None)
    return values


def under_actions(env: Mapping[str, str]) -> bool:
    """For the one place that prints before the inputs are parsed: the top-level error line."""
    return env.get("GITHUB_ACTIONS", "").strip() == "true"


def _refuse_near_misses(names: Mapping[str, str]) -> None:
    """DAILYPLAN_DRYRUN=true would be ignored (and its value redacted as a secret): say so.

    Names that look like a secret's (PASSWORD, TOKEN, COOKIE) are left to ``credentials``, which
    explains them against the account that needs one.
    """
    plain = sorted(PLAIN_NAMES - {"DAILYPLAN_SECRETS"})
    for name in names:
        if name.upper().startswith(SECRET_PREFIXES) or name.upper() == "DAILYPLAN_BASE_URL":
            continue
        close = difflib.get_close_matches(name.upper(), plain, n=1, cutoff=0.85)
        if close:
            raise UsageError(f"{name} is not a variable dailyplan reads; did you mean {close[0]}?")


def _merged(env: Mapping[str, str]) -> dict[str, str]:
    """The environment plus DAILYPLAN_SECRETS' lines; a variable set on its own wins.

    GitHub cannot hand a workflow 'every secret whose name starts with X', so teams put all their
    passwords in one secret. Unset secrets arrive as empty strings in Actions: empty means unset.
    """
    merged = _bundle(env.get("DAILYPLAN_SECRETS", ""))
    for name, value in env.items():
        if name.startswith(SECRET_PREFIXES):
            value = value.rstrip("\r\n")  # `echo token | gh secret set` keeps the newline
        if value.strip():
            merged[name] = value
    return merged


def _bundle(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    example = "write NAME=value lines such as DAILYPLAN_PASSWORD_ALICE=…"
    for number, line in enumerate(strip_bom(text).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not sep:
            raise UsageError(f"DAILYPLAN_SECRETS line {number} has no '='; {example}")
        if not _NAME.fullmatch(name) or not name.startswith("DAILYPLAN_"):
            shown = repr(name) if _NAME.fullmatch(name) else "a name that is not a variable name"
            raise UsageError(f"DAILYPLAN_SECRETS line {number} sets {shown}; {example}")
        if name in PLAIN_NAMES or name == "DAILYPLAN_SECRETS":
            raise UsageError(f"DAILYPLAN_SECRETS line {number} sets {name}, which is not a secret; "
                             "set it as a variable of its own")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        found[name] = value
    return found


