"""Small builders for the database CheckConstraints every ODS model declares.

Row-local rules live in the database, so a bad row is refused whether it comes
from the admin, a CSV import, the seeder or raw SQL.
"""
from django.db import models
from django.db.models import F, Q


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
