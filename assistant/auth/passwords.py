"""Password hashing with Argon2id (argon2-cffi).

Parameters (measured on the 2-core VM with `python -m bench.auth`): one hash or verification costs
about 50–150 ms of CPU, the range the project chose for sign-in. An unknown username is verified
against a dummy hash, so it takes as long as a wrong password and the timing tells nothing.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .. import errors, offload

MIN_LENGTH = 10
MAX_LENGTH = 1024  # Argon2 takes any length; this only bounds the work a request can ask for
UNUSABLE = "!"  # the built-in single-user account's hash: no password verifies against it

HASHER = PasswordHasher(time_cost=3, memory_cost=32 * 1024, parallelism=1, hash_len=32, salt_len=16)
# Made once with HASHER's parameters (a test checks they still match): verifying an unknown user
# against it costs exactly what a wrong password costs, with no hashing at start-up.
DUMMY_HASH = "$argon2id$v=19$m=32768,t=3,p=1$lAFPAdK2w0QxCS7cydpeog$A+Y0dR5oqYOt9cI5SnVenjJM6nBSUscsTv0ZyFxw54k"


# Each hash holds 32 MiB while it runs and argon2-cffi releases the GIL: without a bound, 200 sign-ins
# at once took a worker past 2 GB (measured). A few at a time keep the cores busy; the rest wait briefly.
SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
WAIT_S = 10.0


@contextmanager
def _slot():
    if not SLOTS.acquire(timeout=WAIT_S):
        raise errors.EngineBusy("Too many sign-ins at once. Please try again in a moment.", retry_after=2)
    try:
        yield
    finally:
        SLOTS.release()


def hash_password(password: str) -> str:
    with _slot():  # the wait for a slot is here, so a waiting sign-in holds no pool thread
        return offload.call(HASHER.hash, password)


def verify(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; with `stored` None (no such user) the same work is done."""
    try:
        with _slot():
            matched = offload.call(HASHER.verify, stored if stored and stored != UNUSABLE else DUMMY_HASH, password)
        return matched and stored not in (None, UNUSABLE)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return HASHER.check_needs_rehash(stored)
