"""``dailyplan record``: your own system's answers as test fixtures (vcrpy cassettes).

A dry run against the real system, recorded: ``tests/cassettes/site/<account>.yaml``. The suite
replays every cassette found there through the pipeline (a dry run, offline), so a fork's CI
notices a config or template change that no longer fits its own system before the next scheduled
run does. The file is committed, so nothing private may stay in it: the password, cookies and
tokens (in every escaped form), the host, and unless ``--keep-text`` the plan text itself, whose
letters become ``x`` (lines, lengths, digits and dates kept, so the replay decides the same way).

vcrpy is a development dependency: recording is done from a checkout with ``.venv``, never by the
scheduled run, so a missing vcrpy is one line naming the install command.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from runner import config as cfg
from runner import credentials
from runner.errors import ExitCode, UsageError
from runner.output import atomic_write
from runner.redact import Redactor
from runner.result import AccountResult
from runner.status import Status

OUT_DIR = Path("tests/cassettes/site")
HOST = "dailyplan.invalid"  # stands in for the real host in every recorded URL
INSTALL = ("record needs vcrpy, a development dependency: run `make test` once (it builds .venv "
           "with it) or `pip install vcrpy`")
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
_HEADER = re.compile(r"^# dailyplan record: account=(\S+) date=(\S+) secret=(\S+)", re.M)


def _vcr() -> Any:
    try:
        import vcr
    except ImportError:
        raise UsageError(INSTALL) from None
    return vcr


def main(args: argparse.Namespace, env: Mapping[str, str]) -> ExitCode:
    """``dailyplan record [--account ID] [--date D] [--keep-text] [--out DIR]``."""
    from runner.commands import prepare, start
    from runner.workday import today_in

    vcr = _vcr()
    inputs, reporter = start(env, "check")  # record reads exactly what check reads
    config, accounts = prepare(args.config, inputs, args.account or ())
    day = cfg.parse_date(args.date, "--date") if args.date else today_in(config.timezone)
    secrets = credentials.find_all(config, accounts, inputs.secrets)
    out = Path(args.out or OUT_DIR)
    failed = False
    for account in accounts:
        result, path = record(vcr, config, account, secrets[account.id], day, out, args.keep_text)
        if path is None:  # a day off decides without a request: there is nothing to replay
            failed = True
            reporter.line(f"{account.id}  nothing recorded: {result.message}; pass --date with a "
                          "workday")
            continue
        failed |= result.status == Status.FAILED
        reporter.line(f"{account.id}  {result.status}"
                      f"{f' ({result.reason})' if result.reason else ''}: {result.message}"
                      f" → {path} ({'plan text kept' if args.keep_text else 'plan text replaced'})")
    return ExitCode.FAILED if failed else ExitCode.OK


def record(vcr: Any, config: cfg.Config, account: cfg.Account, secret: cfg.Secret, day: date,
           out: Path, keep_text: bool) -> tuple[AccountResult, Path | None]:
    """A dry run under vcrpy, scrubbed on its way to ``out/<account>.yaml`` (None: no request)."""
    from runner.pipeline import Options, run_account

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.yaml"
        with vcr.VCR(record_mode="all", decode_compressed_response=True).use_cassette(str(raw)):
            result = run_account(config, account, secret, Options(day=day, dry_run=True))
        import yaml

        data = yaml.safe_load(raw.read_text(encoding="utf-8")) if raw.exists() else {
            "interactions": [], "version": 1}
    if not data.get("interactions"):
        return result, None
    text = scrub(data, config.site, secret, keep_text)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{account.id}.yaml"
    header = (f"# dailyplan record: account={account.id} date={day} secret={secret.kind}\n"
              f"# re-record: dailyplan record --account {account.id} "
              "(README → Tests → Your own system's recordings)\n")
    atomic_write(path, header + text)  # a killed record leaves the old cassette, never half of one
    return result, path


# ---------------------------------------------------------------------------- scrubbing (pure)


def scrub(data: dict[str, Any], site: cfg.Site, secret: cfg.Secret, keep_text: bool) -> str:
    """The cassette as YAML text with no credential, host or (unless kept) plan text left in it."""
    import yaml

    from runner.site.shapes import session_cookies

    found = {secret.value, *(v for _, v in session_cookies(secret.value, site.cookie_name))}
    parts = urlsplit(site.base_url)
    for item in data.get("interactions", []):
        request, response = item["request"], item["response"]
        uri = urlsplit(request["uri"])
        request["uri"] = urlunsplit((uri.scheme, HOST, uri.path, uri.query, ""))
        for name in list(request.get("headers", {})):
            if name.lower() in ("authorization", "cookie"):
                request["headers"][name] = ["REDACTED"]
        request["body"] = _text(request.get("body"))
        headers = response.get("headers", {})
        body = response.get("body", {})
        body["string"] = _body_text(body.get("string"), headers)
        for name in list(headers):
            if name.lower() == "set-cookie":
                found |= {m.group(1) for v in headers[name] for m in [re.match(r"[^=]+=([^;]*)", v)] if m}
            if name.lower() == "location":
                headers[name] = [re.sub(re.escape(parts.netloc), HOST, v) for v in headers[name]]
        found |= _tokens(body["string"], site)
        if not keep_text:
            body["string"] = placeholder_page(body["string"], site, uri.path, uri.query)
        for name in [n for n in headers if n.lower() == "content-length"]:
            size = body["string"] if isinstance(body["string"], bytes) else (body["string"] or "").encode()
            headers[name] = [str(len(size))]
    found.discard("")
    redactor = Redactor(found, [h for h in (parts.netloc, parts.hostname or "") if h])

    def clean(value: Any) -> Any:  # every string, wherever it sits, before YAML can fold it
        if isinstance(value, str):
            return _JWT.sub("REDACTED.JWT.TOKEN", redactor(value))
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    text = yaml.safe_dump(clean(data), allow_unicode=True, sort_keys=False, width=2**20)
    return redactor(text)


def _text(body: Any) -> Any:
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    return body


def _body_text(body: Any, headers: dict[str, list[str]]) -> Any:
    """Bodies as text (so the redaction can see them); a GBK page becomes UTF-8, and says so."""
    if not isinstance(body, bytes):
        return body
    from runner.site.pages import decode_page

    name = next((n for n in headers if n.lower() == "content-type"), "Content-Type")
    declared = (headers.get(name) or [""])[0]
    text = decode_page(body, declared)
    base = declared.split(";")[0].strip() or "text/html"
    headers[name] = [f"{base}; charset=utf-8"]
    return text


def _tokens(body: Any, site: cfg.Site) -> set[str]:
    """Token values in a JSON answer: at ``token_field`` and under any key that names one."""
    if not isinstance(body, str):
        return set()
    try:
        data = json.loads(body)
    except ValueError:
        return set()
    found: set[str] = set()
    leaf = site.token_field.split(".")[-1]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, str) and (key == leaf or cfg.secret_kind(str(key))):
                    found.add(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(data)
    return found


def placeholder(text: str) -> str:
    """Plan text with its letters as ``x``: lines, lengths, digits and dates survive."""
    return re.sub(r"[^\s\d./:-]", "x", text)


def placeholder_page(body: Any, site: cfg.Site, path: str, query: str) -> Any:
    """A history or team answer with each plan's text replaced; other answers as they were."""
    from runner.site.shapes import with_query

    if not isinstance(body, str):
        return body
    asked = dict(parse_qsl(query, keep_blank_values=True))
    pages = {with_query(site.history_path, {})[0], with_query(site.team_path, {})[0]}
    if path not in pages:
        return body
    if site.history_format == "json":
        return _json_placeholders(body, site)
    team = path == with_query(site.team_path, {})[0] and (
        not site.team_mode_param or asked.get(site.team_mode_param) == site.team_mode_value)
    return _html_placeholders(body, site, team)


def _json_placeholders(body: str, site: cfg.Site) -> str:
    from runner.site.pages import dig

    try:
        data = json.loads(body)
    except ValueError:
        return body
    for items_path, field in ((site.history_items, site.history_content_field),
                              (site.team_items, site.team_content_field)):
        try:
            items = dig(data, items_path)
        except KeyError:
            continue
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get(field), str):
                item[field] = placeholder(item[field])
    return json.dumps(data, ensure_ascii=False)


def _html_placeholders(body: str, site: cfg.Site, team: bool) -> str:
    from runner.site.pages import decode_text, element_text, soup

    page = soup(body)
    if team:
        elements = page.select(site.team_content_selector)
    else:
        elements = [el for row in page.select(site.row_selector)
                    for el in [row.select_one(site.row_content_selector)] if el is not None]
    for el in elements:
        raw = element_text(el)
        try:
            text = decode_text(raw, site.content_encoding)
        except Exception:  # not the encoding the config says: hide it all
            text = raw
        hidden = placeholder(text)
        el.string = json.dumps(hidden)[1:-1] if site.content_encoding == "json" else hidden
    return str(page)


# ---------------------------------------------------------------------------- replay


def replay(config: cfg.Config, cassette: Path) -> AccountResult:
    """The recorded account's dry run, answered by the cassette alone (offline)."""
    from runner.pipeline import Options, run_account

    vcr = _vcr()
    found = _HEADER.search(cassette.read_text(encoding="utf-8"))
    if found is None:
        raise UsageError(f"{cassette} has no '# dailyplan record:' header; re-record it")
    account_id, day, kind = found.groups()
    account = next((a for a in config.accounts if a.id == account_id), None)
    if account is None:
        raise UsageError(f"{cassette} is for account {account_id}, which {config.source} no longer "
                         "has; re-record or delete it")
    parts = urlsplit(config.site.base_url)
    site = replace(config.site, base_url=urlunsplit((parts.scheme, HOST, parts.path, "", "")))
    secret = cfg.Secret(cfg.SecretKind(kind), "REDACTED", cfg.secret_variable(kind, account.id))
    with vcr.VCR(record_mode="none", match_on=("method", "path")).use_cassette(
            str(cassette), allow_playback_repeats=False):
        return run_account(replace(config, site=site), account, secret,
                           Options(day=date.fromisoformat(day), dry_run=True))
