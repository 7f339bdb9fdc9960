"""Which variable holds each account's secret, finding it, and explaining it when it is missing.

``config`` owns the schema (``Secret``, ``SecretKind``, ``secret_variable``); this module owns the
lookup, so "which names does this account accept" is answered once, for ``run``, ``check`` and
the redaction alike. A missing secret is the first wall a new user meets: the message says what
to set, and what they probably set instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from runner.config import SECRETS_HINT, Account, Config, Secret, SecretKind, secret_variable
from runner.errors import UsageError

# The kinds each site.auth accepts, in the order they are tried. An auth not listed takes a password.
KINDS_FOR_AUTH: dict[str, tuple[SecretKind, ...]] = {
    "cookie": (SecretKind.PASSWORD,),
    "bearer": (SecretKind.TOKEN, SecretKind.PASSWORD),
    "cookie-secret": (SecretKind.COOKIE,),
}
_AUTH_FOR_KIND = {SecretKind.PASSWORD: "cookie", SecretKind.TOKEN: "bearer",
                  SecretKind.COOKIE: "cookie-secret"}


def kinds(config: Config) -> tuple[SecretKind, ...]:
    return KINDS_FOR_AUTH.get(config.site.auth, (SecretKind.PASSWORD,))


def candidates(config: Config, account: Account) -> list[tuple[SecretKind, str]]:
    """The variables tried for an account, first match wins; the bare name only for one account."""
    alone = len(config.accounts) == 1
    return [(kind, name) for kind in kinds(config)
            for name in (secret_variable(kind, account.id), *([secret_variable(kind)] if alone else []))]


def find(config: Config, account: Account, secrets: Mapping[str, str]) -> Secret | None:
    return next((Secret(kind, secrets[name], name) for kind, name in candidates(config, account)
                 if secrets.get(name)), None)


def find_all(config: Config, accounts: Iterable[Account], secrets: Mapping[str, str],
             ) -> dict[str, Secret]:
    """Every account's secret, or UsageError naming the first variable to set."""
    found: dict[str, Secret] = {}
    for account in accounts:
        secret = find(config, account, secrets)
        if secret is None:
            raise UsageError(f"missing secret for account {account.id}: {missing(config, account, secrets)}")
        found[account.id] = secret
    return found


def is_configured(secrets: Mapping[str, str], config_text: str | None = None) -> bool:
    """Whether anyone has set this tool up here: a fresh fork has no DAILYPLAN_* secret at all."""
    return bool(config_text) or any(name.startswith(tuple(secret_variable(k) for k in SecretKind))
                                    for name, value in secrets.items() if value.strip())


def wanted(config: Config, account: Account) -> str:
    """'DAILYPLAN_PASSWORD_ALICE', or '… or …' when the auth takes several kinds."""
    return " or ".join(secret_variable(kind, account.id) for kind in kinds(config))


def missing(config: Config, account: Account, secrets: Mapping[str, str]) -> str:
    """'set X (hint)' plus what was set instead: a near miss, the username, the wrong kind."""
    text = f"set {wanted(config, account)}"
    if len(config.accounts) == 1:
        text += f" (or {secret_variable(kinds(config)[0])}, as it is the only account)"
    text += f" {SECRETS_HINT}"
    why = _what_was_set_instead(config, account, secrets)
    return f"{text}; {why}" if why else text


def _what_was_set_instead(config: Config, account: Account, secrets: Mapping[str, str]) -> str:
    set_names = [name for name, value in secrets.items() if value]
    if not set_names:
        return ""
    wanted_names = [name for _, name in candidates(config, account)]
    auth = config.site.auth
    # a kind this auth does not take, for this account
    for kind in SecretKind:
        if kind in kinds(config):
            continue
        for name in (secret_variable(kind, account.id), secret_variable(kind)):
            if name in set_names:
                return (f"{name} is set, but site.auth = {auth!r} does not use a {kind}; "
                        f"set {wanted(config, account)}, or site.auth = {_AUTH_FOR_KIND[kind]!r}")
    # the username instead of the id
    if account.username.upper() != account.id.upper():
        for kind in kinds(config):
            name = secret_variable(kind, account.username)
            if name in set_names:
                return (f"{name} is set, but secret names use the account's id ({account.id!r}), "
                        f"not its username; rename it {secret_variable(kind, account.id)}")
    # the bare name with several accounts
    bare = [secret_variable(kind) for kind in kinds(config) if secret_variable(kind) in set_names]
    if bare and len(config.accounts) > 1:
        return (f"{bare[0]} is set but ignored: with {len(config.accounts)} accounts each needs "
                "its own, named by its id")
    # a near miss, unless another account owns that name
    others = {n for a in config.accounts if a.id != account.id for _, n in candidates(config, a)}
    scored = [(difflib.SequenceMatcher(None, name.upper(), want).ratio(), name, want)
              for name in set_names if name not in others and name not in wanted_names
              for want in wanted_names]
    best = max(scored, default=None)
    if best and best[0] >= 0.8:
        return f"{best[1]} is set: did you mean {best[2]}?"
    return ""
