"""Slowing down guesses of passwords, the class code and the passcode. No Streamlit.

Failed tries are rows of ``login_attempts`` (shared by every thread and process of the app).
After a key's free failures each further try must wait twice as long as the one before
(1 s, 2 s, 4 s ... up to a minute); enough failures lock the key for ``LOCK_S`` seconds.
Tries during a wait are refused without being checked.

Parallel requests must not slip through between "may this key try?" and "it failed": a
try is a *reservation*: one ``BEGIN IMMEDIATE`` transaction checks every key and records a
provisional failure for each, before the secret is verified; a success removes it (and
clears the keys it should), a failure leaves it as the failure. So twenty wrong passwords
sent at once are twenty failures in order, and only the free ones are ever verified.

argon2 is made to be slow: ``verify`` runs at most ``VERIFY_SLOTS`` checks at once in this
process, and a try that cannot get a slot in ``VERIFY_WAIT_S`` is refused as busy (its
reservation is taken back: it was never checked), so a flood cannot take every core.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tutor.errors import TutorError
from tutor.store import Store

FREE_FAILURES = 3  # failures allowed before each try must wait
MAX_WAIT_S = 60.0
LOCK_FAILURES = 10  # failures that lock the key
LOCK_S = 15 * 60
# A whole classroom may share one address (NAT, a proxy): the per-address key, which stops
# someone trying one password on many names, allows more before it slows down.
ADDRESS_FREE, ADDRESS_LOCK = 20, 100
# Class-code guesses from one address; the class-wide key ("classcode") allows as many as an
# address key, so that one guesser cannot lock sign-up for the whole class.
CODE_ADDRESS_FREE, CODE_ADDRESS_LOCK = 5, 20
WINDOW_S = 60 * 60  # failures older than this are forgotten
KEEP_S = 24 * 3600  # rows older than this are deleted
VERIFY_SLOTS = 2
VERIFY_WAIT_S = 5.0
_LIMITS = {  # key prefix -> (free failures, failures that lock)
    "addr:": (ADDRESS_FREE, ADDRESS_LOCK),
    "code-addr:": (CODE_ADDRESS_FREE, CODE_ADDRESS_LOCK),
    "classcode": (ADDRESS_FREE, ADDRESS_LOCK),
}
_slots = threading.BoundedSemaphore(VERIFY_SLOTS)


class SignInError(TutorError):
    """Wrong name, password or code (the message never says which)."""


class Throttled(SignInError):
    """Too many failures: the caller must wait ``retry_after_s`` seconds."""

    def __init__(self, message: str, hint: str = "", *, retry_after_s: float) -> None:
        super().__init__(message, hint)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    wait_s: float  # 0: may try now
    locked: bool


def limits(key: str) -> tuple[int, int]:
    """(free failures, failures that lock) for a key."""
    for prefix, pair in _LIMITS.items():
        if key.startswith(prefix):
            return pair
    return FREE_FAILURES, LOCK_FAILURES


def throttled(state: ThrottleState, hint: str = "Check the name and password, then try again.") -> Throttled:
    wait = math.ceil(state.wait_s)
    if state.locked:
        return Throttled(
            f"Too many wrong tries: locked for {wait // 60 + 1} minutes.",
            "Wait, or ask your instructor to unlock it (`python -m tutor.auth unlock NAME`).",
            retry_after_s=state.wait_s,
        )
    return Throttled(
        f"Too many wrong tries: wait {wait} s before the next one.", hint, retry_after_s=state.wait_s
    )


@dataclass(frozen=True)
class Reservation:
    """The provisional failures of one try: their row ids and the time they were written."""

    ids: tuple[int, ...]
    at: float


class Throttle:
    """Failed tries per key in SQLite; ``reserve`` + ``settle`` make a try atomic."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    @staticmethod
    def _state_in(db, key: str, now: float) -> ThrottleState:
        rows = list(
            db.query(
                "SELECT at FROM login_attempts WHERE key = ? AND ok = 0 AND at > ? ORDER BY at",
                [key, now - WINDOW_S],
            )
        )
        failures = len(rows)
        if not failures:
            return ThrottleState(0, 0.0, False)
        free, lock = limits(key)
        last = rows[-1]["at"]
        if failures >= lock:
            wait = last + LOCK_S - now
            return ThrottleState(failures, max(0.0, wait), wait > 0)
        if failures < free:
            return ThrottleState(failures, 0.0, False)
        delay = min(MAX_WAIT_S, 2.0 ** (failures - free))
        return ThrottleState(failures, max(0.0, last + delay - now), False)

    def state(self, key: str) -> ThrottleState:
        now = self.clock()
        return self.store.read(lambda db: self._state_in(db, key, now))

    @staticmethod
    def _worst(states: list[ThrottleState]) -> ThrottleState:
        return max(states, key=lambda s: (s.locked, s.wait_s))

    def check(self, *keys: str, hint: str | None = None) -> None:
        """Raise Throttled if any key must wait now (a look only: ``reserve`` to try)."""
        worst = self._worst([self.state(k) for k in keys])
        if worst.wait_s > 0:
            raise throttled(worst, *([hint] if hint else []))

    def reserve(self, *keys: str, hint: str | None = None) -> Reservation:
        """Atomically: Throttled if any key must wait, else a provisional failure per key
        (their rows, for ``settle`` or ``cancel``)."""
        now = self.clock()

        def op(db) -> ThrottleState | list[int]:
            worst = self._worst([self._state_in(db, k, now) for k in keys])
            if worst.wait_s > 0:
                return worst
            return [
                int(
                    db.execute(
                        "INSERT INTO login_attempts (key, at, ok) VALUES (?, ?, 0)", [k, now]
                    ).lastrowid
                )
                for k in keys
            ]

        result = self.store.write(op)
        if isinstance(result, ThrottleState):
            raise throttled(result, *([hint] if hint else []))
        return Reservation(tuple(result), now)

    def settle(self, reservation: Reservation, ok: bool, *, clear: tuple[str, ...] = ()) -> None:
        """After the check: on success the provisional failures go and ``clear``'s keys are
        forgiven; on failure the provisional failures stay as the failures."""
        now = self.clock()

        def op(db) -> None:
            if ok:
                self._delete(db, reservation)
                for key in clear:
                    db.execute("DELETE FROM login_attempts WHERE key = ? AND ok = 0", [key])
            db.execute("DELETE FROM login_attempts WHERE at < ?", [now - KEEP_S])

        self.store.write(op)

    def cancel(self, reservation: Reservation) -> None:
        """Take back a reservation whose check never ran (the server was busy)."""
        self.store.write(lambda db: self._delete(db, reservation))

    @staticmethod
    def _delete(db, reservation: Reservation) -> None:
        # By id *and* what the row was: another try's success may already have cleared these
        # rows, and SQLite then reuses their ids (for an account-made row, say), which a bare
        # "id IN" would delete: parallel sign-ups made one account more than the limit.
        ids = list(reservation.ids)
        if ids:
            db.execute(
                f"DELETE FROM login_attempts WHERE id IN ({','.join('?' * len(ids))}) AND ok = 0 AND at = ?",
                [*ids, reservation.at],
            )

    def record(self, ok: bool, *keys: str) -> None:
        """Record a finished try without a reservation (tests, tools)."""
        now = self.clock()

        def op(db) -> None:
            for key in keys:
                if ok:
                    db.execute("DELETE FROM login_attempts WHERE key = ? AND ok = 0", [key])
                else:
                    db.execute("INSERT INTO login_attempts (key, at, ok) VALUES (?, ?, 0)", [key, now])
            db.execute("DELETE FROM login_attempts WHERE at < ?", [now - KEEP_S])

        self.store.write(op)

    def clear(self, key: str) -> None:
        self.store.write(lambda db: db.execute("DELETE FROM login_attempts WHERE key = ? AND ok = 0", [key]))

    def count_recent(self, key: str, window_s: float = WINDOW_S) -> tuple[int, float]:
        """(successes recorded under ``key`` in the window, seconds until the oldest leaves it)."""
        now = self.clock()
        rows = self.store.read(
            lambda db: list(
                db.query(
                    "SELECT at FROM login_attempts WHERE key = ? AND ok = 1 AND at > ? ORDER BY at",
                    [key, now - window_s],
                )
            )
        )
        return len(rows), (rows[0]["at"] + window_s - now) if rows else 0.0


def guarded_check(
    store: Store, keys: tuple[str, ...], check: Callable[[], bool], *, clear: tuple[str, ...] | None = None,
    hint: str | None = None,
) -> bool:  # fmt: skip
    """Run ``check`` (a slow secret verification) as one throttled try on ``keys``: reserved
    first, in a verification slot, then settled. ``clear``: the keys a success forgives
    (default: all of them). Throttled if a key must wait or no slot frees in time."""
    throttle = Throttle(store)
    reservation = throttle.reserve(*keys, hint=hint)
    if not _slots.acquire(timeout=VERIFY_WAIT_S):
        throttle.cancel(reservation)
        raise Throttled(
            "The server is busy checking other sign-ins.", "Try again in a few seconds.", retry_after_s=2.0
        )
    try:
        ok = bool(check())
    except BaseException:
        _slots.release()
        throttle.cancel(reservation)
        raise
    _slots.release()
    throttle.settle(reservation, ok, clear=keys if clear is None else clear)
    return ok


def in_slot(fn: Callable[[], str]) -> str:
    """Run a slow hash (a new password's) in a verification slot; Throttled if none frees."""
    if not _slots.acquire(timeout=VERIFY_WAIT_S):
        raise Throttled("The server is busy.", "Try again in a few seconds.", retry_after_s=2.0)
    try:
        return fn()
    finally:
        _slots.release()
