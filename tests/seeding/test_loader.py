"""The seed loader's fast paths give the same database as a plain load:
the bulk path puts back every foreign key and index it set aside, and a
failing batch surfaces in the caller and leaves nothing behind."""
import datetime as dt

import pytest
from django.db import DatabaseError, connection

from fitness.core.dialect import Dialect
from fitness.core.tables import LOAD_ORDER, model_for, models_by_table
from fitness.seeding.run import seed_ods
from fitness.seeding.visits_sim import VisitStream

END = dt.date(2025, 3, 12)
SMALL = {"profile": "small", "members": 40, "end_date": END}

pytestmark = pytest.mark.django_db


def keys_and_indexes():
    """Every foreign key and index definition on the ODS tables (PostgreSQL catalog)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT t.relname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s)
            UNION ALL
            SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)""", [list(LOAD_ORDER), list(LOAD_ORDER)])
        return sorted(cursor.fetchall())


def counts():
    return {table: model.objects.count() for table, model in models_by_table().items()}


@pytest.mark.skipif(not Dialect.current().is_postgres, reason="the bulk path is PostgreSQL's")
def test_bulk_seed_puts_back_every_foreign_key_and_index():
    before = keys_and_indexes()
    assert sum(1 for _, definition in before if definition.startswith("FOREIGN KEY")) == 35
    seed_ods(days=3, seed=8, **SMALL)
    assert keys_and_indexes() == before


def add_a_bad_visit_each_day(monkeypatch):
    """Make the visit stream also write a visit the database refuses: duration must be >= 0 (a CHECK)."""
    original = VisitStream.simulate_day

    def add_a_bad_visit(self, day, clock, roster, comers, booked):
        original(self, day, clock, roster, comers, booked)
        self.sink.add("memberaccess", ("ACC99999999", roster.ids[0], self.facilities[0].id,
                                       self.facilities[0].member_area_ids[0], clock.ts(600), clock.ts(660),
                                       "Key Card", "-5"))

    monkeypatch.setattr(VisitStream, "simulate_day", add_a_bad_visit)


def test_a_batch_the_database_refuses_fails_the_seed_and_leaves_nothing(monkeypatch):
    before = keys_and_indexes() if Dialect.current().is_postgres else None
    add_a_bad_visit_each_day(monkeypatch)
    with pytest.raises(DatabaseError, match="duration"):
        seed_ods(days=2, seed=8, **SMALL)
    assert set(counts().values()) == {0}
    if before is not None:
        assert keys_and_indexes() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not Dialect.current().is_postgres, reason="VACUUM and the visibility map are PostgreSQL's")
def test_a_seed_leaves_its_tables_vacuumed_and_analysed():
    seed_ods(days=3, seed=5, profile="small", members=60, end_date=dt.date(2025, 3, 12))
    with connection.cursor() as cursor:
        cursor.execute("""SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s)
                          AND (last_vacuum IS NULL OR (last_analyze IS NULL AND last_autoanalyze IS NULL))""",
                       [list(LOAD_ORDER)])
        assert cursor.fetchall() == []
