"""Equipment, usage sessions and maintenance: the seed's catalog and rules I3, V5-V7."""
import datetime as dt

import pytest
from django.utils import timezone

from equipment.choices import EquipmentStatus
from equipment.factories import (
    EquipmentFactory,
    EquipmentMaintenanceFactory,
    EquipmentUsageFactory,
    equipment_types_for,
)
from facilities.factories import FacilityAreaFactory
from fitness.core.catalog import (
    AREA_KINDS,
    EQUIPMENT_BRANDS,
    EQUIPMENT_BY_AREA,
    EQUIPMENT_PRICE_RANGE,
    MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE,
    MAINTENANCE_VENDORS,
    PARTS_BY_EQUIPMENT_TYPE,
    USABLE_EQUIPMENT_TYPES,
)

pytestmark = pytest.mark.django_db

KIND_BY_NAME = {kind.area_name: kind for kind in AREA_KINDS}


@pytest.mark.parametrize("repeat", range(3))
def test_equipment_fits_its_area_and_facility(repeat):
    machine = EquipmentFactory()
    assert machine.area.facility_id == machine.facility_id  # I3
    assert machine.equipment_type in EQUIPMENT_BY_AREA[machine.area.area_name]
    assert machine.brand in EQUIPMENT_BRANDS[machine.equipment_type]
    low, high = EQUIPMENT_PRICE_RANGE[machine.equipment_type]
    assert low <= machine.purchase_price <= high
    assert machine.warranty_expiry >= machine.purchase_date  # V7


def test_equipment_status_follows_the_seed_weights():
    statuses = [m.status for m in EquipmentFactory.build_batch(2000)]
    assert 0.80 < statuses.count(EquipmentStatus.ACTIVE) / len(statuses) < 0.90


def test_an_area_outside_the_seed_list_borrows_its_types_list():
    yoga = FacilityAreaFactory.build(kind=KIND_BY_NAME["Yoga Studio"])
    assert equipment_types_for(yoga) == EQUIPMENT_BY_AREA["Group Fitness Studio"]
    court = FacilityAreaFactory.build(kind=KIND_BY_NAME["Basketball Court"])
    with pytest.raises(ValueError, match="holds no equipment"):
        equipment_types_for(court)


@pytest.mark.parametrize("repeat", range(5))
def test_a_session_is_on_an_active_machine_inside_its_facility_hours(repeat, as_of):
    session = EquipmentUsageFactory()
    machine = session.equipment
    assert machine.status == EquipmentStatus.ACTIVE  # V6
    assert machine.equipment_type in USABLE_EQUIPMENT_TYPES
    start, end = timezone.localtime(session.start_time), timezone.localtime(session.end_time)
    assert machine.facility.open_time <= start.time() < end.time() <= machine.facility.close_time
    assert session.duration_minutes == (end - start).total_seconds() // 60 > 0  # V5
    assert start.date() >= max(session.member.join_date, machine.purchase_date)
    assert start.date() <= as_of


@pytest.mark.parametrize("repeat", range(5))
def test_maintenance_follows_v7(repeat):
    record = EquipmentMaintenanceFactory()
    assert record.next_maintenance_date > record.maintenance_date
    assert record.cost >= 0
    assert record.maintenance_date >= record.equipment.purchase_date


def test_maintenance_fits_the_equipment_type_and_names_a_vendor():
    """S8: a lone maintenance row has no facility staff to name, so a vendor; work and parts of its type."""
    for record in EquipmentMaintenanceFactory.build_batch(300):
        kind = record.equipment.equipment_type
        assert record.technician_name in MAINTENANCE_VENDORS
        assert record.maintenance_type in MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE[kind]
        assert record.parts_replaced is None or record.parts_replaced in PARTS_BY_EQUIPMENT_TYPE[kind]
        assert (record.parts_replaced is None) == (record.maintenance_type in ("Preventive", "Inspection"))


def test_maintenance_dates_can_be_given():
    record = EquipmentMaintenanceFactory(maintenance_date=dt.date(2024, 5, 1))
    assert record.next_maintenance_date > dt.date(2024, 5, 1)


@pytest.mark.parametrize("repeat", range(5))
def test_a_session_lies_inside_a_visit_of_the_same_member_at_the_machine(repeat):
    session = EquipmentUsageFactory()
    visits = list(session.member.visits.all())
    assert len(visits) == 1
    visit = visits[0]
    assert visit.facility_id == session.equipment.facility_id and visit.area_id == session.equipment.area_id  # V5
    assert visit.check_in_time <= session.start_time and session.end_time <= visit.check_out_time  # V5
    check_in, check_out = timezone.localtime(visit.check_in_time), timezone.localtime(visit.check_out_time)
    assert visit.facility.open_time <= check_in.time() and check_out.time() <= visit.facility.close_time  # V2
    assert visit.duration == (check_out - check_in).total_seconds() // 60  # V2


def test_a_second_session_in_the_same_visit_adds_no_visit():
    first = EquipmentUsageFactory()
    EquipmentUsageFactory(member=first.member, equipment=first.equipment,
                          start_time=first.start_time, end_time=first.end_time)
    assert first.member.visits.count() == 1  # V3: never two visits at once
