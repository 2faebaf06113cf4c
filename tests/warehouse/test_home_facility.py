"""dim_member's home facility: the club of most visits; for a member without
visits, the club where they live (rule M9: members live near their home club).

Besides the small ODS (FAC001 and FAC002, both Springfield IL 62701), three
Illinois clubs and members living around them, none with a visit unless said:
  FAC003 Chicago 60601   FAC004 Chicago 60614   FAC005 Aurora 60505
  MEM4 Chicago 60615     city; shares 4 digits with FAC004, 3 with FAC003  -> FAC004
  MEM5 Chicago 60657     city; 3 digits with both Chicago clubs            -> FAC003 (smaller id)
  MEM6 Naperville 60540  no club in town; 605 as Aurora                    -> FAC005
  MEM7 Rockford 61101    no club in town, none in 611                      -> FAC001 (smallest in IL)
  MEM8 Madison WI 53703  no club in Wisconsin                              -> unknown
  MEM9 Chicago 60615     two visits at FAC001                              -> FAC001
Each pays 40.00 (Completed) on 2024-02-01, the day they join.
"""
from decimal import Decimal

import pytest

from facilities.models import Facility, FacilityArea
from members.models import Member
from warehouse.etl.pipeline import build_warehouse
from warehouse.models import AggFacilityDaily, DimFacility, DimMember, FactPayment

from .dataset import AS_OF, D, T, add_payment, add_period, add_visit, build_small_ods, local
from .test_incremental import (
    assert_next_run_writes_nothing,
    assert_same_as_full_rebuild,
    assert_totals_reconcile,
    raw,
    timestamp,
    written,
)

JOINED = D(2024, 2, 1)
RESIDENTS = {
    "MEM4": ("Chicago", "IL", "60615"),
    "MEM5": ("Chicago", "IL", "60657"),
    "MEM6": ("Naperville", "IL", "60540"),
    "MEM7": ("Rockford", "IL", "61101"),
    "MEM8": ("Madison", "WI", "53703"),
    "MEM9": ("Chicago", "IL", "60615"),
}


def add_club(facility_id, city, zip_code):
    Facility.objects.create(facility_id=facility_id, facility_name=f"{city} {facility_id}", address="3 Elm St",
                            city=city, state="IL", zip_code=zip_code, phone_number="555-0103", open_time=T(6),
                            close_time=T(22))
    FacilityArea.objects.create(area_id=f"AR{facility_id}", facility_id=facility_id, area_name="Cardio",
                                area_type="Cardio", max_capacity=10, square_footage=Decimal("900.00"))


def add_resident(member_id, city, state, zip_code):
    Member.objects.create(
        member_id=member_id, first_name=member_id.title(), last_name="Resident", email=f"{member_id}@example.com",
        phone="555-0104", date_of_birth=D(1985, 7, 1), gender="M", address="4 Pine St", city=city, state=state,
        zip_code=zip_code, join_date=JOINED, member_status="Active", last_modified=local(JOINED, 9),
    )
    add_period(f"MS{member_id}", member_id, "MT001", JOINED, D(2024, 3, 1))
    add_payment(f"PAY{member_id}", member_id, JOINED, "40.00")


@pytest.fixture
def residents(db):
    build_small_ods()
    add_club("FAC003", "Chicago", "60601")
    add_club("FAC004", "Chicago", "60614")
    add_club("FAC005", "Aurora", "60505")
    for member_id, address in RESIDENTS.items():
        add_resident(member_id, *address)
    for access_id, day in (("V91", D(2024, 2, 5)), ("V92", D(2024, 2, 6))):
        add_visit(access_id, "MEM9", "FAC001", "AR001", day, (7, 0), (8, 0))
    return build_warehouse(as_of=AS_OF)


def home(member_id):
    (facility_id,) = {v.home_facility_id for v in DimMember.objects.filter(member_id=member_id)}
    return facility_id


def facility_key(facility_id):
    return DimFacility.objects.get(facility_id=facility_id).facility_key


def payment_facility(member_id):
    return FactPayment.objects.get(payment_id=f"PAY{member_id}").facility_key


def test_member_without_visits_gets_the_club_of_their_city(residents):
    assert home("MEM4") == "FAC004"  # 60615 shares 6061 with FAC004's 60614, only 606 with FAC003's 60601
    assert home("MEM5") == "FAC003"  # 606 with both: the smaller id


def test_member_with_visits_keeps_the_most_visited_club(residents):
    assert home("MEM9") == "FAC001"  # lives in Chicago, comes to Springfield
    assert home("MEM3") == "FAC002"  # 2 visits there, 1 at FAC001


def test_member_in_a_town_without_a_club_gets_a_club_of_their_state_by_zip_prefix(residents):
    assert home("MEM6") == "FAC005"  # Naperville 60540 and Aurora 60505 share 605
    assert home("MEM7") == "FAC001"  # Rockford 611..: no club shares it, the state's smallest id


def test_member_in_a_state_without_a_club_is_unknown(residents):
    assert home("MEM8") is None
    assert payment_facility("MEM8") == -1
    # Their missing home is no change: the next batch stages no member.
    again = build_warehouse(as_of=AS_OF)
    assert again.table_counts["dim_member"]["read"] == 0
    assert (again.rows_inserted, again.rows_updated, again.rows_deleted) == (0, 0, 0)


def test_payments_of_a_member_without_visits_land_on_their_home(residents):
    for member_id, facility_id in (("MEM4", "FAC004"), ("MEM5", "FAC003"), ("MEM6", "FAC005"), ("MEM7", "FAC001")):
        assert payment_facility(member_id) == facility_key(facility_id), member_id
    day = AggFacilityDaily.objects.get(date_key=20240201, facility_key=facility_key("FAC004"))
    assert (day.visits, day.revenue) == (0, Decimal("40.00"))
    # Only the member in a state without a club is left on the unknown facility.
    unknown = FactPayment.objects.filter(facility_key=-1)
    assert list(unknown.values_list("payment_id", flat=True)) == ["PAYMEM8"]
    assert_totals_reconcile()
    assert_same_as_full_rebuild()


def test_first_visit_elsewhere_moves_the_member_on_an_incremental_build(residents):
    add_visit("V41", "MEM4", "FAC005", "ARFAC005", D(2024, 2, 20), (18, 0), (19, 0))
    batch = build_warehouse(as_of=AS_OF)
    assert home("MEM4") == "FAC005"  # visits win over where they live
    assert batch.table_counts["dim_member"]["read"] == 1
    assert written(batch, "fact_payment") == (0, 1, 0)
    assert payment_facility("MEM4") == facility_key("FAC005")
    assert not AggFacilityDaily.objects.filter(date_key=20240201, facility_key=facility_key("FAC004")).exists()
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()
    # Their only visit gone, they are back at the club of their town.
    raw("DELETE FROM memberaccess WHERE accessid = 'V41'")
    build_warehouse(as_of=AS_OF)
    assert (home("MEM4"), payment_facility("MEM4")) == ("FAC004", facility_key("FAC004"))
    assert_totals_reconcile()
    assert_next_run_writes_nothing()


def test_address_change_moves_a_member_without_visits(residents):
    raw("UPDATE members SET city = 'Chicago', zipcode = '60614', lastmodified = %s WHERE memberid = 'MEM7'",
        [timestamp(local(D(2024, 3, 1), 9))])
    batch = build_warehouse(as_of=AS_OF)
    assert home("MEM7") == "FAC004"
    assert written(batch, "fact_payment") == (0, 1, 0)
    assert payment_facility("MEM7") == facility_key("FAC004")
    raw("UPDATE members SET city = 'Milwaukee', state = 'WI', zipcode = '53202' WHERE memberid = 'MEM7'")
    build_warehouse(as_of=AS_OF)
    assert (home("MEM7"), payment_facility("MEM7")) == (None, -1)  # no club in Wisconsin
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_a_club_opening_moving_or_closing_moves_members_without_visits_only(residents):
    add_club("FAC006", "Rockford", "61104")
    batch = build_warehouse(as_of=AS_OF)
    assert home("MEM7") == "FAC006"
    # Staged: Illinois members without visits (MEM4-MEM7); MEM9 keeps the club of their visits.
    assert batch.table_counts["dim_member"]["read"] == 4
    assert home("MEM9") == "FAC001"
    assert written(batch, "fact_payment") == (0, 1, 0)
    assert payment_facility("MEM7") == facility_key("FAC006")
    assert_next_run_writes_nothing()
    # Aurora's club moves to Wisconsin: Naperville's nearest is then the state's first.
    raw("UPDATE facilities SET city = 'Kenosha', state = 'WI', zipcode = '53140' WHERE facilityid = 'FAC005'")
    build_warehouse(as_of=AS_OF)
    assert (home("MEM6"), home("MEM8")) == ("FAC001", "FAC005")  # Madison has a club in its state now
    assert_next_run_writes_nothing()
    # Rockford's club closes and leaves the ODS (the dimension keeps its row).
    raw("DELETE FROM facilityareas WHERE facilityid = 'FAC006'")
    raw("DELETE FROM facilities WHERE facilityid = 'FAC006'")
    build_warehouse(as_of=AS_OF)
    assert (home("MEM7"), payment_facility("MEM7")) == ("FAC001", facility_key("FAC001"))
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_a_warehouse_loaded_before_this_rule_catches_up_incrementally(residents):
    """Before, members without visits had no home: the next incremental batch gives them one."""
    DimMember.objects.filter(member_id__in=["MEM4", "MEM5", "MEM6", "MEM7", "MEM8"]).update(home_facility_id=None)
    FactPayment.objects.filter(payment_id__in=["PAYMEM4", "PAYMEM5", "PAYMEM6", "PAYMEM7"]).update(facility_key=-1)
    batch = build_warehouse(as_of=AS_OF)
    assert batch.table_counts["dim_member"]["read"] == 4  # MEM8's state has no club: nothing to do for them
    assert written(batch, "fact_payment") == (0, 4, 0)
    assert [home(m) for m in ("MEM4", "MEM5", "MEM6", "MEM7")] == ["FAC004", "FAC003", "FAC005", "FAC001"]
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()
