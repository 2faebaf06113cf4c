"""Where the chain and its members are: rules S9 (the chain's region, addresses, phone numbers)
and M9 (members near their home facility).

The geography (regions, states, zip prefixes, area codes) is fitness.core.geography's;
the region is the one of the project's TIME_ZONE (the check context's dialect
carries it). Phone numbers are stored in the form the ODS writes, "(NPA) NXX-XXXX".
"""
from fitness.core.geography import AREA_CODES, STATE_ZIP_PREFIXES, region_states

from ..registry import offenders, rule
from .reference import allowed_for_key, in_list

# Rule M9: distinct facilities a member checks in at per 365-day year of the window.
MAX_FACILITIES_PER_YEAR = 6
DAYS_PER_YEAR = 365

# "(NPA) NXX-XXXX": area code and exchange start with 2-9 (NANP); bracket classes, not backslashes,
# so the pattern reads the same to PostgreSQL's regex engine and to Python's (SQLite's REGEXP).
PHONE_FORM = "'^[(][2-9][0-9][0-9][)] [2-9][0-9][0-9]-[0-9][0-9][0-9][0-9]$'"
ZIP_FORM = "'^[0-9][0-9][0-9][0-9][0-9](-[0-9][0-9][0-9][0-9])?$'"


def area_code(phone):
    return f"substr({phone}, 2, 3)"


def invalid_phone(ctx, phone):
    """SQL condition: `phone` is not a valid NANP number in the stored form: wrong form, an
    N11 service code as area code or exchange (211 ... 911), or a 555-01xx number (reserved
    for fiction)."""
    d = ctx.dialect
    return f"""(NOT {d.matches(phone, PHONE_FORM)}
        OR substr({phone}, 3, 2) = '11' OR substr({phone}, 8, 2) = '11'
        OR (substr({phone}, 7, 3) = '555' AND substr({phone}, 11, 2) = '01'))"""


def phone_outside_state(phone, state):
    """SQL condition: the area code of `phone` is not one of `state`'s (false for any state
    the geography does not know)."""
    codes = {code: [str(number) for number in numbers] for code, numbers in AREA_CODES.items()}
    return f"NOT {allowed_for_key(state, area_code(phone), codes, unknown_key='1 = 0')}"


def zip_outside_state(ctx, zip_code, state):
    """SQL condition: `zip_code` is not a 5-digit (or ZIP+4) code with a 3-digit prefix of `state`."""
    prefixes = {code: [f"{prefix:03d}" for prefix in numbers] for code, numbers in STATE_ZIP_PREFIXES.items()}
    known_prefix = allowed_for_key(state, f"substr({zip_code}, 1, 3)", prefixes, unknown_key="1 = 0")
    return f"(NOT {ctx.dialect.matches(zip_code, ZIP_FORM)} OR NOT {known_prefix})"


def home_facilities(visits="(SELECT memberid, facilityid, 1 AS visits FROM memberaccess)"):
    """FROM-clause subquery (memberid, facilityid): the facility each member checks in at most
    (ties: the lowest facilityid). Members who never checked in have none. `visits` holds the
    check-ins as (memberid, facilityid, visits) rows, one per check-in or already counted."""
    return f"""(SELECT memberid, facilityid FROM (
        SELECT memberid, facilityid,
               ROW_NUMBER() OVER (PARTITION BY memberid ORDER BY SUM(visits) DESC, facilityid) AS n
        FROM {visits} AS counted GROUP BY memberid, facilityid) AS ranked
        WHERE n = 1)"""


@rule("S9", "members", """A chain lies in one time-zone region, the one of the project's TIME_ZONE
(fitness.core.geography). Facilities: state is one of the region's states, zipcode a 5-digit (or ZIP+4)
code with a 3-digit prefix of that state, phonenumber a valid NANP number with an area code of that state.
Members: zipcode one of their state's, phone a valid NANP number with an area code of their state,
emergencyphone (when set) a valid NANP number, and no other member has the same email (ignoring case); the
state itself is M9's (their home facility's, so one of the region's). Staff: phone a valid NANP number.
Valid NANP number: stored as "(NPA) NXX-XXXX", area code and exchange starting with 2-9, neither an N11
code, not 555-01xx.
Offender: the facility, member or staff member.""")
def check_chain_geography(ctx):
    region = [state.code for state in region_states(ctx.dialect.time_zone)]
    return offenders(ctx, f"""
        SELECT f.facilityid AS offender FROM facilities f
        WHERE NOT {in_list('f.state', region)} OR {zip_outside_state(ctx, 'f.zipcode', 'f.state')}
           OR {invalid_phone(ctx, 'f.phonenumber')} OR {phone_outside_state('f.phonenumber', 'f.state')}
        UNION ALL
        SELECT m.memberid FROM members m
        WHERE {zip_outside_state(ctx, 'm.zipcode', 'm.state')}
           OR {invalid_phone(ctx, 'm.phone')} OR {phone_outside_state('m.phone', 'm.state')}
           OR (m.emergencyphone IS NOT NULL AND {invalid_phone(ctx, 'm.emergencyphone')})
        UNION ALL
        SELECT memberid FROM (
            SELECT memberid, COUNT(*) OVER (PARTITION BY LOWER(email)) AS holders FROM members) AS addressed
        WHERE holders > 1
        UNION ALL
        SELECT st.staffid FROM staff st WHERE {invalid_phone(ctx, 'st.phone')}""")


def window_years(ctx):
    """The window's 365-day years counted from window_start, as SQL date bounds [start, end):
    the last one ends at window_end (it may be shorter)."""
    d = ctx.dialect
    years = max(1, -(-(ctx.window_end - ctx.window_start).days // DAYS_PER_YEAR))
    starts = [d.date_param("window_start")] + [
        d.add_days(d.date_param("window_start"), str(DAYS_PER_YEAR * year)) for year in range(1, years)]
    return list(zip(starts, starts[1:] + [d.date_param("window_end")]))


@rule("M9", "members", f"""Members live near their home facility and visit others only near home or on
occasional travel. (a) A member's home facility is the facility of most of their check-ins (all of them,
not only the window's; ties: the smallest facilityid); the member's state equals the home facility's state
(members without check-ins are not checked). (b) Over the checked window, per member and per
{DAYS_PER_YEAR}-day year of the window counted from window_start (the last one ends at window_end), the
member checks in (local date) at no more than {MAX_FACILITIES_PER_YEAR} distinct facilities: most members
use 1-3 facilities, and the bound leaves room for occasional travel. Offender: the member.""")
def check_members_near_home(ctx):
    d = ctx.dialect
    # One pass over the check-ins counts them per member, facility and year of the window (none
    # for a check-in outside it): both parts read that. Each year's bounds are tested as
    # local_date_in does, so only check-ins within two days of a bound pay for the time-zone
    # conversion.
    year = "CASE " + " ".join(
        f"WHEN {d.local_date_in('checkintime', start, end)} THEN {number}"
        for number, (start, end) in enumerate(window_years(ctx))) + " END"
    return offenders(ctx, f"""
        WITH used AS (
            SELECT memberid, facilityid, year, COUNT(*) AS visits
            FROM (SELECT memberid, facilityid, {year} AS year FROM memberaccess) AS dated
            GROUP BY memberid, facilityid, year)
        SELECT m.memberid AS offender FROM members m
        JOIN {home_facilities('used')} AS home ON home.memberid = m.memberid
        JOIN facilities f ON f.facilityid = home.facilityid
        WHERE m.state <> f.state
        UNION ALL
        SELECT memberid FROM used WHERE year IS NOT NULL
        GROUP BY memberid, year
        HAVING COUNT(*) > {MAX_FACILITIES_PER_YEAR}""")
