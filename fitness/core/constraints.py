"""Small builders for the database CheckConstraints every ODS model declares.

Row-local rules live in the database, so a bad row is refused whether it comes
from the admin, a CSV import, the seeder or raw SQL.
"""
from decimal import Decimal

from django.db import models
from django.db.models import F, Q

HALF_CENT = Decimal("0.005")


def one_of(table, column_field, choices):
    """The column holds one of the TextChoices values."""
    return models.CheckConstraint(
        condition=Q(**{f"{column_field}__in": choices.values}),
        name=f"{table}_{column_field}_valid",
    )


def at_least(table, field, minimum):
    return models.CheckConstraint(condition=Q(**{f"{field}__gte": minimum}), name=f"{table}_{field}_gte_{minimum}")


def positive(table, field):
    return models.CheckConstraint(condition=Q(**{f"{field}__gt": 0}), name=f"{table}_{field}_positive")


def between(table, field, low, high):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"{table}_{field}_{low}_{high}",
    )


def after(table, later, earlier, *, strict=True, nullable=True):
    """`later` comes after `earlier` (strictly unless strict=False); a null `later` passes."""
    lookup = "gt" if strict else "gte"
    condition = Q(**{f"{later}__{lookup}": F(earlier)})
    if nullable:
        condition |= Q(**{f"{later}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"{table}_{later}_after_{earlier}")


def equals_to_the_cent(field, expression, *, name):
    """Money `field` equals `expression` (a sum or difference of money columns)
    to the cent. Compared within half a cent rather than with `=`: SQLite stores
    DECIMAL columns as REAL and evaluates the sum in binary floating point, where
    0.10 + 0.20 is not 0.30. Two-decimal amounts that differ at all differ by at
    least a cent, so the tolerance refuses every wrong row and accepts every right
    one, on SQLite and PostgreSQL alike."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": expression - HALF_CENT, f"{field}__lte": expression + HALF_CENT}),
        name=name,
    )
