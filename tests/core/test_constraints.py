"""Each database CheckConstraint refuses a row that breaks it.

One test per constraint, generated from `model._meta.constraints`: the
violating value is derived from the constraint's own condition (a value
outside the choices, below the minimum, above the maximum, an end before its
start), and the few composite rules have hand-written violations. The row is
changed with `QuerySet.update`, which skips Python validation, so it is the
database that must refuse it, and the error must name the constraint.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.fields import PositiveIntegerRelDbTypeMixin

from fitness import csvio
from fitness.core.tables import ods_models
from staff.models import StaffPayroll

from ..dataset import build_dataset

pytestmark = pytest.mark.django_db

CUSTOM_VIOLATIONS = {
    "staff_terminated_has_date": lambda row: {"status": "Terminated", "termination_date": None},
    "staffpayroll_gross_is_sum": lambda row: {"gross_pay": row.gross_pay + 1, "net_pay": row.net_pay + 1},
    "staffpayroll_net_is_gross_less_deductions": lambda row: {"net_pay": row.net_pay + 1},
    "instructorperformance_not_self_reviewed": lambda row: {"evaluator_id": row.instructor_id},
}


PAYROLL_TOTALS_RULES = {"staffpayroll_gross_is_sum", "staffpayroll_net_is_gross_less_deductions"}
# PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1).
PG_MAX_IDENTIFIER = 63


def all_check_constraints():
    return [(model, c) for model in ods_models() for c in csvio.check_constraints(model)]


def earlier_than(value):
    if isinstance(value, dt.time):
        return dt.time(value.hour - 1, value.minute)
    return value - dt.timedelta(days=1)


def violation_for(model, constraint, row):
    """{attname: bad value} that breaks `constraint` on `row` (None if it cannot)."""
    if constraint.name in CUSTOM_VIOLATIONS:
        return CUSTOM_VIOLATIONS[constraint.name](row)
    lookups = [child for child in Q(constraint.condition).flatten() if isinstance(child, Q)]
    terms = [term for q in lookups for term in q.children if isinstance(term, tuple)]
    terms = [(lookup.rsplit("__", 1), value) for lookup, value in terms if not lookup.endswith("__isnull")]
    (field_name, lookup), bound = terms[-1] if any(l == "lte" for (_, l), _ in terms) else terms[0]
    field = model._meta.get_field(field_name)
    if lookup == "in":
        return {field.attname: "Z" * min(field.max_length, 9)}
    if isinstance(bound, F):
        earlier = getattr(row, model._meta.get_field(bound.name).attname)
        return None if earlier is None else {field.attname: earlier_than(earlier)}
    step = Decimal("0.01") if isinstance(field, models.DecimalField) else 1
    changes = {
        "gte": {field.attname: bound - step},
        "gt": {field.attname: bound},
        "lte": {field.attname: bound + step},
    }[lookup]
    if model._meta.db_table == "staffpayroll":
        changes = with_payroll_totals(row, changes)
    return changes


def with_payroll_totals(row, changes):
    """Keep gross and net pay consistent with a changed pay component, so that
    only the component's own rule breaks."""
    values = {"regular_pay": Decimal("2000.10"), "overtime_pay": Decimal("100.20"), "bonuses": Decimal("50.30"),
              "deductions": Decimal("300.40")}
    values.update({name: Decimal(value) for name, value in changes.items()})
    gross = values["regular_pay"] + values["overtime_pay"] + values["bonuses"]
    return {**values, "gross_pay": gross, "net_pay": gross - values["deductions"]}


def broken_rules_after(row, changes):
    """The rules the changed row breaks, as evaluated in Python by csvio."""
    changed = type(row)(**{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields})
    for name, value in changes.items():
        setattr(changed, name, value)
    return [reason for _, reason in csvio.constraint_row_errors(changed)]


@pytest.mark.parametrize(
    ("model", "constraint"),
    all_check_constraints(),
    ids=[c.name for _, c in all_check_constraints()],
)
def test_database_refuses_a_row_breaking_the_constraint(model, constraint):
    build_dataset()
    only_this_rule = [f"breaks the rule {constraint.name}"]
    for row in model.objects.order_by("pk"):
        changes = violation_for(model, constraint, row)
        if changes and broken_rules_after(row, changes) == only_this_rule:
            break
    else:
        pytest.fail(f"no row of {model._meta.db_table} on which a change breaks only {constraint.name}")
    # The row is valid before the change...
    assert csvio.constraint_row_errors(row) == []
    # ...and the database refuses the change, naming the constraint.
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        model.objects.filter(pk=row.pk).update(**changes)
    message = str(refused.value)
    assert constraint.name[:PG_MAX_IDENTIFIER] in message or builtin_unsigned_check_fired(model, changes, message)


def builtin_unsigned_check_fired(model, changes, message):
    """For `x >= 0` on a Positive*Field the column's own unsigned check (which
    Django adds to the table) may fire first; that refusal counts too."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return all(
        isinstance(fields[name], PositiveIntegerRelDbTypeMixin) and value < 0 and fields[name].column in message
        for name, value in changes.items()
    )


def test_every_constraint_is_covered():
    names = [c.name for _, c in all_check_constraints()]
    assert len(names) == len(set(names)) > 70


# Correct to the cent, yet neither sum is exact in binary floating point, where
# SQLite evaluates the rules (0.10 + 0.20 != 0.30, 0.30 - 0.10 != 0.20).
PAYROLL_ROWS_INEXACT_IN_FLOATS = [
    {"regular_pay": "0.10", "overtime_pay": "0.20", "bonuses": "0.00", "gross_pay": "0.30",
     "deductions": "0.10", "net_pay": "0.20"},
    {"regular_pay": "12345678.10", "overtime_pay": "0.20", "bonuses": "0.00", "gross_pay": "12345678.30",
     "deductions": "0.10", "net_pay": "12345678.20"},
    {"regular_pay": "1834.55", "overtime_pay": "91.73", "bonuses": "0.10", "gross_pay": "1926.38",
     "deductions": "385.28", "net_pay": "1541.10"},
]
CENT = Decimal("0.01")


def payroll_amounts(row):
    return {name: Decimal(value) for name, value in row.items()}


def off_by_a_cent(row, rule, sign):
    """`row` with one total off by exactly one cent, breaking only `rule`: a
    wrong gross keeps net = gross - deductions, a wrong net is wrong alone."""
    amounts = payroll_amounts(row)
    if rule == "staffpayroll_gross_is_sum":
        amounts["gross_pay"] += sign * CENT
    amounts["net_pay"] += sign * CENT
    return amounts


@pytest.mark.parametrize("row", PAYROLL_ROWS_INEXACT_IN_FLOATS, ids=lambda row: row["gross_pay"])
def test_payroll_arithmetic_rules_accept_a_correct_row(row):
    """A payroll row whose totals are exactly right in cents is accepted, by the
    database and by the Python-side check (CSV import, admin) alike."""
    build_dataset()
    amounts = payroll_amounts(row)
    StaffPayroll.objects.filter(pk="PRL000002").update(**amounts)
    stored = StaffPayroll.objects.get(pk="PRL000002")
    assert (stored.gross_pay, stored.net_pay) == (amounts["gross_pay"], amounts["net_pay"])
    assert csvio.constraint_row_errors(stored) == []


@pytest.mark.parametrize("sign", [1, -1], ids=["over", "under"])
@pytest.mark.parametrize("rule", sorted(PAYROLL_TOTALS_RULES))
@pytest.mark.parametrize("row", PAYROLL_ROWS_INEXACT_IN_FLOATS, ids=lambda row: row["gross_pay"])
def test_payroll_arithmetic_rules_refuse_a_row_off_by_one_cent(row, rule, sign):
    build_dataset()
    amounts = off_by_a_cent(row, rule, sign)
    unsaved = StaffPayroll.objects.get(pk="PRL000002")
    for name, value in amounts.items():
        setattr(unsaved, name, value)
    assert [reason for _, reason in csvio.constraint_row_errors(unsaved)] == [f"breaks the rule {rule}"]
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        StaffPayroll.objects.filter(pk="PRL000002").update(**amounts)
    assert rule[:PG_MAX_IDENTIFIER] in str(refused.value)
