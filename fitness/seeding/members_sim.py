"""Members' lives: personas, membership periods, renewals, suspensions,
cancellations, and the payments they make.

Each member carries one current period. On the day after it ends the member
renews (per persona, plan length and autorenew), pauses (a Suspended period),
cancels (a Cancelled period ending early) or leaves. Periods are written once
they are superseded (or at the end of the run, with their status on the
as-of date); payments are written on their dates.

Every period pays its dues, the history before the window included (rule M5):
one 'Monthly Dues' payment per billing month, billed by `bill` whether the day
is simulated (the window) or replayed (history): a few fail and are paid on a
retry within a week, some are never paid and end the membership. A refund
keeps the payment's row (its billing date and amount) and marks it 'Refunded'
(the money went back, the month stays billed); only payments made on their
billing day are ever refunded, never a retry.
"""
import datetime as dt
import functools
import zlib
from decimal import Decimal

from fitness.core import catalog
from fitness.core.business import add_months, first_period_start, next_period_start, period_status_on
from fitness.core.drawing import WeightedTable, draw_poisson, rand_int, weighted
from members.factories import adult_plan_for, age_on, plan_fits_age

from .patterns import TAPER_DAYS, TAPER_GRACE_DAYS, draw_visit_habits

# How members leave, tuned on ten years of history with its dues (realism R7 attrition, R8 12-month retention,
# R9 early churn): a hazard that falls little with tenure, as IHRSA's figures (67% still paying after 12 months,
# ~40% a year dropped) imply, lapsing members leaving three times as fast as regulars, cancellations crowded
# into the first six months, and half of those whose contract ends signing no other. (R8 probes the day a year
# after joining, which is the day between an annual member's two contracts: the first-year losses of monthly
# members are kept low enough for the cohort to clear 55% all the same.)
# Chance of not renewing per month of membership, by persona.
MONTHLY_LEAVE = {"regular": 0.011, "casual": 0.016, "lapsing": 0.03}
SUSPEND_SHARE, CANCEL_SHARE = 0.01, 0.002
# New members cancel more often: about half of all cancellations come in a member's first six months (R9).
EARLY_CANCEL_FACTOR, EARLY_DAYS = 3.5, 183
RESUME_AFTER_SUSPENSION = 0.8
CONTRACT_END_LEAVE = 0.5  # of members whose contract (a plan of several months) ends, those who sign no other
FAILED_PAYMENT_SHARE = 0.025  # of dues (realism R17: 1%-8%)
UNRECOVERED_SHARE = 0.15  # of failed dues, those never paid (realism R29: 10%-40%) ...
EARLY_UNRECOVERED_FACTOR = 2.0  # ... more often in a member's first six months
RETRY_WITHIN_DAYS = 7  # a failed payment is retried 1-7 days later (rule M5 allows 10)
# The odd refund: completed dues and registration payments later refunded (a charge after cancelling, a
# goodwill gesture), within a month; one not yet refunded on the as-of date stays Completed.
REFUND_SHARE, REFUND_WITHIN_DAYS = 0.005, 30
PAYMENT_METHODS = (("Credit Card", 70), ("Bank Transfer", 25), ("Cash", 5))
PLAN_BY_ID = {plan.membership_type_id: plan for plan in catalog.MEMBERSHIP_PLANS}
# A profile's members are those who joined in the RECENT_JOIN_YEARS before the window (master.build_members; the
# years before add those who joined earlier, most of them gone since): about two in three of them hold a period
# on a given day.
RECENT_JOIN_YEARS = 4
# New members per profile member per day, on average over the year: as many as the growing chain's last year
# before the window signed up (about 0.3 of the profile's members a year), so joins go on at the window's start.
DAILY_JOIN_RATE = 0.0009
# Joins by month, relative: January's resolutions (realism R14: 1.3-2.2x the average month), a spring and a
# September bump, a summer lull and a quiet December.
JOIN_MONTH_WEIGHTS = (1.6, 1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.85, 1.1, 1.0, 0.8, 0.6)
# Joins by weekday (Monday first): the week's resolve on Monday, few sign-ups at the weekend's end.
JOIN_WEEKDAY_WEIGHTS = (1.3, 1.15, 1.05, 1.0, 0.8, 0.85, 0.6)
JOIN_DAY_SPREAD = 16  # gamma shape of a day's own draw (promotions, weather): a coefficient of variation of 1/4


def join_day_weight(day: dt.date) -> float:
    """How many joins `day` draws relative to an average day of the year (month and weekday, mean 1)."""
    month = JOIN_MONTH_WEIGHTS[day.month - 1] * 12 / sum(JOIN_MONTH_WEIGHTS)
    weekday = JOIN_WEEKDAY_WEIGHTS[day.weekday()] * 7 / sum(JOIN_WEEKDAY_WEIGHTS)
    return month * weekday


def daily_joins(rng, members: int, day: dt.date) -> int:
    """The day's sign-ups: Poisson around a mean that follows the month and weekday, times a day's own
    gamma-drawn factor, so daily joins vary as a club's do (realism R27: coefficient of variation >= 0.3)."""
    mean = members * DAILY_JOIN_RATE * join_day_weight(day)
    return draw_poisson(rng, mean * rng.gammavariate(JOIN_DAY_SPREAD, 1 / JOIN_DAY_SPREAD))


class MemberSim:
    """The simulation's view of one member (dates as ordinals)."""

    __slots__ = ("id", "persona", "home", "join", "method", "autorenew", "plan", "period_id", "start", "end",
                 "status", "written", "stopped", "last_status", "first_period", "visit_rate", "roam",
                 "born", "status_draw", "taper_from", "walks_away_on")

    def __init__(self, member_id, persona, home, join, method, autorenew, plan):
        self.id, self.persona, self.home, self.join = member_id, persona, home, join
        self.method, self.autorenew, self.plan = method, autorenew, plan
        self.period_id = None
        self.start = self.end = 0
        self.status = None
        self.written = False  # the current period row is already in the database (append)
        self.stopped = False
        self.last_status = None
        self.first_period = True
        # How often they come (visits per week) and which clubs besides home they use: new_member_sim draws
        # them (patterns.draw_visit_habits); the visit stream reads them.
        self.visit_rate, self.roam = 1.0, 0.0
        self.born = None  # birth date (ordinal): a renewal moves a member who outgrew an age-limited plan (M8)
        # The draw that decides the next period's status, made when the current one begins, so that a member
        # who will cancel comes less in the weeks before (from `taper_from`, an ordinal; realism R11).
        self.status_draw = None
        self.taper_from = None
        self.walks_away_on = None  # the billing day (ordinal) whose dues will fail for good, when foreseen

    def state_row(self):
        """Every slot's value, in `__slots__` order (snapshot.py stores them under their names)."""
        return [getattr(self, name) for name in self.__slots__]

    @classmethod
    def from_state_row(cls, values):
        member = cls.__new__(cls)
        for name, value in zip(cls.__slots__, values, strict=True):
            setattr(member, name, value)
        return member


# How likely a member is to leave (MONTHLY_LEAVE) and, through it, how often they come (patterns.VISIT_HABITS).
PERSONAS = weighted(("regular", 60), ("casual", 25), ("lapsing", 15))
# About 43% of club members take group exercise (IHRSA; realism R10 counts the active members with a class in
# 90 days). Those who would (55% here) include sleepers who hardly come, so about 43% of the members who do come
# book classes; the rest never book one.
GROUP_EXERCISE_PER_MILLE = 550


def takes_classes(member_id: str) -> bool:
    """Whether the member books classes: a fixed property of the member, the same in every run and process
    (a checksum of the id, not Python's per-process string hash)."""
    return zlib.crc32(member_id.encode()) % 1000 < GROUP_EXERCISE_PER_MILLE
PAYMENT_METHOD_TABLE = WeightedTable(PAYMENT_METHODS)


def new_member_sim(planned, rng):
    """The simulation's member for a planned one (master.PlannedMember): its home facility, birth date and
    first plan as planned (so the member's row agrees), the rest drawn here."""
    member = MemberSim(
        planned.member_id, PERSONAS.draw(rng), planned.home, planned.join_date.toordinal(),
        PAYMENT_METHOD_TABLE.draw(rng), rng.random() < 0.7, planned.plan,
    )
    member.born = planned.birth_date.toordinal() if planned.birth_date is not None else None
    member.visit_rate, member.roam = draw_visit_habits(member.persona, rng)
    return member


def fit_plan_to_age(member, start: dt.date):
    """The member's plan for a period starting on `start`: theirs, unless it is age-limited and they have
    outgrown it (a student turning 26 renews on the adult plan of the same length, rule M8)."""
    plan = PLAN_BY_ID[member.plan]
    if plan.age_range is not None and member.born is not None:
        if not plan_fits_age(plan, age_on(dt.date.fromordinal(member.born), start)):
            plan = adult_plan_for(plan)
            member.plan = plan.membership_type_id
    return plan


@functools.lru_cache(maxsize=None)
def next_billing_day(member, day: dt.date) -> int:
    """The member's billing day after `day` (ordinal): a month on inside the current period, else the day the
    next period would start."""
    following = add_months(day, 1).toordinal()
    return following if following < member.end else next_period_start(dt.date.fromordinal(member.end)).toordinal()


def drawn_status(member, start: dt.date, draw: float) -> str:
    """The status of a period starting on `start` that a uniform `draw` gives: mostly Active, now and then
    Suspended or Cancelled (new members cancel more often, EARLY_CANCEL_FACTOR)."""
    cancel_share = CANCEL_SHARE * (EARLY_CANCEL_FACTOR if start.toordinal() - member.join < EARLY_DAYS else 1)
    return "Suspended" if draw < SUSPEND_SHARE else "Cancelled" if draw < SUSPEND_SHARE + cancel_share else "Active"


def money(value: Decimal) -> str:
    """The amount as loaded (two decimals); cached, as a chain bills a handful of fees millions of times."""
    return f"{value:.2f}"


@functools.lru_cache(maxsize=None)
def date_text(ordinal: int) -> str:
    """The day as loaded (ISO), one string per day shared by every row of it: a chain's ten years of history
    hold millions of rows in memory until the loader takes them."""
    return dt.date.fromordinal(ordinal).isoformat()


def billing_days(start: int, months: int, before: int):
    """A period's billing days (dates): `start` + k months for k < `months` (its length), before `before`."""
    if start >= before:
        return
    first = dt.date.fromordinal(start)
    yield first
    for k in range(1, months):
        day = add_months(first, k)
        if day.toordinal() >= before:
            return
        yield day


class MembershipStream:
    """Writes membermemberships and memberpayments; answers who may visit today."""

    def __init__(self, counters, rng, window_start: dt.date, as_of: dt.date, sink):
        self.counters, self.rng, self.sink = counters, rng, sink
        self.window_start, self.as_of = window_start.toordinal(), as_of.toordinal()
        self.as_of_date = as_of
        self.starts = {}  # ordinal -> members whose next period starts that day
        self.bills = {}  # ordinal -> [(member, amount)]
        # (new status, new enddate, membership id) for period rows an earlier run wrote (engine applies them)
        self.status_updates = []
        self.tapering = []  # members who began tapering off since the visit stream last looked (foresee_cancellation)

    # -- periods ---------------------------------------------------------------------------------
    def begin_period(self, member, start: dt.date, status=None, schedule=True):
        rng = self.rng
        plan = fit_plan_to_age(member, start)
        if status is None:
            draw = rng.random() if member.status_draw is None else member.status_draw
            status = drawn_status(member, start, draw)
        end = add_months(start, plan.duration_months)
        if status == "Cancelled":  # cancelled within three weeks of the period starting
            end = min(end, start + dt.timedelta(days=rng.randint(1, 20)))
        member.period_id = self.counters.next("membermemberships")
        member.start, member.end, member.status, member.written = start.toordinal(), end.toordinal(), status, False
        if member.first_period:
            member.first_period = False
            if plan.registration_fee > 0:
                self.pay(member, start, plan.registration_fee, "Registration", refundable=True)
        if member.start < self.window_start:
            self.bill_history(member)
        self.schedule_bills(member, self.window_start, self.as_of)
        following = next_period_start(end)
        self.foresee_cancellation(member, following)
        if schedule:
            self.starts.setdefault(following.toordinal(), []).append(member)

    def foresee_cancellation(self, member, following: dt.date):
        """Draw now what the next period's status will be (should the member renew); a member who will cancel
        starts coming less TAPER_DAYS before it, and is listed in `tapering` for the visit stream."""
        member.status_draw = self.rng.random()
        if drawn_status(member, following, member.status_draw) == "Cancelled":
            self.taper(member, following.toordinal())

    def schedule_bills(self, member, first: int, last: int):
        """Dues on each billing month of the current period that falls in [first, last), billed on the day."""
        if member.end <= first or member.start >= last:  # history outside the window: billed already
            return
        plan = PLAN_BY_ID[member.plan]
        for day in billing_days(member.start, plan.duration_months, min(member.end, last)):
            ordinal = day.toordinal()
            if ordinal >= first:
                self.bills.setdefault(ordinal, []).append((member, plan.monthly_fee))

    def bill_history(self, member):
        """Dues of the current period's billing months before the window, billed now, in order, as the window
        bills its own (`bill`): a failure never paid cancels the period, and `bill` skips the months after."""
        plan = PLAN_BY_ID[member.plan]
        for day in billing_days(member.start, plan.duration_months, min(member.end, self.window_start)):
            self.bill(member, day, plan.monthly_fee)

    def close_period(self, member):
        """Write the current period (it ended before today, so before as-of)."""
        status = period_status_on(member.status, dt.date.fromordinal(member.end), self.as_of_date)
        if member.written:
            if status != member.status:
                self.status_updates.append(self.period_update(member, status))
        else:
            self.sink.add("membermemberships", self.period_row(member, status))
        member.last_status = member.status

    @staticmethod
    def period_update(member, status):
        return status, date_text(member.end), member.period_id

    def period_row(self, member, status):
        return (
            member.period_id, member.id, member.plan, date_text(member.start), date_text(member.end), status,
            "1" if member.autorenew else "0",
        )

    def decide_next(self, member) -> str | None:
        """The status of the member's next period, or None when they leave."""
        rng = self.rng
        if member.status == "Cancelled":
            return None
        if member.status == "Suspended":
            return "Active" if rng.random() < RESUME_AFTER_SUSPENSION else None
        months = PLAN_BY_ID[member.plan].duration_months
        leave = 1 - (1 - MONTHLY_LEAVE[member.persona] * (0.6 if member.autorenew else 1.6)) ** months
        if months > 1:  # the end of a contract is when many decide not to sign another
            leave += (1 - leave) * CONTRACT_END_LEAVE
        if rng.random() < leave:
            return None
        return ""  # "" = draw the usual Active/Suspended/Cancelled split

    def advance(self, member, day: dt.date, schedule=True):
        """The member's current period ended; renew, pause, cancel or leave as of `day`."""
        next_status = self.decide_next(member)
        self.close_period(member)
        if next_status is None:
            member.stopped = True
            return
        self.begin_period(member, day, next_status or None, schedule)

    # -- history before the window ---------------------------------------------------------------
    def history(self, member):
        """Periods from joining up to the one running on the first window day, each with its registration and
        dues before the window (`begin_period` bills them as it starts the period)."""
        start = first_period_start(dt.date.fromordinal(member.join))
        if start.toordinal() >= self.window_start:
            self.starts.setdefault(start.toordinal(), []).append(member)
            return
        self.begin_period(member, start, schedule=False)
        while not member.stopped:
            following = next_period_start(dt.date.fromordinal(member.end))
            if following.toordinal() >= self.window_start:
                self.starts.setdefault(following.toordinal(), []).append(member)
                return
            self.advance(member, following, schedule=False)

    # -- one day ---------------------------------------------------------------------------------
    def simulate_day(self, day: dt.date):
        ordinal = day.toordinal()
        for member in self.starts.pop(ordinal, ()):
            if member.period_id is None:
                self.begin_period(member, day)
            else:
                self.advance(member, day)
        for member, amount in self.bills.pop(ordinal, ()):
            self.bill(member, day, amount)

    def bill(self, member, day, amount):
        """This month's dues: paid (and, rarely, refunded later), paid on a retry within a week, or failed for
        good, which cancels the period within 10 days (rule M5 (c), realism R29). A failure whose retry would
        fall on or after as-of is not drawn: the run could not tell how it ends."""
        ordinal = day.toordinal()
        if ordinal >= member.end:  # the period was cancelled after an earlier failure: no more dues
            return
        rng = self.rng
        walks_away = member.walks_away_on == ordinal
        self.foresee_walking_away(member, next_billing_day(member, day))
        if walks_away or rng.random() < FAILED_PAYMENT_SHARE * (1 - UNRECOVERED_SHARE):
            retry = ordinal + rand_int(rng, 1, RETRY_WITHIN_DAYS)
            if retry < self.as_of:
                self.pay(member, day, amount, "Monthly Dues", "Failed")
                if walks_away:
                    self.cancel_unpaid(member, ordinal)
                else:
                    self.pay(member, dt.date.fromordinal(retry), amount, "Monthly Dues")
                return
        self.pay(member, day, amount, "Monthly Dues", refundable=True)

    def foresee_walking_away(self, member, next_bill: int):
        """Draw now whether the member's dues a month on fail for good: they have stopped coming by then (from
        TAPER_DAYS before, realism R11) and the club gives up on them (R29). A new member whose card fails
        often just walks away; a settled one sorts it out (R9)."""
        early = next_bill - member.join < EARLY_DAYS
        unpaid = FAILED_PAYMENT_SHARE * UNRECOVERED_SHARE * (EARLY_UNRECOVERED_FACTOR if early else 1)
        if self.rng.random() < unpaid:
            member.walks_away_on = next_bill
            self.taper(member, next_bill)
        else:
            member.walks_away_on = None

    def taper(self, member, leaving: int):
        """The member comes less from TAPER_DAYS before `leaving` on (listed in `tapering` for the visit
        stream when that falls after the window's start)."""
        start = leaving - TAPER_DAYS
        earlier = member.taper_from
        if earlier is None or start < earlier or earlier + TAPER_DAYS + TAPER_GRACE_DAYS < start:
            member.taper_from = start
        if leaving > self.window_start:
            self.tapering.append(member)

    def cancel_unpaid(self, member, failed_on: int):
        """The club gives up on the dues: the period is cancelled, ending 1-10 days after the failure (never
        before it starts nor after it would have ended). The member leaves when it ends (decide_next)."""
        end = max(member.start + 1, failed_on + self.rng.randint(1, 10))
        if end < member.end:
            member.end = end
        member.status = "Cancelled"
        if member.written:  # a row an earlier run wrote, as it stood then
            self.status_updates.append(self.period_update(member, "Cancelled"))

    def pay(self, member, day, amount, payment_type, status="Completed", refundable=False):
        """Write a payment. A `refundable` one (Completed on its billing day) is refunded now and then: its row
        keeps date and amount, status 'Refunded', once the refund (1-30 days later) falls before as-of."""
        if refundable and self.rng.random() < REFUND_SHARE:
            if day.toordinal() + rand_int(self.rng, 1, REFUND_WITHIN_DAYS) < self.as_of:
                status = "Refunded"
        self.sink.add("memberpayments", (
            self.counters.next("memberpayments"), member.id, date_text(day.toordinal()), money(amount), payment_type,
            member.method, status,
        ))

    # -- end of the run --------------------------------------------------------------------------
    def finish(self, members):
        """Write every running period with its as-of status; return {member id: memberstatus}."""
        statuses = {}
        for member in members:
            if member.period_id is None:  # joined, first period not started yet
                statuses[member.id] = "Expired"
                continue
            if not member.stopped:
                status = period_status_on(member.status, dt.date.fromordinal(member.end), self.as_of_date)
                if member.written:
                    if status != member.status:
                        self.status_updates.append(self.period_update(member, status))
                else:
                    self.sink.add("membermemberships", self.period_row(member, status))
                member.written, member.status = True, status
                covers = member.start <= self.as_of < member.end
                statuses[member.id] = status if covers else ("Cancelled" if status == "Cancelled" else "Expired")
            else:
                statuses[member.id] = "Cancelled" if member.last_status == "Cancelled" else "Expired"
        return statuses


def eligible_indexes(members, ordinal) -> list[int]:
    """Positions in `members` of those who may visit on the day (V1): an Active period covers it (its end day
    left out, see rules.py). One comprehension, as it runs for every member every day."""
    return [index for index, m in enumerate(members)
            if m.status == "Active" and m.start <= ordinal < m.end and not m.stopped]
