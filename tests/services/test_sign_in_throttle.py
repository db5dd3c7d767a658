"""Sign-in throttling: free attempts, doubling back-off, lockout, per account and per client address, audited."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from fixtures.clock import ManualClock
from fixtures.database import PASSWORD, Team
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.config import Settings
from buildtrace_assets.db.models import AuditLog, SignInCounter
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.errors import TooManyAttempts
from buildtrace_assets.services.sign_in_throttle import (
    SignInAttempt,
    SignInThrottle,
    ThrottlePolicy,
    describe_wait,
)

WRONG = "not the password"
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def throttle(clock: ManualClock) -> SignInThrottle:
    """The throttle with the default settings, on the test's clock."""
    return SignInThrottle.from_settings(Settings(), clock)


def sign_in(
    session: Session, throttle: SignInThrottle, email: str, password: str = WRONG, address: str | None = OFFICE
) -> bool:
    """True when signed in, False for a wrong password; :class:`TooManyAttempts` propagates."""
    return throttle.sign_in(session, SignInAttempt(email, address), password) is not None


def counter(session: Session, scope: str, key: str) -> SignInCounter | None:
    return session.scalar(select(SignInCounter).where(SignInCounter.scope == scope, SignInCounter.key == key))


def fail_waiting_out_each_block(
    session: Session, throttle: SignInThrottle, clock: ManualClock, email: str, times: int, address: str = OFFICE
) -> None:
    """``times`` wrong passwords from a patient attacker who waits until each block has passed."""
    for _ in range(times):
        for scope, key in (("account", email), ("address", address)):
            row = counter(session, scope, key)
            if row is not None and row.blocked_until is not None and row.blocked_until > clock.now:
                clock.advance((row.blocked_until - clock.now).total_seconds())
        assert not sign_in(session, throttle, email, address=address)


def test_the_defaults_are_five_free_attempts_a_one_second_back_off_and_a_15_minute_lockout_after_ten() -> None:
    throttle = SignInThrottle.from_settings(Settings())

    assert throttle.account == ThrottlePolicy(
        free_attempts=5, lockout_after=10, base_delay_s=1.0, lockout_s=900.0, max_lockout_s=3600.0, forget_after_s=86400
    )
    assert (throttle.address.free_attempts, throttle.address.lockout_after) == (20, 30)


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILDTRACE_SIGN_IN_LOCKOUT_AFTER", "3")
    monkeypatch.setenv("BUILDTRACE_SIGN_IN_LOCKOUT_S", "60")

    assert SignInThrottle.from_settings(Settings()).account.wait_after(3) == timedelta(seconds=60)


def test_back_off_doubles_after_the_free_attempts_and_the_tenth_failure_locks_for_15_minutes() -> None:
    policy = SignInThrottle.from_settings(Settings()).account

    waits = [policy.wait_after(failures).total_seconds() for failures in range(1, 14)]

    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 900, 1800, 3600, 3600]
    assert policy.wait_after(10_000) == timedelta(seconds=3600)


def test_five_wrong_passwords_cost_nothing_and_the_right_one_then_clears_the_account(
    db_session: Session, team: Team, throttle: SignInThrottle
) -> None:
    for _ in range(5):
        assert not sign_in(db_session, throttle, "editor@acme.test")

    assert sign_in(db_session, throttle, "Editor@Acme.test", PASSWORD)
    assert counter(db_session, "account", "editor@acme.test") is None
    assert counter(db_session, "address", OFFICE).failures == 5


def test_a_failure_past_the_free_ones_refuses_even_the_right_password_until_the_back_off_has_passed(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    fail_waiting_out_each_block(db_session, throttle, clock, "editor@acme.test", 7)

    with pytest.raises(TooManyAttempts) as refusal:
        sign_in(db_session, throttle, "editor@acme.test", PASSWORD)
    assert refusal.value.retry_after_s == 2 and not refusal.value.locked_out
    assert str(refusal.value) == "Too many failed sign-in attempts. Try again in 2 seconds."
    clock.advance(1.5)
    with pytest.raises(TooManyAttempts) as refusal:
        sign_in(db_session, throttle, "editor@acme.test", PASSWORD)
    assert refusal.value.retry_after_s == 1
    clock.advance(0.5)
    assert sign_in(db_session, throttle, "editor@acme.test", PASSWORD)


def test_attempts_refused_while_blocked_are_not_counted(
    db_session: Session, team: Team, throttle: SignInThrottle
) -> None:
    for _ in range(6):
        assert not sign_in(db_session, throttle, "editor@acme.test")
    for _ in range(20):
        with pytest.raises(TooManyAttempts):
            sign_in(db_session, throttle, "editor@acme.test")

    assert counter(db_session, "account", "editor@acme.test").failures == 6


def test_fifty_wrong_passwords_in_23_seconds_lock_the_account_and_the_right_one_is_refused(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    refused = 0
    for _ in range(50):
        clock.advance(0.46)
        try:
            assert not sign_in(db_session, throttle, "editor@acme.test")
        except TooManyAttempts:
            refused += 1

    with pytest.raises(TooManyAttempts) as refusal:
        sign_in(db_session, throttle, "editor@acme.test", PASSWORD)
    assert refused == 40 and counter(db_session, "account", "editor@acme.test").failures == 10
    assert refusal.value.locked_out and 890 < refusal.value.retry_after_s <= 900
    assert str(refusal.value) == "Sign-in is locked after too many failed attempts. Try again in 15 minutes."


def test_a_new_address_does_not_escape_the_accounts_lockout(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    fail_waiting_out_each_block(db_session, throttle, clock, "editor@acme.test", 10)

    with pytest.raises(TooManyAttempts):
        sign_in(db_session, throttle, "editor@acme.test", PASSWORD, address=ELSEWHERE)
    with pytest.raises(TooManyAttempts):
        sign_in(db_session, throttle, "editor@acme.test", PASSWORD, address=None)


def test_the_lockout_expires_and_then_the_right_password_signs_in_and_resets_the_account(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    fail_waiting_out_each_block(db_session, throttle, clock, "editor@acme.test", 10)
    clock.advance(899)
    with pytest.raises(TooManyAttempts):
        sign_in(db_session, throttle, "editor@acme.test", PASSWORD)

    clock.advance(1)

    assert sign_in(db_session, throttle, "editor@acme.test", PASSWORD)
    assert counter(db_session, "account", "editor@acme.test") is None
    assert not sign_in(db_session, throttle, "editor@acme.test")
    assert counter(db_session, "account", "editor@acme.test").blocked_until is None


def test_each_failure_after_a_lockout_doubles_it_up_to_an_hour(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    fail_waiting_out_each_block(db_session, throttle, clock, "editor@acme.test", 10)
    locks = []
    for _ in range(3):
        fail_waiting_out_each_block(db_session, throttle, clock, "editor@acme.test", 1)
        row = counter(db_session, "account", "editor@acme.test")
        locks.append((row.blocked_until - clock.now).total_seconds())

    assert locks == [1800, 3600, 3600]


def test_failures_are_forgotten_a_day_after_the_last_one(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    fail_waiting_out_each_block(db_session, throttle, clock, "editor@acme.test", 9)
    clock.advance(24 * 3600)

    assert not sign_in(db_session, throttle, "editor@acme.test")

    row = counter(db_session, "account", "editor@acme.test")
    assert row.failures == 1 and row.blocked_until is None


def test_one_address_guessing_across_accounts_is_locked_out_even_for_an_account_it_never_tried(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    for number in range(30):
        fail_waiting_out_each_block(db_session, throttle, clock, f"guess{number}@acme.test", 1)

    with pytest.raises(TooManyAttempts) as refusal:
        sign_in(db_session, throttle, "viewer@acme.test", PASSWORD)
    assert refusal.value.locked_out
    assert sign_in(db_session, throttle, "viewer@acme.test", PASSWORD, address=ELSEWHERE)


def test_the_address_back_off_starts_after_twenty_free_failures_across_accounts(
    db_session: Session, team: Team, throttle: SignInThrottle
) -> None:
    for number in range(20):
        assert not sign_in(db_session, throttle, f"guess{number}@acme.test")
    assert not sign_in(db_session, throttle, "guess20@acme.test")

    with pytest.raises(TooManyAttempts) as refusal:
        sign_in(db_session, throttle, "viewer@acme.test", PASSWORD)
    assert refusal.value.retry_after_s == 1


def test_a_good_sign_in_does_not_clear_its_addresss_failures(
    db_session: Session, team: Team, throttle: SignInThrottle
) -> None:
    for number in range(3):
        assert not sign_in(db_session, throttle, f"guess{number}@acme.test")

    assert sign_in(db_session, throttle, "viewer@acme.test", PASSWORD)

    assert counter(db_session, "address", OFFICE).failures == 3


def test_an_unknown_e_mail_is_throttled_like_a_real_one(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    for email in ("nobody@acme.test", "editor@acme.test"):
        fail_waiting_out_each_block(db_session, throttle, clock, email, 10, address=None)

    refusals = []
    for email in ("nobody@acme.test", "editor@acme.test"):
        with pytest.raises(TooManyAttempts) as refusal:
            sign_in(db_session, throttle, email, address=None)
        refusals.append(str(refusal.value))
    assert refusals[0] == refusals[1]


def test_failures_and_the_lockout_are_audited_per_counter(
    db_session: Session, team: Team, throttle: SignInThrottle, clock: ManualClock
) -> None:
    fail_waiting_out_each_block(db_session, throttle, clock, "editor@acme.test", 10)

    rows = db_session.scalars(select(AuditLog).where(AuditLog.entity_type == "sign_in_counters")).all()
    account = sorted((row for row in rows if row.after["scope"] == "account"), key=lambda row: row.after["failures"])
    address = [row for row in rows if row.after["scope"] == "address"]
    assert [row.action for row in account] == ["sign_in.failed"] * 9 + ["sign_in.locked_out"]
    assert [row.action for row in address] == ["sign_in.failed"] * 10
    last = account[-1]
    assert last.user_id is None and last.organization_id == team.project.organization_id
    assert last.after["failures"] == 10 and last.after["client_address"] == OFFICE
    assert last.after["blocked_until"] == (clock.now + timedelta(seconds=900)).isoformat()
    assert {row.organization_id for row in address} == {None}


def test_the_reset_after_a_good_sign_in_is_audited_as_the_user(
    db_session: Session, team: Team, throttle: SignInThrottle
) -> None:
    assert not sign_in(db_session, throttle, "editor@acme.test")
    assert sign_in(db_session, throttle, "editor@acme.test", PASSWORD)

    reset = db_session.scalars(select(AuditLog).where(AuditLog.action == "sign_in.reset")).one()
    assert reset.user_id == team.editor.user_id and reset.before["failures"] == 1 and reset.after is None


def test_a_refused_attempt_writes_nothing(db_session: Session, team: Team, throttle: SignInThrottle) -> None:
    for _ in range(6):
        assert not sign_in(db_session, throttle, "editor@acme.test")
    audit_rows = len(db_session.scalars(select(AuditLog)).all())

    with pytest.raises(TooManyAttempts):
        sign_in(db_session, throttle, "editor@acme.test", PASSWORD)

    assert len(db_session.scalars(select(AuditLog)).all()) == audit_rows


def test_failures_arriving_together_on_several_workers_are_all_counted(
    session_factory: sessionmaker[Session], team: Team, clock: ManualClock
) -> None:
    generous = ThrottlePolicy(
        free_attempts=100, lockout_after=100, base_delay_s=1, lockout_s=900, max_lockout_s=3600, forget_after_s=86400
    )
    throttle = SignInThrottle(account=generous, address=generous, clock=clock)
    workers = 6
    start = threading.Barrier(workers)
    outcomes: list[bool] = []

    def worker() -> None:
        start.wait()
        with transaction(session_factory) as session:
            outcomes.append(sign_in(session, throttle, "editor@acme.test"))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == [False] * workers
    with session_factory() as session:
        assert counter(session, "account", "editor@acme.test").failures == workers
        assert counter(session, "address", OFFICE).failures == workers


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (59, "59 seconds"), (60, "1 minute"), (61, "2 minutes"), (900, "15 minutes")],
)
def test_waits_are_described_as_people_say_them(seconds: int, words: str) -> None:
    assert describe_wait(seconds) == words


def test_back_off_is_never_longer_than_a_lockout() -> None:
    policy = ThrottlePolicy(
        free_attempts=0, lockout_after=30, base_delay_s=1, lockout_s=900, max_lockout_s=3600, forget_after_s=86400
    )

    assert [policy.wait_after(failures).total_seconds() for failures in (10, 11, 29, 30)] == [512, 900, 900, 900]


@pytest.mark.parametrize(
    ("trusted_proxies", "forwarded_for", "address"),
    [
        (0, "192.0.2.1", OFFICE),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "10.9.9.9, 192.0.2.1", "192.0.2.1"),
        (2, "10.9.9.9, 192.0.2.1, 10.0.0.5", "192.0.2.1"),
        (2, "192.0.2.1", OFFICE),
        (1, None, OFFICE),
    ],
)
def test_the_client_address_is_read_from_x_forwarded_for_only_as_far_as_the_trusted_proxies_reach(
    trusted_proxies: int, forwarded_for: str | None, address: str
) -> None:
    throttle = SignInThrottle.from_settings(Settings(trusted_proxies=trusted_proxies))

    assert throttle.attempt("ann@acme.test", OFFICE, forwarded_for).client_address == address


def test_an_overlong_e_mail_is_counted_like_any_other(
    db_session: Session, team: Team, throttle: SignInThrottle
) -> None:
    email = "x" * 1000 + "@acme.test"
    for _ in range(6):
        assert not sign_in(db_session, throttle, email)

    with pytest.raises(TooManyAttempts):
        sign_in(db_session, throttle, email)
