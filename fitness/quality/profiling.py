"""Completeness and data profile of every ODS table (the seed's
`validate_data_quality` completeness part and `generate_data_profile_report`).

One aggregate scan per table gives the row count, null and blank counts per
column, date ranges and numeric min/max/mean; one GROUP BY per categorical
column (choices and booleans) gives its top values.

Completeness score, as in the seed: (cells - null cells) / cells x 100, where
cells = rows x columns. Blank strings are reported beside it, not counted.
"""
import datetime as dt
from decimal import Decimal

from django.db import connection, models

from fitness.core.dialect import Dialect
from fitness.core.tables import ods_models

TOP_VALUES = 5
TEXT_FIELDS = (models.CharField, models.TextField)
DATE_FIELDS = (models.DateField, models.DateTimeField)  # DateTimeField subclasses DateField
NUMERIC_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField)


def _is_categorical(field):
    return bool(field.choices) or isinstance(field, models.BooleanField)


def _json_value(value):
    """Make a database value JSON-safe: dates ISO, decimals as exact strings."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _mean(value):
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.0001")))


def _date_text(value):
    """SQLite returns MIN/MAX of date columns as text; keep ISO form either way."""
    return _json_value(value) if not isinstance(value, str) else value


def _table_scan(model):
    """(select expressions, decoders) for one aggregate scan of the model's table."""
    fields = [f for f in model._meta.concrete_fields]
    expressions, decoders = ["COUNT(*)"], []
    for field in fields:
        column = field.column
        expressions.append(f"COUNT({column})")
        decoders.append(("non_null", field))
        if isinstance(field, TEXT_FIELDS) and not field.primary_key:
            expressions.append(f"SUM(CASE WHEN {column} = '' THEN 1 ELSE 0 END)")
            decoders.append(("blank", field))
        if isinstance(field, DATE_FIELDS):
            expressions += [f"MIN({column})", f"MAX({column})"]
            decoders += [("min_date", field), ("max_date", field)]
        elif isinstance(field, NUMERIC_FIELDS) and not field.is_relation and not _is_categorical(field):
            expressions += [f"MIN({column})", f"MAX({column})", f"AVG({column})"]
            decoders += [("min", field), ("max", field), ("mean", field)]
    return fields, expressions, decoders


def _top_values(table, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}, COUNT(*) AS n FROM {table} GROUP BY {column} ORDER BY n DESC, {column} LIMIT {TOP_VALUES}"
        )
        return [{"value": _json_value(value), "count": int(count)} for value, count in cursor.fetchall()]


def _storage_bytes(table):
    with connection.cursor() as cursor:
        return Dialect.current().storage_bytes(cursor, table)


def profile_table(model, with_profile=True):
    """(completeness entry, profile entry or None) for one table."""
    table = model._meta.db_table
    fields, expressions, decoders = _table_scan(model)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(expressions)} FROM {table}")
        row = cursor.fetchone()
    total = int(row[0])
    missing, blank, date_range, numeric = {}, {}, {}, {}
    for (kind, field), value in zip(decoders, row[1:]):
        column = field.column
        if kind == "non_null":
            missing[column] = total - int(value)
        elif kind == "blank":
            blank[column] = int(value or 0)
        elif kind in ("min_date", "max_date"):
            date_range.setdefault(column, {})["min" if kind == "min_date" else "max"] = _date_text(value)
        elif kind == "mean":
            numeric[column]["mean"] = _mean(value)
        else:
            numeric.setdefault(column, {})[kind] = _json_value(value)
    cells = total * len(fields)
    completeness = {
        "total_records": total,
        "missing_values": missing,
        "blank_values": {column: n for column, n in blank.items() if n},
        "completeness_score": round((cells - sum(missing.values())) / cells * 100, 2) if cells else 100.0,
    }
    if not with_profile:
        return completeness, None
    profile = {
        "record_count": total,
        "column_count": len(fields),
        "storage_bytes": _storage_bytes(table),
        "date_range": date_range,
        "numeric_stats": numeric,
        "categorical_stats": {
            field.column: _top_values(table, field.column) for field in fields if _is_categorical(field)
        },
    }
    return completeness, profile


def profile_ods(with_profile=True):
    """{table: completeness}, {table: profile} for the 23 ODS tables."""
    completeness, profiles = {}, {}
    for model in ods_models():
        table = model._meta.db_table
        completeness[table], profile = profile_table(model, with_profile)
        if profile is not None:
            profiles[table] = profile
    return completeness, profiles
