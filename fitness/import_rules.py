"""The import contract's cell and column rules, each written twice side by side: as Python (the row-by-row
path of `row_import`, SQLite) and as PostgreSQL SQL (the staged, set-based path of `pg_import`). Keeping the
two next to each other is what keeps them the same; tests run every refusal on both databases.

A cell is first *parsed* (is it a number, a date, UTF-8 text of sane size?) and then, if every cell of its
row parsed, the row's values are *checked* (required, choices, length, digits, integer range, email form).
Reasons never hold the cell's value (that goes in the error's detail), so errors can be counted per column
and reason. Foreign keys, check constraints and duplicate ids are checked per table by the two engines.
"""
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.backends.base.operations import BaseDatabaseOperations

from fitness.core.dialect import sql_literal

# A cell longer than this is refused (the ERD's longest free text is a few hundred characters; a
# megabyte in a cell is a broken file, not data).
MAX_CELL_CHARS = 65_536
TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")
TEXT_MARK = "'"

# The cell syntax of the contract, the same regular expression in Python and PostgreSQL (POSIX classes
# only, no \s or \d: they differ between the two). Cells are trimmed of spaces before matching.
DATE_SYNTAX = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
TIME_SYNTAX = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
OFFSET_SYNTAX = r"(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])"
PATTERNS = {
    "int": r"^[+-]?[0-9]{1,19}$",
    # Exponents are short: 1e999999 would overflow PostgreSQL's numeric.
    "decimal": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,2})?$",
    "bool": None,
    "date": f"^{DATE_SYNTAX}$",
    "time": f"^{TIME_SYNTAX}$",
    "datetime": f"^{DATE_SYNTAX}[T ]{TIME_SYNTAX}{OFFSET_SYNTAX}?$",
    "text": None,
}
EMAIL_PATTERN = r"^[^@ ]+@[^@ ]+\.[^@ ]+$"
REASONS = {
    "int": "expected a whole number",
    "decimal": "expected a number like 49.90",
    "bool": "expected true or false",
    "date": "expected a date like 2024-01-31",
    "time": "expected a time like 06:30:00",
    "datetime": "expected a timestamp like 2024-01-31T06:30:00+00:00",
}
TOO_LONG = f"cell longer than {MAX_CELL_CHARS:,} characters"
NUL_CHARACTER = "holds a NUL character"
NOT_UTF8 = "is not UTF-8 text"
REQUIRED = "is required"
NOT_EMAIL = "not an email address"
_COMPILED = {kind: re.compile(pattern) for kind, pattern in PATTERNS.items() if pattern}
_EMAIL = re.compile(EMAIL_PATTERN)

TEXT_TYPES = {"CharField", "TextField", "EmailField", "ForeignKey", "SlugField", "URLField"}
INTEGER_TYPES = {"IntegerField", "SmallIntegerField", "BigIntegerField", "PositiveIntegerField",
                 "PositiveSmallIntegerField", "PositiveBigIntegerField"}
KIND_OF_TYPE = {"BooleanField": "bool", "DateField": "date", "DateTimeField": "datetime", "TimeField": "time",
                "DecimalField": "decimal"}


def field_kind(field):
    internal = field.get_internal_type()
    if internal in TEXT_TYPES:
        return "text"
    if internal in INTEGER_TYPES:
        return "int"
    return KIND_OF_TYPE[internal]


DETAIL_WIDTH = 40


def detail(cell):
    """The cell as shown next to a reason: in single quotes, cut to DETAIL_WIDTH characters."""
    text = cell if len(cell) <= DETAIL_WIDTH else cell[:DETAIL_WIDTH] + "..."
    return "'" + text.replace("'", "''") + "'"


def sql_detail(text_sql):
    """`detail` in SQL."""
    cut = (f"CASE WHEN length({text_sql}) > {DETAIL_WIDTH} THEN substr({text_sql}, 1, {DETAIL_WIDTH}) || '...' "
           f"ELSE {text_sql} END")
    quote = sql_literal("'")
    return f"{quote} || replace({cut}, {quote}, {sql_literal(2 * chr(39))}) || {quote}"


# --------------------------------------------------------------------------- parsing one cell (Python)

def is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year, month):
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _date(text):
    year, month, day = int(text[0:4]), int(text[5:7]), int(text[8:10])
    if year == 0 or day > days_in_month(year, month):
        raise ValueError
    return dt.date(year, month, day)


def _time(text):
    hour, minute, second = int(text[0:2]), int(text[3:5]), int(text[6:8])
    fraction = text[9:]
    return dt.time(hour, minute, second, int(fraction.ljust(6, "0")) if fraction else 0)


def _datetime(text):
    day = _date(text[:10])
    rest = text[11:]
    offset = None
    if rest.endswith("Z"):
        rest, offset = rest[:-1], dt.timezone.utc
    elif len(rest) > 6 and rest[-6] in "+-":
        sign = 1 if rest[-6] == "+" else -1
        offset = dt.timezone(sign * dt.timedelta(hours=int(rest[-5:-3]), minutes=int(rest[-2:])))
        rest = rest[:-6]
    moment = dt.datetime.combine(day, _time(rest))
    if offset is None:
        from zoneinfo import ZoneInfo
        return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment.replace(tzinfo=offset)


def _decimal(text):
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise ValueError from None


def _bool(text):
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError


CONVERTERS = {"int": int, "decimal": _decimal, "date": _date, "time": _time, "datetime": _datetime, "bool": _bool}


def unescape_text(cell):
    return cell[1:] if cell.startswith(TEXT_MARK) else cell


def parse_value(kind, cell, escaped=True):
    """The Python value of a non-empty cell of `kind`; ValueError(reason) if it breaks the cell syntax."""
    if len(cell) > MAX_CELL_CHARS:
        raise ValueError(TOO_LONG)
    if "\x00" in cell:
        raise ValueError(NUL_CHARACTER)
    if kind == "text":
        return unescape_text(cell) if escaped else cell
    text = cell.strip(" ")
    pattern = _COMPILED.get(kind)
    try:
        if pattern is not None and not pattern.match(text):
            raise ValueError
        return CONVERTERS[kind](text)
    except ValueError:
        raise ValueError(REASONS[kind]) from None


# --------------------------------------------------------------------------- checking one value (Python)

def integer_range(field):
    """The field's range as Django validates it on every database (SQLite's own is wider)."""
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]


def choice_values(field):
    return [str(value) for value, _ in field.flatchoices]


def choices_reason(field):
    return "not one of: " + ", ".join(choice_values(field))


def decimal_reasons(field):
    whole = field.max_digits - field.decimal_places
    return (f"more than {field.decimal_places} decimal places", f"more than {whole} digits before the decimal point")


def value_problems(field, value):
    """Reasons the parsed `value` breaks the column's rules (empty when it keeps them)."""
    kind = field_kind(field)
    if value is None or (kind == "text" and value == "" and not field.blank):
        return [] if field.null and value is None else [REQUIRED]
    problems = []
    if field.choices and str(value) not in choice_values(field):
        problems.append(choices_reason(field))
    if kind == "text" and field.max_length and len(value) > field.max_length:
        problems.append(f"longer than {field.max_length} characters")
    if kind == "text" and field.get_internal_type() == "EmailField" and value and not _EMAIL.match(value):
        problems.append(NOT_EMAIL)
    if kind == "int":
        low, high = integer_range(field)
        if (low is not None and value < low) or (high is not None and value > high):
            problems.append(f"not between {low} and {high}")
    if kind == "decimal":
        places, whole = decimal_reasons(field)
        if -value.as_tuple().exponent > field.decimal_places:
            problems.append(places)
        elif abs(value) >= Decimal(10) ** (field.max_digits - field.decimal_places):
            problems.append(whole)
    return problems


# --------------------------------------------------------------------------- the same, as PostgreSQL SQL

def sql_regex(kind, text_sql):
    return f"{text_sql} ~ {sql_literal(PATTERNS[kind])}"


def sql_valid_date(text_sql):
    """SQL true when the YYYY-MM-DD at the start of `text_sql` (already matching DATE_SYNTAX) is a real day."""
    year, month, day = (f"substr({text_sql}, {start}, {width})::int" for start, width in ((1, 4), (6, 2), (9, 2)))
    leap = f"(mod({year}, 4) = 0 AND (mod({year}, 100) <> 0 OR mod({year}, 400) = 0))"
    days = (f"CASE WHEN {month} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
            f"WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END")
    return f"({year} > 0 AND {day} <= {days})"


def sql_parse_reason(field, cell_sql):
    """SQL giving the reason the (text, non-NULL) cell breaks the cell syntax, or NULL."""
    kind = field_kind(field)
    whens = [(f"length({cell_sql}) > {MAX_CELL_CHARS}", TOO_LONG)]
    if kind != "text":
        trimmed = f"btrim({cell_sql})"
        valid = sql_regex(kind, trimmed) if PATTERNS[kind] else f"lower({trimmed}) IN {sql_words(TRUE_WORDS + FALSE_WORDS)}"
        if kind in ("date", "datetime"):
            valid = f"({valid} AND {sql_valid_date(trimmed)})"
        whens.append((f"NOT {valid}", REASONS[kind]))
    cases = " ".join(f"WHEN {condition} THEN {sql_literal(reason)}" for condition, reason in whens)
    return f"CASE WHEN {cell_sql} IS NULL THEN NULL {cases} END"


def sql_words(words):
    return "(" + ", ".join(sql_literal(word) for word in words) + ")"


def sql_cast(field, cell_sql, escaped=True):
    """SQL turning the staged text cell into the column's value (only for cells that parsed)."""
    kind = field_kind(field)
    trimmed = f"btrim({cell_sql})"
    if kind == "text":
        return f"CASE WHEN left({cell_sql}, 1) = '''' THEN substr({cell_sql}, 2) ELSE {cell_sql} END" if escaped \
            else cell_sql
    if kind == "bool":
        return f"(lower({trimmed}) IN {sql_words(TRUE_WORDS)})"
    if kind == "datetime":
        zone = sql_literal(settings.TIME_ZONE)
        with_offset = sql_literal(f"{OFFSET_SYNTAX}$")
        return (f"CASE WHEN {trimmed} ~ {with_offset} THEN {trimmed}::timestamptz "
                f"ELSE {trimmed}::timestamp AT TIME ZONE {zone} END")
    if kind == "decimal":
        return f"{trimmed}::numeric"
    return f"{trimmed}::{ {'int': 'numeric', 'date': 'date', 'time': 'time'}[kind] }"


def sql_value_problems(field, value_sql):
    """[(condition SQL, reason)] of the column's rules over the typed value (NULL-safe)."""
    kind = field_kind(field)
    checks = []
    if not field.null:
        required = f"{value_sql} IS NULL"
        if kind == "text" and not field.blank:
            required = f"({value_sql} IS NULL OR {value_sql} = '')"
        checks.append((required, REQUIRED))
    if field.choices:
        checks.append((f"{value_sql} NOT IN {sql_words(choice_values(field))}", choices_reason(field)))
    if kind == "text" and field.max_length:
        checks.append((f"length({value_sql}) > {field.max_length}", f"longer than {field.max_length} characters"))
    if kind == "text" and field.get_internal_type() == "EmailField":
        checks.append((f"({value_sql} <> '' AND {value_sql} !~ {sql_literal(EMAIL_PATTERN)})", NOT_EMAIL))
    if kind == "int":
        low, high = integer_range(field)
        checks.append((f"{value_sql} NOT BETWEEN {low} AND {high}", f"not between {low} and {high}"))
    if kind == "decimal":
        places, whole = decimal_reasons(field)
        checks.append((f"scale({value_sql}) > {field.decimal_places}", places))
        checks.append((f"(scale({value_sql}) <= {field.decimal_places} AND "
                       f"abs({value_sql}) >= 1e{field.max_digits - field.decimal_places})", whole))
    return checks


# --------------------------------------------------------------------------- the fast way (PostgreSQL)
# For a clean file the engine checks the staged text with one scan and lets COPY's casts and the table's
# constraints do the rest. Regular expressions cost PostgreSQL microseconds a cell, so the common cells are
# checked by shape (LIKE); a row that falls out or a COPY that refuses sends the table to the thorough
# checks above, which name the problem. Together they accept the cells the patterns above accept.

SUFFIX_PATTERN = r"^(\.[0-9]{1,6})?" + OFFSET_SYNTAX + "?$"


def sql_fast_conditions(field, cell_sql, escaped=True):
    """SQL true when the cell passes the cheap checks (or is NULL)."""
    kind = field_kind(field)
    trimmed = cell_sql  # a cell with spaces around takes the thorough way
    conditions = []
    if kind == "text":
        # On the raw cell: an escaped value (a leading apostrophe) fails the choices here and takes the
        # thorough way; unescaping every cell would cost a copy of each.
        if not field.max_length:  # varchar(n) refuses longer text itself
            conditions.append(f"length({cell_sql}) <= {MAX_CELL_CHARS}")
        if not field.blank:
            empty = "('', '''')" if escaped else "('')"  # a lone apostrophe is the empty string
            conditions.append(f"{cell_sql} NOT IN {empty}")
        if field.choices:
            conditions.append(f"{cell_sql} IN {sql_words(choice_values(field))}")
        if field.get_internal_type() == "EmailField":
            conditions.append(f"{sql_cast(field, cell_sql, escaped)} ~ {sql_literal(EMAIL_PATTERN)}")
    elif kind == "bool":
        conditions.append(f"lower({trimmed}) IN {sql_words(TRUE_WORDS + FALSE_WORDS)}")
    elif kind == "decimal":
        # No cast here (a bad cell must not stop the scan; COPY refuses it later). NaN and Infinity hold an
        # n; PostgreSQL would round extra decimal places away without a word, so count them.
        places = f"(strpos({trimmed}, '.') = 0 OR length({trimmed}) - strpos({trimmed}, '.') <= {field.decimal_places})"
        conditions.append(f"strpos(lower({trimmed}), 'n') = 0 AND {places}")
    elif kind == "date":
        conditions.append(f"{trimmed} LIKE '____-__-__'")
    elif kind == "time":
        conditions.append(f"{trimmed} LIKE '__:__:__%' AND length({trimmed}) <= 15 "
                          f"AND (length({trimmed}) = 8 OR substr({trimmed}, 9, 1) = '.') "
                          f"AND left({trimmed}, 2) < '24' COLLATE \"C\" AND substr({trimmed}, 7, 2) < '60' COLLATE \"C\"")
    elif kind == "datetime":
        suffix = f"substr({trimmed}, 20)"
        clock = (f"substr({trimmed}, 12, 2) < '24' COLLATE \"C\" AND substr({trimmed}, 18, 2) < '60' COLLATE \"C\"")
        # The export's own spelling first, one LIKE; any other spelling the contract allows after.
        conditions.append(
            f"CASE WHEN {trimmed} LIKE '____-__-__T__:__:__+00:00' THEN {clock} "
            f"ELSE ({trimmed} LIKE '____-__-__T__:__:__%' OR {trimmed} LIKE '____-__-__ __:__:__%') AND {clock} "
            f"AND ({suffix} IN ('', 'Z', '.000000Z') OR {suffix} ~ {sql_literal(SUFFIX_PATTERN)}) END")
    if not conditions:
        return "true"
    return f"({cell_sql} IS NULL OR ({' AND '.join(conditions)}))"
