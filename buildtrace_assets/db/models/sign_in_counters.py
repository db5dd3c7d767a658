"""Failed sign-ins counted per account and per client address, shared by every API worker and the portal.

Throttling state lives in the app database rather than in process memory
because the API runs several workers and the portal is another process: a
counter kept in one of them would let an attacker spread guesses over the
others. The rules that read and write these rows are in
:mod:`buildtrace_assets.services.sign_in_throttle`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin, check_in

CounterScope = Literal["account", "address"]
COUNTER_SCOPES: tuple[str, ...] = get_args(CounterScope)
KEY_LENGTH = 320
"""The longest e-mail address (as in ``users.email``); longer keys are cut to it."""


class SignInCounter(IdMixin, CreatedAtMixin, Base):
    """The consecutive failed sign-ins of one account (e-mail address) or one client address.

    ``key`` is the normalized e-mail address whether or not an account has
    it, so refusing a throttled address reveals nothing about which accounts
    exist. ``blocked_until`` is when the next attempt will be looked at.
    """

    __tablename__ = "sign_in_counters"
    __table_args__ = (
        UniqueConstraint("scope", "key"),
        CheckConstraint(check_in("scope", COUNTER_SCOPES), name="scope"),
    )

    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]
