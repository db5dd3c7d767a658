"""Sign-in throttling: exponential back-off, then a lockout, per account and per client address.

Without it a script tries passwords as fast as Argon2 answers. The rules,
applied to the account (normalized e-mail, whether or not an account has it,
so a refusal reveals nothing about which accounts exist) and, when known, to
the client address (so spraying one password over many accounts is slowed
too), each with its own :class:`ThrottlePolicy`:

- the first ``free_attempts`` failures cost nothing;
- each further failure blocks the next attempt for ``base_delay_s``, doubling
  with every failure (1 s, 2 s, 4 s... by default) but never longer than a
  lockout;
- the ``lockout_after``-th failure locks for ``lockout_s``, and each failure
  after that lockout doubles it; no wait is longer than ``max_lockout_s``;
- while blocked, an attempt is refused *before* the password is checked, the
  correct one included, and is not counted: refusing costs no Argon2 work
  and does not depend on the password, so it tells an attacker nothing;
- failures are forgotten ``forget_after_s`` after the last one (once no
  block holds), so a few typos a week never add up to a lockout;
- a successful sign-in deletes the account's counter. The address counter
  stays: otherwise one good account would launder a spray from its address.

The client address is the connection's peer, unless ``trusted_proxies``
reverse proxies are declared: then it is the address the outermost of them
saw, read from ``X-Forwarded-For``. Without that, every client behind a
proxy would share the proxy's address and one client's failures would
block all of them.

The counters are rows of the app database (:class:`SignInCounter`), so every
API worker and the portal share them; a failure locks its row while it
counts, so failures arriving together on several workers are all counted.
Each counted failure writes an audit row per counter (``sign_in.failed``, or
``sign_in.locked_out`` when it starts a lockout) and each reset one
(``sign_in.reset``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from buildtrace_assets.config import Settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import CounterScope, SignInCounter, User
from buildtrace_assets.db.models.sign_in_counters import KEY_LENGTH
from buildtrace_assets.services import audit, users
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.errors import TooManyAttempts

Clock = Callable[[], datetime]
"""The current time, timezone-aware; tests pass a clock they move by hand."""

FAILED = "sign_in.failed"
LOCKED_OUT = "sign_in.locked_out"
RESET = "sign_in.reset"
MAX_DOUBLINGS = 40
"""Exponents stop here, far beyond any cap, so a long-attacked counter cannot overflow a float."""
UPSERTS: dict[str, Callable[[Any], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
"""INSERT constructs with ON CONFLICT DO NOTHING, for the engines BuildTrace runs on."""


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free, when back-off turns into a lockout, and how long each wait is."""

    free_attempts: int
    lockout_after: int
    base_delay_s: float
    lockout_s: float
    max_lockout_s: float
    forget_after_s: float

    def locks_out(self, failures: int) -> bool:
        """Whether this many failures lock the account or address (rather than merely slowing it)."""
        return failures >= self.lockout_after

    def wait_after(self, failures: int) -> timedelta:
        """How long the next attempt is refused after ``failures`` consecutive failures."""
        if self.locks_out(failures):
            seconds = self.lockout_s * 2 ** min(failures - self.lockout_after, MAX_DOUBLINGS)
        elif failures > self.free_attempts:
            back_off = self.base_delay_s * 2 ** min(failures - self.free_attempts - 1, MAX_DOUBLINGS)
            seconds = min(back_off, self.lockout_s)
        else:
            seconds = 0.0
        return timedelta(seconds=min(seconds, self.max_lockout_s))


@dataclass(frozen=True)
class SignInAttempt:
    """Who is trying to sign in, from where; ``client_address`` None when unknown (then per account only)."""

    email: str
    client_address: str | None

    @property
    def account_key(self) -> str:
        """The e-mail address as accounts are looked up (see :func:`users.find_user`), cut to fit its column.

        The portal's form does not limit the length, and no account has a longer address.
        """
        return self.email.strip().lower()[:KEY_LENGTH]


@dataclass(frozen=True)
class SignInThrottle:
    """The throttling rules of both scopes and the clock they run on (see the module docstring)."""

    account: ThrottlePolicy
    address: ThrottlePolicy
    clock: Clock = utcnow
    trusted_proxies: int = 0

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = utcnow) -> SignInThrottle:
        """The throttle configured by the ``BUILDTRACE_SIGN_IN_*`` settings."""

        def policy(free_attempts: int, lockout_after: int) -> ThrottlePolicy:
            return ThrottlePolicy(
                free_attempts=free_attempts,
                lockout_after=lockout_after,
                base_delay_s=settings.sign_in_base_delay_s,
                lockout_s=settings.sign_in_lockout_s,
                max_lockout_s=settings.sign_in_max_lockout_s,
                forget_after_s=settings.sign_in_forget_after_s,
            )

        return cls(
            account=policy(settings.sign_in_free_attempts, settings.sign_in_lockout_after),
            address=policy(settings.sign_in_address_free_attempts, settings.sign_in_address_lockout_after),
            clock=clock,
            trusted_proxies=settings.trusted_proxies,
        )

    def attempt(self, email: str, peer: str | None, forwarded_for: str | None) -> SignInAttempt:
        """The attempt of ``email`` from a connection whose peer is ``peer``, with its ``X-Forwarded-For`` header.

        The header is only believed as far as ``trusted_proxies`` reach:
        each proxy appends the address it saw, so the entry that many places
        from the right was written by the outermost trusted proxy, and
        anything to its left may be made up by the client. With fewer
        entries than trusted proxies, the request did not come through them
        all and the peer is used.
        """
        hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
        trusted = self.trusted_proxies > 0 and len(hops) >= self.trusted_proxies
        return SignInAttempt(email=email, client_address=hops[-self.trusted_proxies] if trusted else peer)

    def sign_in(self, session: Session, attempt: SignInAttempt, password: str) -> User | None:
        """The active user when nothing blocks the attempt and the password matches; None when it does not.

        A wrong password is counted and audited in ``session``, so the caller
        must commit it even though it refuses the sign-in. Raises
        :class:`TooManyAttempts` (nothing written) while the account or the
        address is blocked.
        """
        now = self.clock()
        scopes = self._scopes(attempt)
        counters = {scope: _counter(session, scope, key) for scope, (key, _policy) in scopes.items()}
        _refuse_while_blocked(counters, scopes, now)
        user = users.authenticate(session, attempt.email, password)
        if user is None:
            for scope, (key, policy) in scopes.items():
                _count_failure(session, scope, key, policy, attempt, now)
            return None
        account_counter = counters["account"]
        if account_counter is not None:
            _reset(session, account_counter, user)
        return user

    def _scopes(self, attempt: SignInAttempt) -> dict[CounterScope, tuple[str, ThrottlePolicy]]:
        scopes: dict[CounterScope, tuple[str, ThrottlePolicy]] = {"account": (attempt.account_key, self.account)}
        if attempt.client_address:
            scopes["address"] = (attempt.client_address[:KEY_LENGTH], self.address)
        return scopes


def _counter_query(scope: CounterScope, key: str) -> Select[SignInCounter]:
    return select(SignInCounter).where(SignInCounter.scope == scope, SignInCounter.key == key)


def _counter(session: Session, scope: CounterScope, key: str) -> SignInCounter | None:
    return session.scalar(_counter_query(scope, key))


def _refuse_while_blocked(
    counters: dict[CounterScope, SignInCounter | None],
    scopes: dict[CounterScope, tuple[str, ThrottlePolicy]],
    now: datetime,
) -> None:
    """Raise :class:`TooManyAttempts` with the longest wait when any counter blocks ``now``."""
    blocks = [
        (counter.blocked_until - now, scopes[scope][1].locks_out(counter.failures))
        for scope, counter in counters.items()
        if counter is not None and counter.blocked_until is not None and counter.blocked_until > now
    ]
    if not blocks:
        return
    wait, locked_out = max(blocks)
    seconds = max(1, math.ceil(wait.total_seconds()))
    raise TooManyAttempts(refusal_message(seconds, locked_out), seconds, locked_out=locked_out)


def refusal_message(seconds: int, locked_out: bool) -> str:
    """What a refused person reads (the portal rebuilds it from a redirect's wait and kind)."""
    if locked_out:
        return f"Sign-in is locked after too many failed attempts. Try again in {describe_wait(seconds)}."
    return f"Too many failed sign-in attempts. Try again in {describe_wait(seconds)}."


def describe_wait(seconds: int) -> str:
    """A wait as people say it: seconds under a minute, whole minutes (rounded up) beyond."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _count_failure(
    session: Session, scope: CounterScope, key: str, policy: ThrottlePolicy, attempt: SignInAttempt, now: datetime
) -> None:
    """Add one failure to the counter of ``scope``/``key`` (created when missing), with its audit row."""
    insert = UPSERTS[session.get_bind().dialect.name]
    session.execute(
        insert(SignInCounter)
        .values(scope=scope, key=key, failures=0, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
    )
    counter = session.scalars(
        _counter_query(scope, key).with_for_update().execution_options(populate_existing=True)
    ).one()
    forgotten = counter.last_failure_at + timedelta(seconds=policy.forget_after_s) <= now
    if forgotten and (counter.blocked_until is None or counter.blocked_until <= now):
        counter.failures = 0
    counter.failures += 1
    counter.last_failure_at = now
    wait = policy.wait_after(counter.failures)
    counter.blocked_until = now + wait if wait else None
    account = users.find_user(session, attempt.email) if scope == "account" else None
    audit.record(
        session,
        SYSTEM,
        LOCKED_OUT if policy.locks_out(counter.failures) else FAILED,
        counter,
        organization_id=account.organization_id if account is not None else None,
        project_id=None,
        after=audit.snapshot(counter) | {"email": attempt.account_key, "client_address": attempt.client_address},
    )


def _reset(session: Session, counter: SignInCounter, user: User) -> None:
    """Forget the account's failures after it signed in, with its audit row."""
    before = audit.snapshot(counter)
    session.delete(counter)
    audit.record(
        session, Actor.of(user), RESET, counter, organization_id=user.organization_id, project_id=None, before=before
    )
