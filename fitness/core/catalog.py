"""Reference data of the fitness chain, taken from the seed document
(`shared/seeds/000_*.txt`): membership price table, class list, area list,
equipment per area, staff roles and pay. Factories and the simulation both
read it, so a plan, class or role is defined once.

Money is Decimal; ids use the registry in fitness.core.ids.
"""
from decimal import Decimal
from typing import NamedTuple

from classes.choices import ClassCategory
from equipment.choices import MaintenanceType
from facilities.choices import AreaType
from staff.choices import Department, JobTitle


class MembershipPlan(NamedTuple):
    membership_type_id: str
    type_name: str
    monthly_fee: Decimal
    registration_fee: Decimal
    duration_months: int
    max_family_members: int
    popularity: int  # relative share of new sign-ups
    description: str
    # Ages (min, max) in whole years, both inclusive, a member may be on a period's start date to
    # hold the plan (rule M8); None = no limit on that side, and no age_range = open to every adult.
    age_range: tuple | None = None


# Student rates are for full-time students: 16 (the youngest member, rule M1) to 25, the usual cap on
# clubs' student rates (a student turning 26 renews on another plan). Seniors are 65 and over.
STUDENT_AGES = (16, 25)
SENIOR_AGES = (65, None)


# The seed's price table, verbatim; durations follow the plan names.
MEMBERSHIP_PLANS = [
    MembershipPlan("MT001", "Individual Monthly", Decimal("49.99"), Decimal("25.00"), 1, 1, 38,
                   "Single adult, month to month, full gym and class access."),
    MembershipPlan("MT002", "Family Monthly", Decimal("89.99"), Decimal("50.00"), 1, 4, 10,
                   "Up to four family members in one household, month to month."),
    MembershipPlan("MT003", "Student Monthly", Decimal("29.99"), Decimal("15.00"), 1, 1, 14,
                   "Full-time students with a valid student id, month to month.", age_range=STUDENT_AGES),
    MembershipPlan("MT004", "Senior Monthly", Decimal("39.99"), Decimal("20.00"), 1, 1, 8,
                   "Members aged 65 and over, month to month.", age_range=SENIOR_AGES),
    MembershipPlan("MT005", "Corporate Monthly", Decimal("44.99"), Decimal("30.00"), 1, 1, 10,
                   "Employees of partner companies, month to month."),
    MembershipPlan("MT006", "Individual Annual", Decimal("41.66"), Decimal("0.00"), 12, 1, 14,
                   "Single adult, twelve-month commitment billed monthly, no registration fee."),
    MembershipPlan("MT007", "Family Annual", Decimal("75.00"), Decimal("0.00"), 12, 4, 6,
                   "Household of up to four, twelve-month commitment billed monthly, no registration fee."),
]


class Certification(NamedTuple):
    certification_id: str
    certification_name: str
    issuing_organization: str
    validity_months: int
    is_required: bool  # every instructor must hold it
    description: str


CERTIFICATIONS = [
    Certification("CERT001", "CPR/AED", "American Red Cross", 24, True,
                  "Adult, child and infant CPR with automated external defibrillator use."),
    Certification("CERT002", "First Aid", "American Red Cross", 24, True, "Basic first aid for fitness settings."),
    Certification("CERT003", "Certified Personal Trainer", "NASM", 24, False,
                  "National Academy of Sports Medicine personal trainer certification."),
    Certification("CERT004", "Group Fitness Instructor", "ACE", 24, False,
                  "American Council on Exercise group fitness instructor certification."),
    Certification("CERT005", "Registered Yoga Teacher (RYT-200)", "Yoga Alliance", 36, False,
                  "200-hour registered yoga teacher."),
    Certification("CERT006", "Comprehensive Pilates Instructor", "Pilates Method Alliance", 24, False,
                  "Mat and apparatus Pilates instruction."),
    Certification("CERT007", "Indoor Cycling Instructor", "Mad Dogg Athletics (Spinning)", 24, False,
                  "Spinning program instructor."),
    Certification("CERT008", "Lifeguard", "American Red Cross", 24, False, "Pool lifeguard certification."),
    Certification("CERT009", "Aquatic Fitness Professional", "AEA", 24, False,
                  "Aquatic Exercise Association water fitness instructor."),
    Certification("CERT010", "Zumba Instructor", "Zumba Fitness", 12, False, "Licensed Zumba instructor."),
    Certification("CERT011", "CrossFit Level 1 Trainer", "CrossFit", 60, False, "CrossFit L1 trainer course."),
    Certification("CERT012", "Kickboxing Instructor", "AFAA", 24, False, "Cardio kickboxing and boxing fitness."),
    Certification("CERT013", "Suspension Training Instructor", "TRX", 36, False, "TRX suspension training course."),
    Certification("CERT014", "Tai Chi for Health Instructor", "Tai Chi for Health Institute", 24, False,
                  "Tai chi for health and arthritis programs."),
    Certification("CERT015", "Barre Instructor", "Barre Above", 24, False, "Barre fitness instructor."),
]

REQUIRED_FOR_ALL_INSTRUCTORS = tuple(c.certification_id for c in CERTIFICATIONS if c.is_required)


class ClassKind(NamedTuple):
    class_type_id: str
    class_name: str
    category: str
    duration_minutes: int
    max_participants: int
    specialty_certification: str  # besides CPR/AED, which every class requires
    area_types: tuple  # where it may be held (rule C1)
    price: Decimal  # drop-in price per class; 0 = included in membership
    description: str


STUDIO_OR_GYM = (AreaType.STUDIO, AreaType.COURT)

# The seed's fifteen classes.
CLASS_KINDS = [
    ClassKind("CT001", "Yoga", ClassCategory.MIND_BODY, 60, 20, "CERT005", (AreaType.STUDIO,), Decimal("0.00"),
              "Vinyasa flow for all levels."),
    ClassKind("CT002", "Pilates", ClassCategory.MIND_BODY, 45, 15, "CERT006", (AreaType.STUDIO,), Decimal("10.00"),
              "Mat Pilates for core strength and posture."),
    ClassKind("CT003", "Zumba", ClassCategory.DANCE, 60, 25, "CERT010", STUDIO_OR_GYM, Decimal("0.00"),
              "Latin-inspired dance workout."),
    ClassKind("CT004", "Spin Cycle", ClassCategory.CYCLING, 45, 20, "CERT007", (AreaType.SPIN_ROOM,), Decimal("0.00"),
              "Indoor cycling intervals to music."),
    ClassKind("CT005", "CrossFit", ClassCategory.STRENGTH, 60, 15, "CERT011", STUDIO_OR_GYM, Decimal("15.00"),
              "Constantly varied functional movements at high intensity."),
    ClassKind("CT006", "HIIT", ClassCategory.HIIT, 30, 20, "CERT004", STUDIO_OR_GYM, Decimal("0.00"),
              "High-intensity interval training."),
    ClassKind("CT007", "Aqua Aerobics", ClassCategory.AQUATIC, 45, 18, "CERT009", (AreaType.POOL,), Decimal("0.00"),
              "Low-impact cardio in the pool."),
    ClassKind("CT008", "Kickboxing", ClassCategory.COMBAT, 60, 20, "CERT012", STUDIO_OR_GYM, Decimal("0.00"),
              "Cardio kickboxing combinations."),
    ClassKind("CT009", "Boot Camp", ClassCategory.HIIT, 60, 25, "CERT004", STUDIO_OR_GYM, Decimal("0.00"),
              "Military-style circuit training."),
    ClassKind("CT010", "Strength Training", ClassCategory.STRENGTH, 45, 15, "CERT003", STUDIO_OR_GYM,
              Decimal("0.00"), "Barbell and dumbbell strength class."),
    ClassKind("CT011", "Barre", ClassCategory.MIND_BODY, 45, 15, "CERT015", (AreaType.STUDIO,), Decimal("12.00"),
              "Ballet-inspired toning at the barre."),
    ClassKind("CT012", "TRX", ClassCategory.STRENGTH, 45, 12, "CERT013", STUDIO_OR_GYM, Decimal("10.00"),
              "Suspension training for strength and stability."),
    ClassKind("CT013", "Boxing", ClassCategory.COMBAT, 60, 16, "CERT012", STUDIO_OR_GYM, Decimal("12.00"),
              "Boxing technique, bag work and conditioning."),
    ClassKind("CT014", "Dance Fitness", ClassCategory.DANCE, 45, 25, "CERT004", STUDIO_OR_GYM, Decimal("0.00"),
              "Choreographed cardio dance."),
    ClassKind("CT015", "Tai Chi", ClassCategory.MIND_BODY, 60, 20, "CERT014", (AreaType.STUDIO,), Decimal("0.00"),
              "Slow, flowing movement for balance and calm."),
]


def required_certifications(kind: ClassKind) -> str:
    """The classtypes.requiredcertifications value: comma-separated ids."""
    return ",".join(("CERT001", kind.specialty_certification))


class AreaKind(NamedTuple):
    area_name: str  # the seed's area names
    area_type: str
    capacity: tuple  # (min, max) people
    square_feet: tuple  # (min, max)
    member_area: bool  # members check in to it


AREA_KINDS = [
    AreaKind("Cardio Zone", AreaType.CARDIO, (30, 60), (1500, 3000), True),
    AreaKind("Weight Training", AreaType.WEIGHTS, (30, 60), (1500, 3000), True),
    AreaKind("Group Fitness Studio", AreaType.STUDIO, (20, 35), (1000, 2000), True),
    AreaKind("Pool Area", AreaType.POOL, (20, 40), (2500, 5000), True),
    AreaKind("Locker Rooms", AreaType.LOCKER_ROOM, (30, 80), (800, 1600), False),
    AreaKind("Reception", AreaType.RECEPTION, (10, 20), (300, 600), False),
    AreaKind("Juice Bar", AreaType.JUICE_BAR, (10, 25), (300, 700), False),
    AreaKind("Child Care", AreaType.CHILD_CARE, (10, 20), (400, 900), False),
    AreaKind("Yoga Studio", AreaType.STUDIO, (20, 30), (800, 1500), True),
    AreaKind("Spin Room", AreaType.SPIN_ROOM, (20, 30), (700, 1200), True),
    AreaKind("Basketball Court", AreaType.COURT, (25, 40), (4000, 5000), True),
    AreaKind("Racquetball Court", AreaType.COURT, (4, 8), (800, 900), True),
]

# Every facility has these (a gym without cardio, weights, a studio or a front
# desk is not a gym); the rest are drawn from the seed's list.
CORE_AREA_NAMES = ("Cardio Zone", "Weight Training", "Group Fitness Studio", "Locker Rooms", "Reception")

# General areas: a check-in recorded at the front desk or in the locker room does not say where the
# member went next, so such a visit contains every area of its facility (rule V9: equipment used on
# such a visit may stand in any area).
GENERAL_AREA_TYPES = (AreaType.RECEPTION, AreaType.LOCKER_ROOM)

# The seed's equipment per area, with realistic brands and price ranges.
EQUIPMENT_BY_AREA = {
    "Cardio Zone": ["Treadmill", "Elliptical", "Stationary Bike", "Rowing Machine"],
    "Weight Training": ["Bench Press", "Squat Rack", "Cable Machine", "Dumbbells", "Leg Press"],
    "Group Fitness Studio": ["Sound System", "Mirrors", "Yoga Mats", "Resistance Bands"],
    "Pool Area": ["Lane Dividers", "Pool Vacuum", "Water Testing Kit"],
    "Spin Room": ["Spin Bikes", "Sound System", "Mirrors"],
}

# Machines a member works out on (equipment usage sessions); the rest is fixtures.
USABLE_EQUIPMENT_TYPES = {
    "Treadmill", "Elliptical", "Stationary Bike", "Rowing Machine",
    "Bench Press", "Squat Rack", "Cable Machine", "Leg Press", "Spin Bikes",
}

EQUIPMENT_BRANDS = {
    "Treadmill": ["Life Fitness", "Precor", "Technogym", "Matrix"],
    "Elliptical": ["Life Fitness", "Precor", "Octane Fitness", "Matrix"],
    "Stationary Bike": ["Keiser", "Schwinn", "Life Fitness", "Matrix"],
    "Rowing Machine": ["Concept2", "WaterRower", "Hydrow"],
    "Bench Press": ["Hammer Strength", "Rogue", "Life Fitness"],
    "Squat Rack": ["Rogue", "Hammer Strength", "Eleiko"],
    "Cable Machine": ["Life Fitness", "Cybex", "Precor"],
    "Dumbbells": ["Rogue", "York Barbell", "Eleiko"],
    "Leg Press": ["Hammer Strength", "Cybex", "Life Fitness"],
    "Sound System": ["Bose", "JBL", "Yamaha"],
    "Mirrors": ["Gym Mirrors Co", "Glass Fitness"],
    "Yoga Mats": ["Manduka", "Lululemon", "Gaiam"],
    "Resistance Bands": ["TheraBand", "Rogue", "SPRI"],
    "Lane Dividers": ["Kiefer", "Competitor Swim"],
    "Pool Vacuum": ["Polaris", "Hayward", "Pentair"],
    "Water Testing Kit": ["Taylor Technologies", "LaMotte"],
    "Spin Bikes": ["Keiser", "Schwinn", "Stages Cycling", "Peloton Commercial"],
}

EQUIPMENT_PRICE_RANGE = {  # dollars, (min, max)
    "Treadmill": (4000, 12000), "Elliptical": (3000, 8000), "Stationary Bike": (1500, 4000),
    "Rowing Machine": (900, 3500), "Bench Press": (600, 2500), "Squat Rack": (900, 4000),
    "Cable Machine": (3000, 9000), "Dumbbells": (800, 5000), "Leg Press": (2500, 8000),
    "Sound System": (500, 3000), "Mirrors": (300, 2000), "Yoga Mats": (200, 800),
    "Resistance Bands": (100, 500), "Lane Dividers": (800, 3000), "Pool Vacuum": (600, 2500),
    "Water Testing Kit": (50, 300), "Spin Bikes": (1200, 3000),
}


# --- equipment maintenance (rule S8) -------------------------------------------------------------
# Outside service companies that may sign a maintenance row (equipmentmaintenance.technicianname holds
# the name exactly): the brands' own service departments and independent commercial-fitness and pool
# service firms. Everything else is done by the facility's own Maintenance staff.
MAINTENANCE_VENDORS = (
    "Life Fitness Service", "Precor Service", "Technogym Service", "Matrix Fitness Service",
    "Keiser Service", "Cybex Service", "Concept2 Service", "Hammer Strength Service",
    "Commercial Fitness Repair Co.", "Fitness Equipment Services Inc.", "Pro Audio Installations",
    "Pentair Pool Service", "Aquatic Equipment Services",
)

_ALL_WORK = tuple(MaintenanceType)
# Fixtures and small equipment are inspected and have worn pieces replaced, never "repaired".
_INSPECT_AND_REPLACE = (MaintenanceType.INSPECTION, MaintenanceType.REPLACEMENT)

# The kinds of maintenance each equipment type receives.
MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE = {
    "Treadmill": _ALL_WORK, "Elliptical": _ALL_WORK, "Stationary Bike": _ALL_WORK, "Rowing Machine": _ALL_WORK,
    "Bench Press": _ALL_WORK, "Squat Rack": _ALL_WORK, "Cable Machine": _ALL_WORK, "Leg Press": _ALL_WORK,
    "Spin Bikes": _ALL_WORK, "Sound System": _ALL_WORK, "Lane Dividers": _ALL_WORK, "Pool Vacuum": _ALL_WORK,
    "Dumbbells": (MaintenanceType.PREVENTIVE, *_INSPECT_AND_REPLACE),
    "Mirrors": _INSPECT_AND_REPLACE, "Yoga Mats": _INSPECT_AND_REPLACE,
    "Resistance Bands": _INSPECT_AND_REPLACE, "Water Testing Kit": _INSPECT_AND_REPLACE,
}

# The parts that can be replaced on each equipment type (equipmentmaintenance.partsreplaced lists one
# or more of them, comma-separated, so no name holds a comma). Only motorised machines have motors,
# drive belts and consoles; mirrors, mats, bands and dumbbells have none.
PARTS_BY_EQUIPMENT_TYPE = {
    "Treadmill": ("Running belt", "Drive belt", "Drive motor", "Motor brushes", "Motor control board",
                  "Console board", "Incline motor", "Roller bearings", "Running deck", "Safety key"),
    "Elliptical": ("Drive belt", "Console board", "Pedal assembly", "Stride arm bushings", "Flywheel bearings",
                   "Resistance brake"),
    "Stationary Bike": ("Drive belt", "Console board", "Pedal assembly", "Seat cushion", "Crank bearings",
                        "Resistance magnet"),
    "Rowing Machine": ("Drive chain", "Seat rollers", "Handle", "Flywheel damper", "Performance monitor"),
    "Bench Press": ("Upholstery pad", "J-hooks", "Frame bolts"),
    "Squat Rack": ("J-hooks", "Safety spotter arms", "Frame bolts"),
    "Cable Machine": ("Cable and pulley", "Weight stack pin", "Upholstery pad", "Guide rod bushings"),
    "Leg Press": ("Sled bearings", "Upholstery pad", "Safety stops", "Frame bolts"),
    "Spin Bikes": ("Drive belt", "Brake pad", "Pedal assembly", "Saddle", "Console board", "Flywheel bearings",
                   "Resistance magnet"),
    "Sound System": ("Amplifier", "Speaker", "Wireless microphone", "Audio cable"),
    "Lane Dividers": ("Float discs", "Lane rope cable", "Tensioner"),
    "Pool Vacuum": ("Drive motor", "Brushes", "Filter bag", "Drive track", "Power supply"),
    "Dumbbells": ("Rubber end caps", "Rack saddles"),
    "Mirrors": ("Mirror panel", "Mounting clips"),
    "Yoga Mats": ("Yoga mats",),
    "Resistance Bands": ("Resistance bands", "Handles"),
    "Water Testing Kit": ("Reagents", "Test vials"),
}

# Which outside companies service which equipment (a brand's service department its own machines,
# independents the common ones); types not named here are serviced by the facility's own staff only.
_CARDIO_SERVICE = ("Life Fitness Service", "Precor Service", "Technogym Service", "Matrix Fitness Service",
                   "Commercial Fitness Repair Co.", "Fitness Equipment Services Inc.")
_STRENGTH_SERVICE = ("Hammer Strength Service", "Cybex Service", "Life Fitness Service",
                     "Commercial Fitness Repair Co.", "Fitness Equipment Services Inc.")
_POOL_SERVICE = ("Pentair Pool Service", "Aquatic Equipment Services")
VENDORS_BY_EQUIPMENT_TYPE = {
    "Treadmill": _CARDIO_SERVICE, "Elliptical": _CARDIO_SERVICE,
    "Stationary Bike": ("Keiser Service", *_CARDIO_SERVICE), "Spin Bikes": ("Keiser Service", *_CARDIO_SERVICE),
    "Rowing Machine": ("Concept2 Service", "Commercial Fitness Repair Co."),
    "Bench Press": _STRENGTH_SERVICE, "Squat Rack": _STRENGTH_SERVICE, "Cable Machine": _STRENGTH_SERVICE,
    "Leg Press": _STRENGTH_SERVICE, "Sound System": ("Pro Audio Installations",),
    "Lane Dividers": _POOL_SERVICE, "Pool Vacuum": _POOL_SERVICE,
}


class Role(NamedTuple):
    job_title: str
    department: str
    annual_salary: tuple  # the seed's salary range, (min, max) dollars
    share: int  # relative head count
    full_time_share: float  # the rest is part-time (or contract for trainers)


# The seed's roles and salary ranges; hourly rate = salary / business.HOURS_PER_YEAR (2080 hours).
ROLES = [
    Role(JobTitle.PERSONAL_TRAINER, Department.FITNESS, (35000, 55000), 16, 0.6),
    Role(JobTitle.GROUP_FITNESS_INSTRUCTOR, Department.FITNESS, (25000, 40000), 24, 0.4),
    Role(JobTitle.FRONT_DESK, Department.FRONT_OFFICE, (28000, 35000), 20, 0.5),
    Role(JobTitle.MANAGER, Department.MANAGEMENT, (55000, 85000), 10, 1.0),
    Role(JobTitle.MAINTENANCE, Department.FACILITIES, (30000, 45000), 10, 0.8),
    Role(JobTitle.LIFEGUARD, Department.AQUATICS, (22000, 32000), 10, 0.3),
    Role(JobTitle.NUTRITIONIST, Department.WELLNESS, (45000, 65000), 5, 0.6),
    Role(JobTitle.PHYSICAL_THERAPIST, Department.WELLNESS, (60000, 80000), 5, 0.8),
]

MEDICAL_ALERTS = [  # the seed's list and weights; None = no alert
    (None, 70), ("Heart Condition", 10), ("Diabetes", 10), ("Asthma", 5), ("Knee Injury", 5),
]

CANCELLATION_REASONS = [
    "Instructor illness, no substitute available",
    "Facility maintenance in the studio",
    "Low enrollment",
    "Severe weather closure",
    "Pool chemical imbalance",
    "Power outage",
    "Sound system failure",
]
