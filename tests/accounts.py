"""Test helpers: a real SQLite store with some users in it (ids fixed, roles as given)."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tutor import auth
from tutor.access import User
from tutor.store import Store

ALICE = User(2, "alice", "Alice", "student", "local")
BOB = User(3, "bob", "Bob", "student", "local")
TESS = User(4, "tess", "Tess", "instructor", "local")


def store_with_users(path: Path, *users: User) -> Store:
    store = Store(path)
    for u in users or (ALICE, BOB, TESS):
        row = {"id": u.id, "username": u.username, "role": u.role, "provider": "local", "created_at": "t"}
        store.write(lambda db, row=row: db["users"].insert(row))
    return store


@pytest.fixture
def cheap_hasher():
    """argon2 at its cheapest for speed (the app keeps argon2-cffi's defaults); use with autouse."""
    auth.set_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    auth.set_hasher(PasswordHasher())
