"""A small dataset touching all 23 ERD tables, built with plain ORM calls, with
the awkward values a CSV format must survive: NULLs, empty strings, unicode,
commas, quotes and newlines, text that looks like a formula (=, +, -, @, tab)
or starts with an apostrophe, negative-looking text, decimals and aware
timestamps with microseconds."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from classes.models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType
from equipment.models import Equipment, EquipmentMaintenance, EquipmentUsage
from facilities.models import Facility, FacilityArea, MemberAccess
from members.models import Member, MemberMembership, MemberPayment, MembershipType
from staff.models import (
    InstructorCertification,
    InstructorFeedback,
    InstructorPerformance,
    Staff,
    StaffCertification,
    StaffFacility,
    StaffPayroll,
    StaffSchedule,
    StaffTimeTracking,
)

NEW_YORK = ZoneInfo("America/New_York")
TRICKY_TEXTS = [
    "=SUM(A1:A9)",
    "+1 555 0100",
    "-minus first",
    "@handle",
    "\ttab first",
    "'already quoted",
    "Zoë, \"Ünïcødé\" – 健身\nsecond line",
    "",
]


def at(year, month, day, hour=0, minute=0, second=0, micro=0, tz=dt.timezone.utc):
    return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)


def build_dataset():
    """Create the rows; returns {table: row count}."""
    plans = [
        MembershipType.objects.create(
            membership_type_id="MT001", type_name="Individual Monthly", description=TRICKY_TEXTS[0],
            monthly_fee=Decimal("49.99"), registration_fee=Decimal("25.00"), duration=1,
            max_family_members=1, is_active=True, created_date=at(2020, 1, 1, 9, 30, 15, 123456),
        ),
        MembershipType.objects.create(
            membership_type_id="MT002", type_name="Family \"Annual\", 4", description=None,
            monthly_fee=Decimal("0.00"), registration_fee=Decimal("0.00"), duration=12,
            max_family_members=4, is_active=False, created_date=at(2021, 6, 30, 23, 59, 59, tz=NEW_YORK),
        ),
    ]
    members = []
    for n, text in enumerate(TRICKY_TEXTS, start=1):
        members.append(Member.objects.create(
            member_id=f"MEM{n:06d}", first_name=("Zoë" if n % 2 else "-Ann"), last_name=f"Nguyễn{n}",
            email=f"m{n}@example.com", phone="+1 (555) 010-%04d" % n, date_of_birth=dt.date(1980 + n, n, n),
            gender="MFO"[n % 3], address=f"{n} Main St, Apt \"{n}\"", city="Springfield", state="IL",
            zip_code=f"{62700 + n}", emergency_contact=(None if n % 2 else text),
            emergency_phone=(None if n % 3 else "555-0199"), medical_alerts=text,
            join_date=dt.date(2020, n, 1), member_status=["Active", "Suspended", "Cancelled", "Expired"][n % 4],
            last_modified=at(2024, 1, n, 12, 0, 0, n * 1000),
        ))
    for n, member in enumerate(members[:4], start=1):
        MemberMembership.objects.create(
            membership_id=f"MSH{n:08d}", member=member, membership_type=plans[n % 2],
            start_date=dt.date(2023, n, 1), end_date=dt.date(2023, n, 1) + dt.timedelta(days=30 * n),
            status="Active" if n % 2 else "Expired", auto_renew=bool(n % 2),
        )
        MemberPayment.objects.create(
            payment_id=f"PAY{n:08d}", member=member, payment_date=dt.date(2023, n, 2),
            amount=Decimal("49.99") * n, payment_type=["Registration", "Monthly Dues", "Class Fee", "Late Fee"][n - 1],
            payment_method=["Credit Card", "Bank Transfer", "Cash"][n % 3],
            status=["Completed", "Failed", "Pending", "Refunded"][n - 1],
        )
    facilities = [
        Facility.objects.create(
            facility_id=f"FAC{n:03d}", facility_name=f"Downtown {n}", address="=1+1 Formula Way",
            city="Chicago", state="IL", zip_code="60601", phone_number="+1-312-555-0100",
            open_time=dt.time(5, 0), close_time=dt.time(23, 0, 30), is_active=bool(n % 2),
        )
        for n in (1, 2)
    ]
    areas = [
        FacilityArea.objects.create(
            area_id=f"AR{n:04d}", facility=facilities[n % 2], area_name=f"Area {n}",
            area_type=["Cardio", "Studio", "Pool"][n % 3], max_capacity=10 * n,
            square_footage=Decimal("1234.50") + n, is_active=True,
        )
        for n in (1, 2, 3)
    ]
    for n, member in enumerate(members[:3], start=1):
        check_in = at(2024, 2, n, 6, 15, 0, 250000)
        MemberAccess.objects.create(
            access_id=f"ACC{n:08d}", member=member, facility=areas[n - 1].facility, area=areas[n - 1],
            check_in_time=check_in, check_out_time=(None if n == 3 else check_in + dt.timedelta(minutes=75)),
            access_method=["Key Card", "Mobile App", "Staff Override"][n - 1], duration=(None if n == 3 else 75),
        )
    certs = [
        InstructorCertification.objects.create(
            certification_id=f"CERT{n:03d}", certification_name=f"Cert {n}", issuing_organization="ACE",
            description=("-" if n == 1 else None), validity_months=24, is_required=(n == 1),
        )
        for n in (1, 2)
    ]
    staff = [
        Staff.objects.create(
            staff_id=f"STF{n:04d}", employee_number=f"E{n:05d}", first_name="Jo", last_name=f"O'Neil{n}",
            email=f"s{n}@example.com", phone="555-0100", hire_date=dt.date(2019, n, 1),
            job_title=["Group Fitness Instructor", "Manager", "Personal Trainer"][n - 1],
            department=["Fitness", "Management", "Fitness"][n - 1], employment_type="Full-Time",
            hourly_rate=Decimal("31.25") + n, status=("Terminated" if n == 3 else "Active"),
            termination_date=(dt.date(2024, 3, 1) if n == 3 else None),
        )
        for n in (1, 2, 3)
    ]
    for n, person in enumerate(staff, start=1):
        StaffFacility.objects.create(
            assignment_id=f"ASG{n:05d}", staff=person, facility=facilities[n % 2], is_primary=(n != 2),
            start_date=dt.date(2019, 1, n), end_date=(dt.date(2024, 3, 1) if n == 3 else None),
        )
        StaffCertification.objects.create(
            staff_certification_id=f"SCR{n:05d}", staff=person, certification=certs[n % 2],
            certification_date=dt.date(2022, n, 1), expiry_date=dt.date(2024, n, 1),
            certification_number=f"+CN-{n}", status=("Expired" if n == 3 else "Active"),
        )
        StaffPayroll.objects.create(
            payroll_id=f"PRL{n:06d}", staff=person, pay_period_start=dt.date(2024, 1, 1),
            pay_period_end=dt.date(2024, 1, 14), regular_hours=Decimal("80.00"), overtime_hours=Decimal("2.50"),
            regular_pay=Decimal("2500.00"), overtime_pay=Decimal("117.19"), bonuses=Decimal("0.00"),
            deductions=Decimal("617.19") if n == 1 else Decimal("0.00"),
            gross_pay=Decimal("2617.19"), net_pay=Decimal("2000.00") if n == 1 else Decimal("2617.19"),
            pay_date=dt.date(2024, 1, 19),
        )
    shifts = []
    for n, person in enumerate(staff[:2], start=1):
        shifts.append(StaffSchedule.objects.create(
            schedule_id=f"SHF{n:07d}", staff=person, facility=facilities[0], area=(areas[0] if n == 1 else None),
            schedule_date=dt.date(2024, 2, n), start_time=dt.time(6, 0), end_time=dt.time(14, 30),
            scheduled_hours=Decimal("8.50"), shift_type="Morning", status=["Completed", "Scheduled"][n - 1],
        ))
        StaffTimeTracking.objects.create(
            time_tracking_id=f"TTR{n:07d}", staff=person, schedule=shifts[-1],
            actual_start_time=at(2024, 2, n, 10, 58, 1, 999999),
            actual_end_time=(at(2024, 2, n, 19, 30) if n == 1 else None),
            actual_hours=(Decimal("8.53") if n == 1 else None), overtime_hours=Decimal("0.03"),
            break_minutes=30, notes=TRICKY_TEXTS[n],
        )
    class_types = [
        ClassType.objects.create(
            class_type_id=f"CT{n:03d}", class_name=f"Yoga {n}", category=["Mind & Body", "HIIT"][n - 1],
            description=TRICKY_TEXTS[n + 2], duration_minutes=45 * n, max_participants=20,
            required_certifications=("CERT001,CERT002" if n == 1 else None), is_active=True,
        )
        for n in (1, 2)
    ]
    schedules = [
        ClassSchedule.objects.create(
            schedule_id=f"SCH{n:04d}", class_type=class_types[n - 1], facility=facilities[0], area=areas[0],
            instructor=staff[0], day_of_week=n, start_time=dt.time(18, 0), end_time=dt.time(18, 45),
            max_capacity=20, price=Decimal("0.00") if n == 1 else Decimal("15.50"),
            effective_date=dt.date(2024, 1, 1), expiry_date=(None if n == 1 else dt.date(2024, 12, 31)),
            is_active=True,
        )
        for n in (1, 2)
    ]
    instances = [
        ClassInstance.objects.create(
            instance_id=f"INS{n:07d}", schedule=schedules[n - 1], class_date=dt.date(2024, 2, n),
            actual_start_time=(at(2024, 2, n, 23, 0) if n == 1 else None),
            actual_end_time=(at(2024, 2, n, 23, 45) if n == 1 else None),
            actual_instructor=(staff[0] if n == 1 else None), actual_capacity=(2 if n == 1 else 0),
            status=("Completed" if n == 1 else "Cancelled"),
            cancellation_reason=(None if n == 1 else "@instructor ill"),
        )
        for n in (1, 2)
    ]
    for n, member in enumerate(members[:3], start=1):
        ClassEnrollment.objects.create(
            enrollment_id=f"ENR{n:08d}", member=member, instance=instances[0],
            enrollment_date=at(2024, 1, 30, 8, n), enrollment_status=["Attended", "No-Show", "Waitlisted"][n - 1],
            payment_amount=Decimal("15.50") if n == 1 else Decimal("0.00"),
            check_in_time=(at(2024, 2, 1, 22, 55) if n == 1 else None),
            check_out_time=(at(2024, 2, 1, 23, 46) if n == 1 else None),
        )
    InstructorPerformance.objects.create(
        performance_id="PRF00001", instructor=staff[0], evaluation_date=dt.date(2024, 1, 31), evaluator=staff[1],
        classes_per_month=12, average_attendance=Decimal("14.25"), member_retention_rate=Decimal("87.50"),
        member_satisfaction_score=None, professionalism_score=Decimal("4.50"), communication_score=Decimal("5.00"),
        overall_rating=Decimal("4.75"), comments=TRICKY_TEXTS[6], goals_for_next_period="-more HIIT",
    )
    for n, member in enumerate(members[:2], start=1):
        InstructorFeedback.objects.create(
            feedback_id=f"FBK{n:07d}", member=member, instructor=staff[0], class_instance=instances[0],
            feedback_date=dt.date(2024, 2, 2), teaching_quality=5, communication=4, motivation=n, overall_rating=4,
            comments=(None if n == 1 else TRICKY_TEXTS[0]), is_anonymous=(n == 2),
        )
    equipment = [
        Equipment.objects.create(
            equipment_id=f"EQ{n:05d}", facility=facilities[0], area=areas[0], equipment_name=f"Treadmill {n}",
            equipment_type="Treadmill", brand="Life Fitness", model_name="=T5", serial_number=f"SN-{n:06d}",
            purchase_date=dt.date(2020, 5, n), purchase_price=Decimal("4999.00"),
            warranty_expiry=(dt.date(2023, 5, n) if n == 1 else None), status=["Active", "Out of Order"][n - 1],
        )
        for n in (1, 2)
    ]
    for n, member in enumerate(members[:2], start=1):
        EquipmentUsage.objects.create(
            usage_id=f"USG{n:08d}", equipment=equipment[0], member=member, start_time=at(2024, 2, n, 7, 0),
            end_time=(at(2024, 2, n, 7, 30) if n == 1 else None), duration_minutes=(30 if n == 1 else None),
            usage_type=["Workout", "Cooldown"][n - 1], notes=TRICKY_TEXTS[4 + n],
        )
        EquipmentMaintenance.objects.create(
            maintenance_id=f"MNT{n:06d}", equipment=equipment[n - 1], maintenance_date=dt.date(2024, 1, n),
            maintenance_type=["Preventive", "Part Replacement"][n - 1], technician_name="Łukasz",
            description=TRICKY_TEXTS[7], cost=Decimal("0.00") if n == 1 else Decimal("149.95"),
            parts_replaced=(None if n == 1 else "belt, motor"),
            next_maintenance_date=(dt.date(2024, 4, 1) if n == 1 else None),
        )
