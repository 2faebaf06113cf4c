"""Reference facts of fitness/core (catalog lists, geography) written into rule SQL.

The rules compare columns with lists the project states once in Python (the
parts a treadmill can have, the area codes of a state). These helpers turn such
a list into SQL literals in the statement itself, so a rule stays one statement
and needs no helper table. Statements run with parameters, so a percent sign
in a literal is doubled.
"""
from fitness.core.dialect import sql_literal


def literal(value) -> str:
    """`value` as a SQL string literal, safe in a statement run with parameters."""
    return sql_literal(str(value)).replace("%", "%%")


def in_list(column, values) -> str:
    """`column IN (...)` over `values`; false (never null) for an empty list."""
    values = sorted({str(value) for value in values})
    if not values:
        return "1 = 0"
    return f"{column} IN ({', '.join(literal(value) for value in values)})"


def allowed_for_key(key_column, value_column, allowed_by_key, unknown_key="1 = 1") -> str:
    """SQL condition: `value_column` is one of the values `allowed_by_key` lists for
    the row's `key_column` (e.g. a part allowed for the equipment type). For a key
    the mapping does not know, the condition `unknown_key` (default true)."""
    branches = " ".join(
        f"WHEN {literal(key)} THEN {in_list(value_column, values)}" for key, values in sorted(allowed_by_key.items())
    )
    return f"(CASE {key_column} {branches} ELSE {unknown_key} END)"
