"""Where the chain and its members are: rule S9.

The geography (regions, states, zip prefixes, area codes) is fitness.core.geography's;
the region is the one of the project's TIME_ZONE (the check context's dialect
carries it). Phone numbers are stored in the form the ODS writes, "(NPA) NXX-XXXX".
"""
from fitness.core.geography import AREA_CODES, STATE_ZIP_PREFIXES, region_states

from ..registry import offenders, rule
from .reference import allowed_for_key, in_list

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


def home_facilities():
    """FROM-clause subquery (memberid, facilityid): the facility each member checks in at most
    (ties: the lowest facilityid). Members who never checked in have none."""
    return """(SELECT memberid, facilityid FROM (
        SELECT memberid, facilityid,
               ROW_NUMBER() OVER (PARTITION BY memberid ORDER BY COUNT(*) DESC, facilityid) AS n
        FROM memberaccess GROUP BY memberid, facilityid) AS ranked
        WHERE n = 1)"""


@rule("S9", "members", """A chain lies in one time-zone region, the one of the project's TIME_ZONE
(fitness.core.geography). Facilities: state is one of the region's states, zipcode a 5-digit (or ZIP+4)
code with a 3-digit prefix of that state, phonenumber a valid NANP number with an area code of that state.
Members: state is the state of their home facility (the facility they check in at most, ties to the lowest
facilityid; members without a check-in are skipped), zipcode one of their state's, phone a valid NANP
number with an area code of their state, emergencyphone (when set) a valid NANP number, and no other member
has the same email (ignoring case). Staff: phone a valid NANP number. Valid NANP number: stored as
"(NPA) NXX-XXXX", area code and exchange starting with 2-9, neither an N11 code, not 555-01xx.
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
        SELECT m.memberid FROM members m
        JOIN {home_facilities()} AS home ON home.memberid = m.memberid
        JOIN facilities f ON f.facilityid = home.facilityid
        WHERE m.state <> f.state
        UNION ALL
        SELECT memberid FROM (
            SELECT memberid, COUNT(*) OVER (PARTITION BY LOWER(email)) AS holders FROM members) AS addressed
        WHERE holders > 1
        UNION ALL
        SELECT st.staffid FROM staff st WHERE {invalid_phone(ctx, 'st.phone')}""")
