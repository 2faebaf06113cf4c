"""Model instances as the loader's text rows (ERD column order, text or None)."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone


def text_value(field, value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.{field.decimal_places}f}"
    return str(value)


def instance_rows(instances):
    if not instances:
        return []
    fields = instances[0]._meta.concrete_fields
    return [tuple(text_value(f, getattr(obj, f.attname)) for f in fields) for obj in instances]
