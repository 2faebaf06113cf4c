"""What a seed run stores so that `seed_ods --append` can continue its chain.

The chain's structure (facilities, equipment, staff, timetable) is a pure
function of (seed, profile, chain start, first as-of) and is rebuilt on append;
the snapshot holds the rest: id counters, each member's and machine's
simulation state, staff hours, review months, certification ends and the
members' statuses on the as-of date.

`SeedRun.state` is versioned and every value in it is keyed by name: lists of
objects are stored as a header of field names plus rows, and read back by
name. A state written by another version, or missing a field this version
needs, is refused with a clear error before anything changes, instead of
being read out of step.
"""
import datetime as dt
from dataclasses import dataclass

from .members_sim import MemberSim

# 3: the chain opens its clubs over ten years (master.draw_openings); a version-2 chain rebuilt today would differ.
STATE_VERSION = 3
MACHINE_FIELDS = ("next_preventive", "out_until")


class SnapshotError(Exception):
    """A stored state this version cannot continue from; the message says why and what to do."""


@dataclass(frozen=True)
class ChainSnapshot:
    chain_start: dt.date
    first_as_of: dt.date
    counters: dict  # table -> last id number used
    members: list  # MemberSim, in roster order
    machines: list  # [next_preventive, out_until] per equipment row, in equipment order
    staff_hours: dict  # staff index -> [iso week, week hundredths, pay period, regular, overtime]
    review_months: dict
    cert_ends: dict  # "staff index,certification id" -> [certified ordinal, expiry ordinal]
    member_statuses: dict  # member id -> members.memberstatus on the as-of date


def dump_snapshot(snapshot: ChainSnapshot) -> dict:
    """The JSON document SeedRun.state stores."""
    return {
        "version": STATE_VERSION,
        "chain_start": snapshot.chain_start.isoformat(),
        "first_as_of": snapshot.first_as_of.isoformat(),
        "counters": snapshot.counters,
        "members": named_rows(MemberSim.__slots__, [m.state_row() for m in snapshot.members]),
        "machines": named_rows(MACHINE_FIELDS, snapshot.machines),
        "staff_hours": {str(index): hours for index, hours in snapshot.staff_hours.items()},
        "review_months": snapshot.review_months,
        "cert_ends": snapshot.cert_ends,
        "member_statuses": snapshot.member_statuses,
    }


def load_snapshot(state: dict, run_label: str) -> ChainSnapshot:
    """The snapshot a SeedRun stored; SnapshotError if this version cannot read it."""
    version = state.get("version", 1)
    if version != STATE_VERSION:
        raise SnapshotError(
            f"The last seed run ({run_label}) stored its state in format {version}, and this version of seed_ods "
            f"reads format {STATE_VERSION}. Nothing was changed. Seed a new chain with --flush to continue.")
    try:
        return ChainSnapshot(
            chain_start=dt.date.fromisoformat(state["chain_start"]),
            first_as_of=dt.date.fromisoformat(state["first_as_of"]),
            counters=dict(state["counters"]),
            members=[MemberSim.from_state_row(row) for row in rows_in_order(state["members"], MemberSim.__slots__)],
            machines=rows_in_order(state["machines"], MACHINE_FIELDS),
            staff_hours={int(index): hours for index, hours in state["staff_hours"].items()},
            review_months=state["review_months"],
            cert_ends=state["cert_ends"],
            member_statuses=state["member_statuses"],
        )
    except KeyError as missing:
        raise SnapshotError(
            f"The last seed run ({run_label}) has no {missing.args[0]!r} in its stored state, which --append "
            f"needs. Nothing was changed. Seed a new chain with --flush to continue.") from None


def named_rows(fields, rows) -> dict:
    return {"fields": list(fields), "rows": [list(row) for row in rows]}


def rows_in_order(table: dict, fields) -> list:
    """`table`'s rows with their values in the order of `fields`, found by name (KeyError naming a missing one)."""
    stored = table["fields"]
    missing = [name for name in fields if name not in stored]
    if missing:
        raise KeyError(missing[0])
    if list(stored) == list(fields):
        return table["rows"]
    positions = [stored.index(name) for name in fields]
    return [[row[i] for i in positions] for row in table["rows"]]
