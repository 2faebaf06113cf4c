"""The rule registry: each rule id of ods-rules.md maps to one check function.

A check function takes the CheckContext and returns an Outcome: how many rows
(or keys) break the rule and up to SAMPLE_SIZE of their keys, smallest first.
Most checks are one SQL statement selecting a column named `offender`;
`offenders(ctx, sql)` turns such a statement into an Outcome with one more
query level (DISTINCT keys, COUNT(*) OVER () for the total, LIMIT for samples),
so a check costs one round trip whatever the number of violations.
"""
from dataclasses import dataclass, field
from typing import Callable

from django.db import connection

SAMPLE_SIZE = 10


@dataclass
class Outcome:
    count: int = 0
    sample_keys: list = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def merge(self, other, label=None):
        """Add another outcome (e.g. one foreign key of I1) into this one."""
        self.count += other.count
        self.sample_keys = sorted(set(self.sample_keys) | set(other.sample_keys))[:SAMPLE_SIZE]
        if label is not None and other.count:
            self.details[label] = other.count
        return self


@dataclass(frozen=True)
class Rule:
    id: str
    table: str
    description: str
    check: Callable


RULES: dict[str, Rule] = {}


def rule(rule_id, table, description):
    """Register the decorated function as the check of `rule_id`."""

    def register(function):
        RULES[rule_id] = Rule(rule_id, table, " ".join(description.split()), function)
        return function

    return register


def offenders(ctx, sql, extra_params=None):
    """Run a statement selecting `offender` keys and return its Outcome."""
    wrapped = (
        "SELECT offender, COUNT(*) OVER () AS total FROM "
        f"(SELECT DISTINCT offender FROM ({sql}) AS found WHERE offender IS NOT NULL) AS distinct_found "
        f"ORDER BY offender LIMIT {SAMPLE_SIZE}"
    )
    params = dict(ctx.params, **(extra_params or {}))
    with connection.cursor() as cursor:
        cursor.execute(wrapped, params)
        rows = cursor.fetchall()
    if not rows:
        return Outcome()
    return Outcome(count=int(rows[0][1]), sample_keys=[str(row[0]) for row in rows])


def ordered_rule_ids():
    """Rule ids in the order of ods-rules.md: I, M, V, C, S, then by number."""
    families = "IMVCS"
    return sorted(RULES, key=lambda rule_id: (families.index(rule_id[0]), int(rule_id[1:])))
