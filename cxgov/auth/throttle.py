"""Sign-in throttling per account, shared by `/login` and `POST /api/auth/tokens`.

Two budgets of failed sign-ins, in the rate-limit storage (`RATELIMIT_STORAGE_URI`):

- per account and address (`CXGOV_LOGIN_ACCOUNT_LIMIT`): one address guessing one account's
  password is slowed down, and nobody else is;
- per account from unfamiliar addresses (`CXGOV_LOGIN_ACCOUNT_TOTAL_LIMIT`): many addresses
  guessing together share one budget. Addresses from which the account signed in within
  `CXGOV_LOGIN_FAMILIAR_DAYS` do not draw on it and are not refused by it, so an attacker
  elsewhere cannot lock the owner out of their usual place of work.

A throttled attempt is refused before its password is checked, so the right password does not
get through either (the refusal says nothing about the password). Only failures count: the
owner signing in does not spend a budget. Every attempt also counts against the per-address
limit of all sign-ins (`CXGOV_LOGIN_LIMIT`, Flask-Limiter on both views).
"""
import math
import time

from flask import current_app, request
from limits import parse
from werkzeug.exceptions import TooManyRequests

from cxgov.extensions import limiter

NAMESPACE = "cxgov-sign-in"


def _enabled():
    return limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True)


def _address():
    return request.remote_addr or "unknown"


def _limits():
    config = current_app.config
    return (parse(config["CXGOV_LOGIN_ACCOUNT_LIMIT"]), parse(config["CXGOV_LOGIN_ACCOUNT_TOTAL_LIMIT"]),
            parse(f"1 per {int(config['CXGOV_LOGIN_FAMILIAR_DAYS'])} day"))


def familiar(account, address=None):
    """Whether this account signed in from this address recently."""
    *_, seen = _limits()
    # One hit of a one-per-N-days limit marks the address: the limit is then spent.
    return not limiter.limiter.test(seen, NAMESPACE, "familiar", account, address or _address())


class Throttled(TooManyRequests):
    description = "failed sign-ins for this account"


def check(account):
    """Refuse (429 with Retry-After) an attempt on `account` (a normalised email) whose budget is spent."""
    if not _enabled():
        return
    per_address, total, _ = _limits()
    address = _address()
    spent = []
    if not limiter.limiter.test(per_address, NAMESPACE, "account-address", account, address):
        spent.append((per_address, ("account-address", account, address)))
    if not familiar(account, address) and not limiter.limiter.test(total, NAMESPACE, "account", account):
        spent.append((total, ("account", account)))
    if spent:
        reset = max(limiter.limiter.get_window_stats(item, NAMESPACE, *keys).reset_time for item, keys in spent)
        raise Throttled(retry_after=max(1, math.ceil(reset - time.time())))


def record_failure(account):
    if not _enabled():
        return
    per_address, total, _ = _limits()
    address = _address()
    limiter.limiter.hit(per_address, NAMESPACE, "account-address", account, address)
    if not familiar(account, address):
        limiter.limiter.hit(total, NAMESPACE, "account", account)


def record_success(account):
    """The owner is here: this address becomes familiar, and its failures are forgiven."""
    if not _enabled():
        return
    per_address, _, seen = _limits()
    address = _address()
    limiter.limiter.clear(per_address, NAMESPACE, "account-address", account, address)
    if not familiar(account, address):
        limiter.limiter.hit(seen, NAMESPACE, "familiar", account, address)
