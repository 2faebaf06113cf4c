"""Member and membership rules M1-M8.

Conventions shared with the seeder (ods-rules.md leaves them open, these
checks pin them down):
- A membership period covers the days startdate <= d < enddate (half-open:
  enddate is the first day not covered, so a renewal starts on the previous
  period's enddate).
- Month arithmetic is calendar months clamped to the month end
  (2024-01-31 + 1 month = 2024-02-29), as dateutil.relativedelta does.
"""
from django.db import connection

from fitness.core.business import LAST_START_DAY
from fitness.core.catalog import MEMBERSHIP_PLANS

from ..registry import SAMPLE_SIZE, Outcome, offenders, rule
from .reference import literal

RETRY_DAYS = 10


def eligible_periods_by_member(ctx):
    """FROM-clause subquery (memberid, periods): each member's membership periods
    that make a day eligible (status not 'Suspended'), as one value for
    `dialect.periods_contain(periods, day)`, true exactly when some such period
    has startdate <= day < enddate. Periods with enddate <= startdate contain no
    day and are left out."""
    d = ctx.dialect
    return f"""(SELECT memberid, {d.periods_agg('startdate', 'enddate')} AS periods FROM membermemberships
        WHERE status <> 'Suspended' AND startdate < enddate GROUP BY memberid)"""


@rule("M1", "members", """A member is at least 16 on joindate (dateofbirth + 16 years <= joindate,
calendar years clamped at month end) and joindate <= as-of.""")
def check_member_age(ctx):
    d = ctx.dialect
    return offenders(ctx, f"""
        SELECT memberid AS offender FROM members
        WHERE joindate > {d.date_param('as_of')} OR {d.add_months('dateofbirth', '192')} > joindate""")


@rule("M2", "membermemberships", """Membership periods of one member never overlap: periods are half-open
[startdate, enddate), so a period may start on the previous period's enddate but not before it;
enddate >= startdate; no period starts before the member's joindate. Offender: the later period.""")
def check_membership_periods(ctx):
    return offenders(ctx, """
        SELECT membershipid AS offender FROM (
            SELECT membershipid, startdate, enddate,
                   MAX(enddate) OVER (PARTITION BY memberid ORDER BY startdate, membershipid
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
            FROM membermemberships) AS ordered
        WHERE previous_end > startdate OR enddate < startdate
        UNION ALL
        SELECT mm.membershipid FROM membermemberships mm JOIN members m ON m.memberid = mm.memberid
        WHERE mm.startdate < m.joindate""")


@rule("M3", "membermemberships", """enddate = startdate + the type's duration months (calendar months,
clamped at month end); a Cancelled period may end earlier (enddate <= that date), never later.""")
def check_membership_length(ctx):
    full_end = ctx.dialect.add_months("mm.startdate", "t.duration")
    return offenders(ctx, f"""
        SELECT mm.membershipid AS offender FROM membermemberships mm
        JOIN membershiptypes t ON t.membershiptypeid = mm.membershiptypeid
        WHERE (mm.status <> 'Cancelled' AND mm.enddate <> {full_end})
           OR (mm.status = 'Cancelled' AND mm.enddate > {full_end})""")


@rule("M4", "members", """members.memberstatus is 'Active' exactly when the member has a membership period
with status 'Active' covering the as-of date (startdate <= as-of < enddate); otherwise it is one of
Suspended/Cancelled/Expired. Offender: the member.""")
def check_member_status(ctx):
    as_of = ctx.dialect.date_param("as_of")
    return offenders(ctx, f"""
        SELECT m.memberid AS offender FROM members m
        LEFT JOIN (SELECT DISTINCT memberid FROM membermemberships
                   WHERE status = 'Active' AND startdate <= {as_of} AND {as_of} < enddate) AS covering
               ON covering.memberid = m.memberid
        WHERE (m.memberstatus = 'Active' AND covering.memberid IS NULL)
           OR (m.memberstatus <> 'Active' AND covering.memberid IS NOT NULL)""")


def _first_periods():
    """CTE `firsts`: each member's first period (earliest startdate, then lowest id) with its type's fees."""
    return """firsts AS MATERIALIZED (SELECT * FROM (
        SELECT mm.membershipid, mm.memberid, mm.startdate, t.registrationfee,
               ROW_NUMBER() OVER (PARTITION BY mm.memberid
                                  ORDER BY mm.startdate, mm.membershipid) AS n
        FROM membermemberships mm JOIN membershiptypes t ON t.membershiptypeid = mm.membershiptypeid) AS ranked
        WHERE n = 1)"""


MONTHS_CTE = """WITH RECURSIVE months(k) AS (
    SELECT 0 UNION ALL SELECT k + 1 FROM months WHERE k + 1 < (SELECT MAX(duration) FROM membershiptypes))"""

DUES = "'Monthly Dues'"


def _billing_dates(ctx):
    """CTE `bills`: one row per billing date of every period before the window end, history included:
    startdate + k months for k = 0 .. duration-1, before the period's enddate, for types with
    monthlyfee > 0. Follows MONTHS_CTE; computed once however often the statement reads it."""
    d = ctx.dialect
    bill = d.add_months("mm.startdate", "months.k")
    return f""", bills AS MATERIALIZED (SELECT * FROM (
        SELECT mm.membershipid, mm.memberid, t.monthlyfee, mm.enddate, {bill} AS billdate
        FROM membermemberships mm
        JOIN membershiptypes t ON t.membershiptypeid = mm.membershiptypeid
        JOIN months ON months.k < t.duration
        WHERE t.monthlyfee > 0 AND mm.startdate < {d.date_param('window_end')}) AS all_bills
        WHERE billdate < enddate AND billdate < {d.date_param('window_end')})"""


def _is_retry(ctx, alias):
    """SQL condition: payment `alias` is a Completed retry of a Failed payment of the same
    member, type and amount made 1-10 days earlier."""
    earliest = ctx.dialect.add_days(f"{alias}.paymentdate", f"-{RETRY_DAYS}")
    return f"""({alias}.status = 'Completed' AND EXISTS (
        SELECT 1 FROM memberpayments failed WHERE failed.memberid = {alias}.memberid
          AND failed.paymenttype = {alias}.paymenttype AND failed.amount = {alias}.amount
          AND failed.status = 'Failed' AND failed.paymentdate < {alias}.paymentdate
          AND failed.paymentdate >= {earliest}))"""


def _label(text):
    return f"CAST('{text}' AS VARCHAR(40))"


def labelled_offenders(ctx, sql):
    """Run a statement selecting (label, offender) pairs, for a check whose parts share one pass over large
    tables: [(label, Outcome)], each label's distinct offenders counted and up to SAMPLE_SIZE of them, as one
    `offenders` query per label would give."""
    wrapped = f"""
        SELECT label, offender, total FROM (
            SELECT label, offender, COUNT(*) OVER (PARTITION BY label) AS total,
                   ROW_NUMBER() OVER (PARTITION BY label ORDER BY offender) AS n
            FROM (SELECT DISTINCT label, offender FROM ({sql}) AS found WHERE offender IS NOT NULL) AS distinct_found
        ) AS ranked WHERE n <= {SAMPLE_SIZE} ORDER BY label, offender"""
    with connection.cursor() as cursor:
        cursor.execute(wrapped, ctx.params)
        rows = cursor.fetchall()
    parts = []
    for label in dict.fromkeys(row[0] for row in rows):
        found = [(str(offender), int(total)) for row_label, offender, total in rows if row_label == label]
        parts.append((label, Outcome(found[0][1], [key for key, _ in found])))
    return parts


@rule("M5", "memberpayments", """Payments follow the memberships, over the whole history before the window end
(not only inside the window). A payment's status does not change what is due: a 'Refunded' payment
stays the payment of its date (the money went back; the month was billed). (a) Registration: for a
member whose first period (earliest startdate) starts before the window end and whose type has
registrationfee > 0, a 'Registration' payment of exactly that fee dated on that startdate (offender:
the period); every Registration payment before the window end is such a payment or a retry
(offender: the payment). (b) Dues: billing dates of a period are startdate + k months
(k = 0 .. duration-1) before its enddate; for every billing date before the window end of a type
with monthlyfee > 0 there is exactly one 'Monthly Dues' payment of that member dated on it
(offender: the period when missing, the payments when several), for exactly monthlyfee; every
Monthly Dues payment before the window end is on a billing date of the member's period or is a retry
(offender: the payment). (c) Retries: a retry is a 'Completed' payment of the same member, type and
amount dated 1-10 days after a 'Failed' one; every Failed payment before the window end dated more
than 10 days before as-of is followed by such a retry or by a 'Cancelled' membership period of the
member ending 0-10 days after it (offender: the failed payment).""")
def check_payment_schedule(ctx):
    # Three statements, each one pass over what it reads (millions of periods and payments on a chain's ten
    # years): registration (the first periods computed once), dues (the billing dates computed once and met
    # by the dues payments in one join, which finds bills without a payment, payments of the wrong amount and
    # several payments on one bill; then the payments without a bill, left for the retry test in a closed
    # subquery, so that PostgreSQL does not probe for a failed payment behind each of millions of dues
    # first), failed payments.
    d = ctx.dialect
    window_end = d.date_param("window_end")
    registration = f"""WITH {_first_periods()}
        SELECT {_label('registration missing')} AS label, f.membershipid AS offender FROM firsts AS f
        WHERE f.registrationfee > 0 AND f.startdate < {window_end}
          AND NOT EXISTS (SELECT 1 FROM memberpayments p WHERE p.memberid = f.memberid
              AND p.paymenttype = 'Registration' AND p.paymentdate = f.startdate
              AND p.amount = f.registrationfee)
        UNION ALL
        SELECT {_label('registration unexpected')}, p.paymentid FROM (
            SELECT p.* FROM memberpayments p
            LEFT JOIN firsts AS f ON f.memberid = p.memberid AND f.startdate = p.paymentdate
                 AND f.registrationfee = p.amount AND f.registrationfee > 0
            WHERE p.paymenttype = 'Registration' AND p.paymentdate < {window_end}
              AND f.memberid IS NULL{d.computed_once()}) AS p
        WHERE NOT {_is_retry(ctx, 'p')}"""
    dues = f"""{MONTHS_CTE}{_billing_dates(ctx)},
        paid AS (
            SELECT b.membershipid, b.monthlyfee, p.paymentid, p.amount,
                   COUNT(p.paymentid) OVER (PARTITION BY b.memberid, b.billdate) AS payments
            FROM bills AS b LEFT JOIN memberpayments p ON p.memberid = b.memberid AND p.paymentdate = b.billdate
                 AND p.paymenttype = {DUES})
        SELECT CASE WHEN paymentid IS NULL THEN {_label('dues missing')}
                    ELSE {_label('dues wrong amount or duplicated')} END AS label,
               CASE WHEN paymentid IS NULL THEN membershipid ELSE paymentid END AS offender
        FROM paid WHERE paymentid IS NULL OR amount <> monthlyfee OR payments > 1
        UNION ALL
        SELECT {_label('dues unexpected')}, p.paymentid FROM (
            SELECT p.* FROM memberpayments p
            WHERE p.paymenttype = {DUES} AND p.paymentdate < {window_end} AND NOT EXISTS (
                SELECT 1 FROM bills AS b WHERE b.memberid = p.memberid AND b.billdate = p.paymentdate)
            {d.computed_once()}) AS p
        WHERE NOT {_is_retry(ctx, 'p')}"""
    retry_end = d.add_days("p.paymentdate", str(RETRY_DAYS))
    failed = f"""
        SELECT p.paymentid AS offender FROM memberpayments p
        WHERE p.status = 'Failed' AND p.paymentdate < {window_end} AND {retry_end} < {d.date_param('as_of')}
          AND NOT EXISTS (SELECT 1 FROM memberpayments r WHERE r.memberid = p.memberid
              AND r.paymenttype = p.paymenttype AND r.amount = p.amount AND r.status = 'Completed'
              AND r.paymentdate > p.paymentdate AND r.paymentdate <= {retry_end})
          AND NOT EXISTS (SELECT 1 FROM membermemberships c WHERE c.memberid = p.memberid
              AND c.status = 'Cancelled' AND c.enddate >= p.paymentdate AND c.enddate <= {retry_end})"""
    outcome = Outcome()
    for sql in (registration, dues):
        for label, part in labelled_offenders(ctx, sql):
            outcome.merge(part, label=label)
    return outcome.merge(offenders(ctx, failed), label="failed not retried")


@rule("M6", "memberpayments", """Payment amounts are > 0 and no payment is dated before the member's joindate.""")
def check_payment_amounts(ctx):
    return offenders(ctx, """
        SELECT p.paymentid AS offender FROM memberpayments p JOIN members m ON m.memberid = p.memberid
        WHERE p.amount <= 0 OR p.paymentdate < m.joindate""")


def first_period_start(ctx, join_date):
    """SQL date: the first day a period may start for a member who joined on `join_date`
    (fitness.core.business.first_period_start): that day, or the 1st of the next month
    when it falls after the last billing start day of a month."""
    d = ctx.dialect
    day_of_month = f"({d.date_key(join_date)} %% 100)"
    first_of_next_month = d.add_months(d.add_days(join_date, f"1 - {day_of_month}"), "1")
    return f"(CASE WHEN {day_of_month} > {LAST_START_DAY} THEN {first_of_next_month} ELSE {join_date} END)"


@rule("M7", "members", f"""Every member who joined has a first membership period: a period starting on
the first day the plans allow after joining (joindate, or the 1st of the next month when joindate falls
after day {LAST_START_DAY}, as the seeder does), required whenever that day is on or before as-of; and no
member is 'Expired' without ever having held a period. Offender: the member.""")
def check_first_period(ctx):
    d = ctx.dialect
    first_start = first_period_start(ctx, "m.joindate")
    return offenders(ctx, f"""
        SELECT m.memberid AS offender FROM members m
        WHERE m.joindate <= {d.date_param('as_of')} AND {first_start} <= {d.date_param('as_of')}
          AND NOT EXISTS (SELECT 1 FROM membermemberships mm
                          WHERE mm.memberid = m.memberid AND mm.startdate = {first_start})
        UNION ALL
        SELECT m.memberid FROM members m
        WHERE m.memberstatus = 'Expired'
          AND NOT EXISTS (SELECT 1 FROM membermemberships mm WHERE mm.memberid = m.memberid)""")


AGE_LIMITED_PLANS = [plan for plan in MEMBERSHIP_PLANS if plan.age_range is not None]


def describe_age_range(age_range):
    low, high = age_range
    if high is None:
        return f"{low} and over"
    return f"{low}-{high}" if low is not None else f"up to {high}"


def outside_age_range(ctx, age_range, birth_date, on_date):
    """SQL condition: a person born on `birth_date` is not of an age in `age_range`
    (whole years, both ends inclusive) on `on_date`. Birthdays follow M1's calendar
    (years clamped at month end: born Feb 29, a year older on Feb 28)."""
    d = ctx.dialect
    low, high = age_range
    too_young = f"{d.add_months(birth_date, str(12 * low))} > {on_date}" if low is not None else "1 = 0"
    too_old = f"{d.add_months(birth_date, str(12 * (high + 1)))} <= {on_date}" if high is not None else "1 = 0"
    return f"({too_young} OR {too_old})"


@rule("M8", "membermemberships", "Age-limited plans only for members of that age on the period's startdate "
      "(whole years, from dateofbirth): " + "; ".join(
          f"{plan.membership_type_id} {plan.type_name} {describe_age_range(plan.age_range)}"
          for plan in AGE_LIMITED_PLANS) + " (fitness.core.catalog). Offender: the period.")
def check_plan_fits_age(ctx):
    limits = " OR ".join(
        f"(mm.membershiptypeid = {literal(plan.membership_type_id)} "
        f"AND {outside_age_range(ctx, plan.age_range, 'm.dateofbirth', 'mm.startdate')})"
        for plan in AGE_LIMITED_PLANS) or "1 = 0"
    return offenders(ctx, f"""
        SELECT mm.membershipid AS offender FROM membermemberships mm
        JOIN members m ON m.memberid = mm.memberid
        WHERE {limits}""")
