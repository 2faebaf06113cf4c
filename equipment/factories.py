"""factory_boy factories for equipment, usage sessions and maintenance.

Random values come from the `rng` parameter (see members.factories), drawn
with the helpers of `fitness.core.drawing`; `build()` never touches the database.
"""
import datetime as dt

import factory
from django.utils import timezone

from facilities.choices import AreaType
from facilities.factories import FacilityAreaFactory, FacilityFactory, MemberAccessFactory, draw_start_inside_hours
from fitness.core.catalog import (
    AREA_KINDS,
    EQUIPMENT_BRANDS,
    EQUIPMENT_BY_AREA,
    EQUIPMENT_PRICE_RANGE,
    MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE,
    MAINTENANCE_VENDORS,
    PARTS_BY_EQUIPMENT_TYPE,
    USABLE_EQUIPMENT_TYPES,
    VENDORS_BY_EQUIPMENT_TYPE,
)
from fitness.core.business import add_months, years_before
from fitness.core.drawing import (
    local_datetime,
    minutes_between,
    pick,
    rand_int,
    random_cents,
    random_date,
    today,
    weighted,
)
from members.factories import MemberFactory, id_sequence, rng_param

from .choices import EquipmentStatus, MaintenanceType, UsageType
from .models import Equipment, EquipmentMaintenance, EquipmentUsage

PURCHASE_WINDOW_YEARS = 5  # the seed buys equipment within five years of as-of
WARRANTY_MONTHS = (12, 24, 36, 60)
EQUIPMENT_STATUSES = weighted(
    (EquipmentStatus.ACTIVE, 85), (EquipmentStatus.MAINTENANCE, 10), (EquipmentStatus.OUT_OF_ORDER, 5)
)  # the seed's weights
USAGE_TYPES = weighted((UsageType.WORKOUT, 80), (UsageType.WARMUP, 10), (UsageType.COOLDOWN, 10))
USAGE_LOOKBACK_DAYS = 30

# Areas the seed does not list equipment for borrow the list of the seed area
# of the same type (a Yoga Studio is equipped like the Group Fitness Studio).
EQUIPMENT_AREA_BY_TYPE = {
    AreaType.CARDIO: "Cardio Zone",
    AreaType.WEIGHTS: "Weight Training",
    AreaType.STUDIO: "Group Fitness Studio",
    AreaType.POOL: "Pool Area",
    AreaType.SPIN_ROOM: "Spin Room",
}
EQUIPPED_AREA_KINDS = [kind for kind in AREA_KINDS if kind.area_name in EQUIPMENT_BY_AREA]
USABLE_AREA_KINDS = [
    kind for kind in EQUIPPED_AREA_KINDS if USABLE_EQUIPMENT_TYPES.intersection(EQUIPMENT_BY_AREA[kind.area_name])
]


def equipment_types_for(area, usable_only: bool = False) -> list:
    """The equipment types the seed puts in this kind of area (machines a member
    works out on, when `usable_only`)."""
    seed_area = area.area_name if area.area_name in EQUIPMENT_BY_AREA else EQUIPMENT_AREA_BY_TYPE.get(area.area_type)
    types = EQUIPMENT_BY_AREA.get(seed_area, [])
    if usable_only:
        types = [kind for kind in types if kind in USABLE_EQUIPMENT_TYPES]
    if not types:
        wanted = "usable equipment" if usable_only else "equipment"
        raise ValueError(f"Area {area.area_id} ({area.area_name}) holds no {wanted} in the catalog")
    return types


def model_code(rng, equipment_type: str) -> str:
    """The seed's model names: type then a three-digit number ("Treadmill-450")."""
    return f"{equipment_type.replace(' ', '')}-{rand_int(rng, 100, 999)}"


def serial_number(rng, brand: str, purchase_date: dt.date) -> str:
    initials = "".join(word[0] for word in brand.split()).upper()
    return f"{initials}{purchase_date:%y%m}{rand_int(rng, 100000, 999999)}"


class EquipmentFactory(factory.django.DjangoModelFactory):
    """A machine or fixture of a type the seed puts in its area (an area of the
    equipment's own facility, I3), with a catalog brand and price, bought within
    five years of as-of, warranty after purchase (V7). `usable=True` gives an
    Active machine members work out on (for usage sessions)."""

    class Meta:
        model = Equipment

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        usable = False

    equipment_id = id_sequence("equipment")
    facility = factory.SubFactory(FacilityFactory, rng=factory.SelfAttribute("..rng"))
    area = factory.SubFactory(
        FacilityAreaFactory,
        facility=factory.SelfAttribute("..facility"),
        kind=factory.LazyAttribute(
            lambda area: pick(area.rng, USABLE_AREA_KINDS if area.factory_parent.usable else EQUIPPED_AREA_KINDS)
        ),
        rng=factory.SelfAttribute("..rng"),
    )
    equipment_type = factory.LazyAttribute(lambda o: pick(o.rng, equipment_types_for(o.area, o.usable)))
    brand = factory.LazyAttribute(lambda o: pick(o.rng, EQUIPMENT_BRANDS[o.equipment_type]))
    equipment_name = factory.LazyAttribute(lambda o: f"{o.brand} {o.equipment_type}")
    model_name = factory.LazyAttribute(lambda o: model_code(o.rng, o.equipment_type))
    purchase_date = factory.LazyAttribute(
        lambda o: random_date(o.rng, years_before(o.as_of, PURCHASE_WINDOW_YEARS), o.as_of)
    )
    serial_number = factory.LazyAttribute(lambda o: serial_number(o.rng, o.brand, o.purchase_date))
    purchase_price = factory.LazyAttribute(lambda o: random_cents(o.rng, *EQUIPMENT_PRICE_RANGE[o.equipment_type]))
    warranty_expiry = factory.LazyAttribute(lambda o: add_months(o.purchase_date, pick(o.rng, WARRANTY_MONTHS)))
    status = factory.LazyAttribute(
        lambda o: EquipmentStatus.ACTIVE if o.usable else EQUIPMENT_STATUSES.draw(o.rng)
    )


VISIT_MARGIN_MINUTES = 15  # most a visit starts before, or ends after, the session inside it


def ensure_visit_around(rng, session) -> None:
    """Create the member's visit enclosing an equipment session (V5) at the
    machine's facility and area, within opening hours, unless a visit of the
    member overlaps the session already (a second one would break V3)."""
    member, machine = session.member, session.equipment
    overlapping = member.visits.filter(check_in_time__lt=session.end_time, check_out_time__gt=session.start_time)
    if overlapping.exists():
        return
    day = timezone.localtime(session.start_time).date()
    opens = local_datetime(day, machine.facility.open_time)
    closes = local_datetime(day, machine.facility.close_time)
    MemberAccessFactory(
        member=member,
        facility=machine.facility,
        area=machine.area,
        check_in_time=max(opens, session.start_time - dt.timedelta(minutes=rand_int(rng, 0, VISIT_MARGIN_MINUTES))),
        check_out_time=min(closes, session.end_time + dt.timedelta(minutes=rand_int(rng, 0, VISIT_MARGIN_MINUTES))),
        rng=rng,
    )


class EquipmentUsageFactory(factory.django.DjangoModelFactory):
    """A session on an Active machine (V6), at the machine's facility during its
    opening hours, on or after both the member's join date and the purchase;
    `duration_minutes` = minutes between start and end (V5). On create() the
    member also gets a visit around the session in the machine's area, unless
    one of theirs already covers or overlaps it (V5, V3; `with_visit=False`
    skips that). The seeder nests sessions inside its own visits."""

    class Meta:
        model = EquipmentUsage
        skip_postgeneration_save = True

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        session_minutes = factory.LazyAttribute(lambda o: rand_int(o.rng, 10, 60))
        use_date = factory.LazyAttribute(
            lambda o: random_date(
                o.rng,
                max(o.member.join_date, o.equipment.purchase_date, o.as_of - dt.timedelta(days=USAGE_LOOKBACK_DAYS)),
                max(o.member.join_date, o.equipment.purchase_date, o.as_of),
            )
        )

    usage_id = id_sequence("equipmentusage")
    equipment = factory.SubFactory(
        EquipmentFactory, usable=True, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    member = factory.SubFactory(
        MemberFactory, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    start_time = factory.LazyAttribute(
        lambda o: draw_start_inside_hours(o.rng, o.equipment.facility, o.use_date, o.session_minutes)
    )
    end_time = factory.LazyAttribute(lambda o: o.start_time + dt.timedelta(minutes=o.session_minutes))
    duration_minutes = factory.LazyAttribute(lambda o: minutes_between(o.start_time, o.end_time))
    usage_type = factory.LazyAttribute(lambda o: USAGE_TYPES.draw(o.rng))
    notes = None

    @factory.post_generation
    def with_visit(session, create, extracted, rng, **kwargs):
        if create and extracted is not False:
            ensure_visit_around(rng, session)

    with_visit__rng = factory.SelfAttribute("..rng")  # the hook draws from the factory's source


MAINTENANCE_TYPES = weighted(
    (MaintenanceType.PREVENTIVE, 50), (MaintenanceType.INSPECTION, 25),
    (MaintenanceType.REPAIR, 20), (MaintenanceType.REPLACEMENT, 5),
)
MAINTENANCE_COST = {  # dollars, (min, max); an inspection under a service contract may cost nothing
    MaintenanceType.INSPECTION: (0, 150),
    MaintenanceType.PREVENTIVE: (50, 300),
    MaintenanceType.REPAIR: (100, 1500),
    MaintenanceType.REPLACEMENT: (200, 2500),
}
DAYS_TO_NEXT_MAINTENANCE = {
    MaintenanceType.INSPECTION: 30,
    MaintenanceType.PREVENTIVE: 90,
    MaintenanceType.REPAIR: 60,
    MaintenanceType.REPLACEMENT: 90,
}
MAINTENANCE_WORK = {
    MaintenanceType.INSPECTION: "Safety inspection, all functions checked",
    MaintenanceType.PREVENTIVE: "Scheduled service: cleaned, lubricated and calibrated",
    MaintenanceType.REPAIR: "Repaired a reported fault",
    MaintenanceType.REPLACEMENT: "Replaced a worn part",
}


def draw_maintenance_type(rng, equipment_type: str) -> str:
    """A kind of work the equipment type receives (rule S8), by the seed's weights."""
    allowed = MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE.get(equipment_type, tuple(MaintenanceType))
    while True:
        kind = MAINTENANCE_TYPES.draw(rng)
        if kind in allowed:
            return kind


def draw_vendor(rng, equipment_type: str) -> str:
    """An outside company that services the type (a lone row has no facility staff to name, rule S8)."""
    return pick(rng, VENDORS_BY_EQUIPMENT_TYPE.get(equipment_type) or MAINTENANCE_VENDORS)


def draw_part(rng, maintenance_type: str, equipment_type: str) -> str | None:
    """A part of this equipment type for a repair or replacement; None for a service or inspection."""
    if maintenance_type not in (MaintenanceType.REPAIR, MaintenanceType.REPLACEMENT):
        return None
    return pick(rng, PARTS_BY_EQUIPMENT_TYPE[equipment_type])


class EquipmentMaintenanceFactory(factory.django.DjangoModelFactory):
    """A service visit after the purchase date, with a type-dependent cost (>= 0)
    and the next service due strictly later (V7); work and parts that fit the
    equipment type, done by a vendor servicing it (S8)."""

    class Meta:
        model = EquipmentMaintenance

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()

    maintenance_id = id_sequence("equipmentmaintenance")
    equipment = factory.SubFactory(
        EquipmentFactory, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    maintenance_date = factory.LazyAttribute(
        lambda o: random_date(o.rng, o.equipment.purchase_date, max(o.equipment.purchase_date, o.as_of))
    )
    maintenance_type = factory.LazyAttribute(lambda o: draw_maintenance_type(o.rng, o.equipment.equipment_type))
    technician_name = factory.LazyAttribute(lambda o: draw_vendor(o.rng, o.equipment.equipment_type))
    description = factory.LazyAttribute(
        lambda o: f"{MAINTENANCE_WORK[o.maintenance_type]} ({o.equipment.equipment_type})"
    )
    cost = factory.LazyAttribute(lambda o: random_cents(o.rng, *MAINTENANCE_COST[o.maintenance_type]))
    parts_replaced = factory.LazyAttribute(
        lambda o: draw_part(o.rng, o.maintenance_type, o.equipment.equipment_type)
    )
    next_maintenance_date = factory.LazyAttribute(
        lambda o: o.maintenance_date + dt.timedelta(days=DAYS_TO_NEXT_MAINTENANCE[o.maintenance_type])
    )

