"""Accounts: who is asking (identity.py, the one place that decides it), passwords (Argon2id),
sessions and API tokens (tokens.py), users, invites and resets (accounts.py).

`init_auth(app)` registers the two request hooks, in the order create_app calls them:
`identify` (before the rate limiter, so limits and quotas key by user) and `require` (after it,
so refused attempts are counted too).
"""
import logging

from .identity import Principal, client_key, current_user, identify, optional_user, require

__all__ = ["Principal", "client_key", "current_user", "identify", "init_auth", "optional_user", "require"]


def init_auth(app) -> None:
    """Register `identify`; in AUTH_MODE=none, make the built-in user everyone is."""
    from .accounts import builtin_principal

    settings = app.config["SETTINGS"]
    if settings.auth_mode == "none":
        app.extensions["builtin_principal"] = builtin_principal(app.extensions["database"])
        logging.getLogger(__name__).warning(
            "AUTH_MODE=none: no sign-in, everyone who can reach this server is the same user. "
            "Use it only on your own machine, never on a public address.")
    elif settings.signup == "open" and settings.daily_request_limit is None and settings.daily_token_limit is None:
        logging.getLogger(__name__).warning(
            "SIGNUP=open without DAILY_REQUEST_LIMIT or DAILY_TOKEN_LIMIT: anyone can register and spend without limit.")
    app.before_request(identify)
