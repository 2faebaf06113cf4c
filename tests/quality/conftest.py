"""Fixtures for the check_ods suite: the valid dataset, and ways to break it."""
import pytest
from django.db import connection

from fitness.core.dialect import Dialect

from .dataset import build_valid_dataset


@pytest.fixture
def valid_dataset(db):
    build_valid_dataset()


@pytest.fixture
def undo(db):
    """Register callbacks that repair a deliberately broken row before the test's
    transaction ends (Django checks deferred foreign keys at test teardown)."""
    callbacks = []
    yield callbacks.append
    for callback in reversed(callbacks):
        callback()


@pytest.fixture
def allow_check_violation(db, undo):
    """Let one row break a database CheckConstraint: drop the constraint inside
    the test transaction on PostgreSQL (rolled back after the test), ignore
    check constraints for the connection on SQLite (switched back after)."""

    def allow(table, constraint):
        with connection.cursor() as cursor:
            if Dialect.current().is_postgres:
                # Deferred foreign-key checks of the dataset must run before ALTER TABLE.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                cursor.execute("PRAGMA ignore_check_constraints = ON")
                undo(lambda: connection.cursor().execute("PRAGMA ignore_check_constraints = OFF"))

    return allow
